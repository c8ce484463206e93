import ArgumentParser
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
            """,
        subcommands: [MapCheckCommand.self]
    )
}

struct MapCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate register maps: every mistake, with its line.",
        discussion: """
            Reports overlapping registers, fields past the register's width or overlapping each \
            other, misaligned offsets, duplicate names, values too wide for their field, unknown \
            keys and bad numbers, one per line as FILE:LINE: problem. Exit 1 if any.

            Example:
              pcimmio map check /usr/share/pcimmio/maps/*.json
            """)

    @Argument(help: "Map files (JSON).")
    var files: [String]

    func run() throws {
        var failed = false
        for file in files {
            let (map, problems) = RegisterMapLoader.check(file)
            for problem in problems { printError(problem.description) }
            if problems.isEmpty, let map {
                let bars = Set(map.registers.map(\.bar)).sorted().map(String.init).joined(separator: ", ")
                print("\(file): ok, \(map.registers.count) registers (BAR \(bars)) for \(map.devices.map(\.description).joined(separator: ", "))")
            } else {
                failed = true
            }
        }
        if failed { throw ExitCode.failure }
    }
}
