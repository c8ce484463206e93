import ArgumentParser
import Glibc
import MapImport
import MapImportOptions
import PCIMMIO

/// The importer `pcimmio map import` runs: a separate program, so libxml2 is loaded only
/// when a map is imported and never by `peek`. Its options are exactly `map import`'s.
@main
struct ImportMain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pcimmio-import",
        abstract: "Make a pcimmio register map from IP-XACT or CMSIS-SVD (run as 'pcimmio map import').")

    @OptionGroup var options: MapImportOptions

    func run() throws {
        var settings = MapImporter.Options()
        settings.keepGoing = options.keepGoing
        if let format = options.format {
            guard let known = MapImporter.Format(rawValue: format) else { throw usage("--format \(format): expected ipxact or svd") }
            settings.format = known
        }
        for id in options.device {
            guard let parsed = RegisterMapLoader.deviceID(id) else { throw usage("--device \(id): expected VENDOR:DEVICE in hex, like 1234:11e8") }
            settings.devices.append(parsed)
        }
        for assignment in options.bar {
            let parts = assignment.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, let number = try? BARNumber.parse(String(parts[1])) else {
                throw usage("--bar \(assignment): expected BLOCK=N with N from 0 to 5")
            }
            settings.bars.append((String(parts[0]), number))
        }
        let output = options.output
        let result = MapImporter.run(file: options.file, output: output ?? "<stdout>", options: settings)
        for problem in result.problems { report(problem.description) }
        guard let map = result.map else { throw ExitCode.failure }
        do throws(PCIMMIOError) {
            let sink = try output.map { (path) throws(PCIMMIOError) in try OutputSink(path: path) } ?? .standardOutput()
            try sink.write(RegisterMapWriter.json(map))
            try sink.flush()
        } catch {
            report(error.description)
            throw ExitCode.failure
        }
    }

    private func usage(_ message: String) -> ExitCode {
        report(message)
        return ExitCode(2)
    }
}

/// On stderr as pcimmio prints its errors: the user ran `pcimmio map import`.
func report(_ message: String) {
    var line = "pcimmio: " + message + "\n"
    line.withUTF8 { _ = write(STDERR_FILENO, $0.baseAddress, $0.count) }
}
