// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "pcimmio",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "pcimmio", targets: ["pcimmio"]),
        .library(name: "PCIMMIO", targets: ["PCIMMIO"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // libpci itself, found through pkg-config (Debian: libpci-dev).
        .systemLibrary(
            name: "CLibPCI",
            pkgConfig: "libpci",
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
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "PCIMMIOTests", dependencies: ["PCIMMIO"]),
        .testTarget(name: "EndToEndTests", dependencies: ["PCIMMIO"]),
    ]
)
