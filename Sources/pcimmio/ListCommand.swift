import ArgumentParser
import PCIMMIO

struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List PCI functions with their names, driver and BARs.",
        discussion: """
            -s and -d take exactly lspci's syntax and are matched by libpci itself.

            Examples:
              pcimmio list
              pcimmio list -s 00:1f. -d 8086:
              pcimmio --sysfs /tmp/tree list --json
            """)

    @OptionGroup var global: GlobalOptions

    @Option(name: .customShort("s"), help: ArgumentHelp("Only functions in this slot: [[domain:]bus:][dev][.fn]", valueName: "slot"))
    var slot: String?

    @Option(name: .customShort("d"), help: ArgumentHelp("Only functions with these ids: [vendor]:[device][:class]", valueName: "id"))
    var id: String?

    @Flag(help: "Print one JSON array of devices.")
    var json = false

    func run() throws {
        var filters: [DeviceFilter] = []
        if let slot { filters.append(try DeviceFilter.slot(slot)) }
        if let id { filters.append(try DeviceFilter.id(id)) }
        let tree = try global.settings.tree()
        let devices = try tree.devices(matching: filters)
        reportWarnings(of: tree)
        if json {
            print(JSON.array(devices.map(\.json)).rendered())
        } else {
            for device in devices { print(device.listLine) }
        }
    }
}
