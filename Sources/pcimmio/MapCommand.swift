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
