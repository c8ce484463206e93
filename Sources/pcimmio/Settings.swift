import PCIMMIO

/// What the global options say, however they were parsed.
struct Settings {
    var sysfs: String?
    var trace: String?

    /// The sysfs tree, opened on first use.
    func tree() throws(PCIMMIOError) -> PCITree {
        try PCITree(root: PCITree.root(option: sysfs))
    }

    func traceLog() throws(PCIMMIOError) -> TraceLog? {
        try trace.map { (path) throws(PCIMMIOError) in try TraceLog(path: path) }
    }
}

/// DEVICE, BAR and the access options of a register command, as typed.
struct TargetSettings {
    var device: String
    var bar: String
    var width = "32"
    var wc = false

    /// Parses and resolves everything, then checks the access against the BAR: nothing is opened.
    /// `length`, when given, sizes the access in bytes from the BAR (a dump region).
    func plan(_ settings: Settings, offset: UInt64, count: Int = 1, mode: AccessPlan.Mode,
              length: ((BAR) -> UInt64)? = nil) throws(PCIMMIOError) -> AccessPlan {
        let selector = try DeviceSelector(device)
        let index = try BARNumber.parse(bar)
        let width = try Width(parsing: self.width)
        let device = try settings.tree().device(selector, names: false)
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
}
