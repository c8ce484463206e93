import ArgumentParser
import PCIMMIO

/// Options every command takes; they may also come before the command name.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Directory that stands for /sys/bus/pci (like lspci -O sysfs.path=DIR). Default: $PCIMMIO_SYSFS, else /sys/bus/pci.",
        valueName: "dir"))
    var sysfs: String?

    @Option(name: .long, help: ArgumentHelp(
        "Append one JSON line per device access (operation, device, BAR, offset, width, value) to FILE; '-' is stderr.",
        valueName: "file"))
    var trace: String?

    /// The sysfs tree, opened on first use.
    func tree() throws(PCIMMIOError) -> PCITree {
        try PCITree(root: PCITree.root(option: sysfs))
    }

    func traceLog() throws(PCIMMIOError) -> TraceLog? {
        try trace.map { (path) throws(PCIMMIOError) in try TraceLog(path: path) }
    }

    static let namesWithValues: Set<String> = ["--sysfs", "--trace"]
}

/// DEVICE and BAR, the first two arguments of every register command, with the access options.
struct RegisterTarget: ParsableArguments {
    @Argument(help: "Slot ([[domain:]bus:]dev.fn) or vendor:device matching exactly one function.")
    var device: String

    @Argument(help: "BAR: 0-5 or bar0-bar5.")
    var bar: String

    @Option(name: [.customShort("w"), .long], help: ArgumentHelp("Access width in bits: 8, 16, 32 or 64.", valueName: "bits"))
    var width: String = "32"

    @Flag(help: "Use the write-combining resourceN_wc file (prefetchable memory BARs only).")
    var wc = false

    /// Parses and resolves everything, then checks the access against the BAR: nothing is opened.
    func plan(_ global: GlobalOptions, offset: UInt64, count: Int = 1, mode: AccessPlan.Mode,
              length: ((BAR) -> UInt64)? = nil) throws(PCIMMIOError) -> AccessPlan {
        let selector = try DeviceSelector(device)
        let index = try BARNumber.parse(bar)
        let width = try Width(parsing: self.width)
        let device = try global.tree().device(selector, names: false)
        var count = count
        if let length, let bar = device.bar(index) {
            let bytes = length(bar)
            guard bytes % UInt64(width.bytes) == 0 else {
                throw .invalidArgument("region size \(bytes) is not a multiple of the \(width.bits)-bit width (\(width.bytes) bytes)")
            }
            count = Int(clamping: bytes / UInt64(width.bytes))
        }
        return try AccessPlan(device: device, bar: index, offset: offset, width: width, count: count,
                              mode: mode, writeCombining: wc)
    }

    var parsedWidth: Width { get throws(PCIMMIOError) { try Width(parsing: width) } }
}
