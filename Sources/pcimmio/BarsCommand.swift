import ArgumentParser
import PCIMMIO

struct BarsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bars",
        abstract: "Show one device's BARs and the resource files that map them.",
        discussion: """
            DEVICE is a slot ([[domain:]bus:]dev.fn) or vendor:device matching exactly one function. \
            Unused BARs are left out; WC says whether the kernel made a write-combining resourceN_wc file.

            Examples:
              pcimmio bars 00:02.0
              pcimmio bars 1af4:1041 --json
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Slot ([[domain:]bus:]dev.fn) or vendor:device.")
    var device: String

    @Flag(help: "Print the device as one JSON object.")
    var json = false

    func run() throws {
        let selector = try DeviceSelector(device)
        let tree = try global.settings.tree()
        let found = try tree.device(selector)
        reportWarnings(of: tree)
        print(json ? found.json.rendered() : found.barTable, terminator: json ? "\n" : "")
    }
}
