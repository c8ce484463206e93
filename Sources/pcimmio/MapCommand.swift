import ArgumentParser
import MapImportOptions
import Glibc
import PCIMMIO

struct MapCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "map",
        abstract: "Work with register map files.",
        discussion: """
            A register map (JSON) names a device's registers and fields; the maps shipped with \
            pcimmio are in <prefix>/share/pcimmio/maps.

            Example:
              pcimmio map check /usr/share/pcimmio/maps/*.json
              pcimmio map import soc.svd -o soc.json
            """,
        subcommands: [MapCheckCommand.self, MapImportCommand.self]
    )
}

struct MapCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate register maps: every mistake, with its line.",
        discussion: """
            Reports overlapping registers, fields past the register's width or overlapping each \
            other, misaligned offsets, duplicate names, values too wide for their field, unknown \
            keys and bad numbers, one per line as FILE:LINE: problem. Exit 1 if any. \
            The --map file, when given, is checked too (--sysfs and --trace play no part).

            Examples:
              pcimmio map check /usr/share/pcimmio/maps/*.json
              pcimmio --map soc.json map check
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Map files (JSON).")
    var files: [String] = []

    func validate() throws {
        guard !files.isEmpty || global.map != nil else { throw ValidationError("missing a map file to check (or --map FILE)") }
    }

    func run() throws {
        var failed = false
        for file in files + (global.map.map { [$0] } ?? []) {
            let (map, problems) = RegisterMapLoader.check(file)
            for problem in problems { printError(problem.description) }
            if problems.isEmpty, let map {
                let bars = map.bars.map(String.init).joined(separator: ", ")
                print("\(file): ok, \(map.registers.count) registers (BAR \(bars)) for \(map.devices.map(\.description).joined(separator: ", "))")
            } else {
                failed = true
            }
        }
        if failed { throw ExitCode.failure }
    }
}

struct MapImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Make a register map from IP-XACT (1685-2009, 1685-2014) or CMSIS-SVD.",
        discussion: """
            Each IP-XACT addressBlock or SVD peripheral becomes one BAR, in order (BARs 0 to 5), \
            or as --bar BLOCK=N says (then only the blocks named are imported). Register files \
            and clusters are flattened (names joined with _), dim arrays expanded (NAME_0, …), \
            SVD derivedFrom and inherited sizes resolved; an SVD peripheral's baseAddress is kept \
            as its BAR's "base". Anything a map cannot hold (an access type, a register of 24 \
            bits, overlapping registers, a field past its register) is reported as FILE:LINE \
            and fails the import; --keep-going leaves those out and says which. \
            The work is done by pcimmio-import, installed beside pcimmio. Global options are \
            accepted and play no part.

            Examples:
              pcimmio map import soc.xml -o Maps/soc.json --device 1234:abcd
              pcimmio map import chip.svd --bar UART0=0 --bar DMA=2 --keep-going -o chip.json
            """)

    @OptionGroup var global: GlobalOptions

    @OptionGroup var options: MapImportOptions

    func run() throws {
        let importer = Self.importerPath()
        guard isExecutable(importer) else {
            throw PCIMMIOError.notInstalled("map import needs pcimmio-import beside pcimmio, at \(importer) (swift build builds both)")
        }
        let arguments = [importer] + options.arguments
        // The importer takes over this process: its exit status and messages are the command's.
        var cArguments = arguments.map { strdup($0) } + [nil]
        execv(importer, &cArguments)
        throw PCIMMIOError.system(call: "execv", path: importer, errno: errno)
    }

    /// pcimmio-import in the directory of the running pcimmio binary.
    /// Beside the executable (a build), else where the package puts it:
    /// `<prefix>/lib/pcimmio/pcimmio-import` for `<prefix>/bin/pcimmio`.
    static func importerPath() -> String {
        let executable = MapCatalog.executablePath() ?? CommandLine.arguments[0]
        let directory = executable.lastIndex(of: "/").map { String(executable[..<$0]) } ?? "."
        let beside = directory + "/pcimmio-import"
        guard !isExecutable(beside), let prefixEnd = directory.lastIndex(of: "/") else { return beside }
        let installed = String(directory[..<prefixEnd]) + "/lib/pcimmio/pcimmio-import"
        return isExecutable(installed) ? installed : beside
    }
}
