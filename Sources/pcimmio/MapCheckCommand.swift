import ArgumentParser
import MapImportOptions
import Glibc
import PCIMMIO

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
