import ArgumentParser
import MapImportOptions
import Glibc
import PCIMMIO

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
