import ArgumentParser
import PCIMMIO

struct CapsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "caps",
        abstract: "List a device's capabilities, standard and extended, in chain order, decoded.",
        discussion: """
            One line per capability: [OFFSET] name, version, id (ext 0xNNNN for extended ones), \
            then the decoded registers bring-up reads, in lspci -vvv's words: PCI Express \
            (port type, MaxPayload/MaxReadReq, DevSta errors, LnkCap/LnkSta speed and width), \
            Power Management (the D state), MSI and MSI-X (enable, vectors, table BAR and offset), \
            AER (status and mask), Resizable BAR (sizes offered and current). A broken chain \
            (a loop, a pointer into the header) is shown where it breaks and never followed. \
            Only config space is read.

            --json prints an array of objects with offset, id, extended, name, version (where \
            there is one) and the decoded fields; a broken link has `broken` instead. \
            --all lists every function (each after a line naming it; with --json an array of \
            {slot, capabilities}).

            Examples:
              pcimmio caps 00:03.0
              pcimmio caps 1b36:0010 --json
              pcimmio caps --all
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Slot ([[domain:]bus:]dev.fn) or vendor:device matching exactly one function.")
    var device: String?

    @Flag(help: "Every function of the tree, in address order.")
    var all = false

    @Flag(help: "Print JSON.")
    var json = false

    @OptionGroup var configPath: ConfigPathOption

    func validate() throws {
        guard (device == nil) == all else {
            throw ValidationError(all ? "give a DEVICE or --all, not both" : "missing DEVICE (or --all for every function)")
        }
    }

    func run() throws {
        if all {
            try listAll()
            return
        }
        let selector = try DeviceSelector(device!)
        let session = try global.settings.session()
        let config = try session.configSpace(selector, via: try configPath.parsed)
        let listing = try CapabilityListing(CachedConfigRegisters(config))
        print(json ? listing.json.rendered() : listing.text, terminator: json ? "\n" : "")
    }

    /// Every function's config file: --all never opens a device through VFIO (opening it
    /// resets it), so it reads through sysfs even for a device bound to vfio-pci.
    private func listAll() throws {
        let tree = try global.settings.tree()
        let session = try global.settings.session()
        var objects: [JSON] = []
        var text = ""
        for (index, device) in try tree.devices().enumerated() {
            let listing = try CapabilityListing(CachedConfigRegisters(session.configSpace(of: device, via: .sysfs)))
            if json {
                objects.append(.object([("slot", .string(device.slot)), ("capabilities", listing.json)]))
            } else {
                if index > 0 { text += "\n" }
                text += device.title + "\n" + listing.text
            }
        }
        reportWarnings(of: tree)
        print(json ? JSON.array(objects).rendered() : text, terminator: json ? "\n" : "")
    }
}
