// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "pcimmio",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "pcimmio", targets: ["pcimmio"]),
        .executable(name: "pcimmio-import", targets: ["pcimmio-import"]),
        .library(name: "PCIMMIO", targets: ["PCIMMIO"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // libpci's header (Debian: libpci-dev). Not linked: PCIShim loads libpci.so.3 on first use.
        .systemLibrary(
            name: "CLibPCI",
            providers: [.apt(["libpci-dev"])]
        ),
        // Fixed-argument wrappers for libpci's variadic entry points and its exiting error handler.
        .target(name: "PCIShim", dependencies: ["CLibPCI"]),
        // The kernel's VFIO ioctls, in a shape Swift can call (<linux/vfio.h>, from linux-libc-dev).
        .systemLibrary(name: "CVFIO"),
        // The only code that touches device memory: volatile loads and stores, guarded against SIGBUS.
        .target(name: "MMIOAccess"),
        .target(
            name: "PCIMMIO",
            dependencies: ["PCIShim", "MMIOAccess", "CVFIO"]
        ),
        .executableTarget(
            name: "pcimmio",
            dependencies: [
                "PCIMMIO",
                "MapImportOptions",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // libxml2, for the importers only (Debian: libxml2-dev): pcimmio itself never loads it.
        .systemLibrary(
            name: "CLibXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]
        ),
        // map import's options, shared by pcimmio (help, man page, completions) and pcimmio-import.
        .target(
            name: "MapImportOptions",
            dependencies: [.product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // IP-XACT and CMSIS-SVD to register maps.
        .target(name: "MapImport", dependencies: ["PCIMMIO", "CLibXML2"]),
        // What `pcimmio map import` runs, found beside the pcimmio binary.
        .executableTarget(
            name: "pcimmio-import",
            dependencies: [
                "MapImport",
                "MapImportOptions",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "PCIMMIOTests", dependencies: ["PCIMMIO"]),
        .testTarget(name: "MapImportTests", dependencies: ["MapImport"]),
        .testTarget(name: "EndToEndTests", dependencies: ["PCIMMIO"]),
    ]
)
