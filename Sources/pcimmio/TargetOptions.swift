import ArgumentParser
import PCIMMIO

/// DEVICE and BAR, the first two arguments of every register command, with the access options.
struct TargetOptions: ParsableArguments {
    @Argument(help: "Slot ([[domain:]bus:]dev.fn) or vendor:device matching exactly one function; or phys, then a physical address in place of BAR and OFFSET (through /dev/mem).")
    var device: String

    @Argument(help: "BAR: 0-5 or bar0-bar5; after phys, the physical address (the words after it move up one place).")
    var bar: String?

    @Option(name: [.customShort("w"), .long], help: ArgumentHelp("Access width in bits: 8, 16, 32 or 64 (default 32, or the named register's).", valueName: "bits"),
            completion: .list(["8", "16", "32", "64"]))
    var width: String?

    @Flag(help: "Use the write-combining resourceN_wc file (prefetchable memory BARs only).")
    var wc = false

    @Option(help: ArgumentHelp("Access path: sysfs (resourceN files), vfio (a device bound to vfio-pci) or devmem (/dev/mem at the BAR's address). Default: vfio for a device bound to vfio-pci, else sysfs.", valueName: "path"),
            completion: .list(["sysfs", "vfio", "devmem"]))
    var via: String?

    @Flag(help: "The registers are big-endian: values are byte-swapped between the register and you (each access stays one load or store of the width).")
    var bigEndian = false

    @Flag(help: "Read the device's error bits (STATUS, Express DevSta, AER) before and after, and fail naming any the access raised.")
    var checkErrors = false

    /// DEVICE BAR (or `phys`) and the command's other words, read by the command's syntax:
    /// the same reading a `run` line and the fast path get.
    func target(_ syntax: RegisterCommandSyntax, _ words: String?...) throws(PCIMMIOError) -> (RegisterTarget, [String]) {
        try target(syntax, words.compactMap { $0 })
    }

    func target(_ syntax: RegisterCommandSyntax, _ words: [String]) throws(PCIMMIOError) -> (RegisterTarget, [String]) {
        let (place, operands) = try syntax.target([device] + [bar].compactMap { $0 } + words)
        return (try RegisterTarget(place: place, width: width, writeCombining: wc, via: via, bigEndian: bigEndian), Array(operands))
    }

    /// The global settings with this command's --check-errors.
    func settings(_ global: GlobalOptions) -> Settings {
        var settings = global.settings
        settings.checkErrors = checkErrors
        return settings
    }
}
