/// Which register map describes a device: the one given with `--map FILE`, else the first
/// map (by file name) in the `PCIMMIO_MAPS` directory that lists the device's vendor:device,
/// else in the maps installed beside the executable (`<prefix>/share/pcimmio/maps`).
/// Maps are read only when a register name is used or decoding is asked for.
public final class MapCatalog {
    public let explicit: String?
    /// Where maps are looked for without --map; found only when one is needed (a peek by
    /// offset must not pay for reading /proc/self/exe).
    public private(set) lazy var directory: String? = givenDirectory ?? MapCatalog.defaultDirectory
    private let givenDirectory: String?
    private var loaded: [RegisterMap]?

    public init(explicit: String?, directory: String? = nil) {
        self.explicit = explicit
        self.givenDirectory = directory
    }

    /// `PCIMMIO_MAPS`, else the installed maps when there are any.
    public static var defaultDirectory: String? {
        environmentDirectory ?? installedDirectory()
    }

    public static var environmentDirectory: String? {
        environment("PCIMMIO_MAPS")
    }

    /// `<prefix>/share/pcimmio/maps` for an executable at `<prefix>/bin/pcimmio`, if that
    /// directory exists: the package installs the shipped maps there, and finding them from
    /// the executable's own path works for any prefix (and for a package unpacked anywhere)
    /// without compiling an install path into the binary. A binary under `.build/` has none.
    public static func installedDirectory(executable: String? = executablePath()) -> String? {
        guard let executable, let bin = executable.lastIndex(of: "/") else { return nil }
        let binDirectory = executable[..<bin]
        guard let prefixEnd = binDirectory.lastIndex(of: "/") else { return nil }
        let candidate = String(binDirectory[..<prefixEnd]) + "/share/pcimmio/maps"
        return isDirectory(candidate) ? candidate : nil
    }

    /// This process's executable, symbolic links resolved (so `/usr/local/bin/pcimmio`
    /// linking to an unpacked package finds the package's maps).
    public static func executablePath() -> String? {
        readLink("/proc/self/exe")
    }

    /// The map for `device`, nil when none applies. A `--map` that does not list the device is an error.
    public func map(for device: PCIDevice) throws(PCIMMIOError) -> RegisterMap? {
        let maps = try load()
        if let explicit, let map = maps.first {
            guard map.applies(to: device) else {
                throw .usage("map \(explicit) is for \(map.devices.map(\.description).joined(separator: ", ")); \(device.address) is \(hex(device.vendorID, digits: 4)):\(hex(device.deviceID, digits: 4))")
            }
            return map
        }
        return maps.first { $0.applies(to: device) }
    }

    /// `--map FILE` itself, whatever devices it lists: for `phys`, whose registers are found
    /// by the base addresses the map keeps (from an SVD peripheral's baseAddress).
    public func explicitMap() throws(PCIMMIOError) -> RegisterMap? {
        explicit == nil ? nil : try load().first
    }

    private func load() throws(PCIMMIOError) -> [RegisterMap] {
        if let loaded { return loaded }
        var paths: [String] = []
        if let explicit {
            paths = [explicit]
        } else if let directory, let names = try? listDirectory(directory) {
            for name in names where name.hasSuffix(".json") { paths.append(directory + "/" + name) }
            paths.sort()
        }
        var maps: [RegisterMap] = []
        for path in paths {
            do throws(MapProblems) {
                maps.append(try RegisterMapLoader.load(path))
            } catch {
                let first = error.problems[0]
                throw .usage("register map \(first)" + (error.problems.count > 1 ? " (and \(error.problems.count - 1) more: run 'pcimmio map check \(path)')" : ""))
            }
        }
        loaded = maps
        return maps
    }
}
