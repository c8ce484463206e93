/// Everything register commands share: the sysfs tree (opened once), resolved devices, open
/// windows (kept, so a script of many accesses maps each page once), the trace log and the
/// output. A one-shot command uses a session for one access; `run` uses one for a script.
public final class RegisterSession {
    public let root: String
    public let output: OutputSink
    private let trace: TraceLog?
    private var tree: PCITree?
    private var devices: [String: PCIDevice] = [:]
    private var windows: [WindowKey: [RegisterWindow]] = [:]

    private struct WindowKey: Hashable {
        let path: String
        let writable: Bool
    }

    public init(root: String, trace: TraceLog? = nil, output: OutputSink = .standardOutput()) {
        self.root = root
        self.trace = trace
        self.output = output
    }

    /// The device a selector names, resolved once per session.
    public func device(_ selector: DeviceSelector) throws(PCIMMIOError) -> PCIDevice {
        if let known = devices[selector.text] { return known }
        if tree == nil { tree = try PCITree(root: root) }
        let found = try tree!.device(selector, names: false)
        devices[selector.text] = found
        return found
    }

    /// `count` registers of the target's width from `offset`, checked against the BAR.
    public func plan(_ target: RegisterTarget, offset: UInt64, count: Int = 1, mode: AccessPlan.Mode) throws(PCIMMIOError) -> AccessPlan {
        try AccessPlan(device: device(target.device), bar: target.bar, offset: offset, width: target.width,
                       count: count, mode: mode, writeCombining: target.writeCombining)
    }

    /// A dump region, sized from the BAR when only its start was given.
    public func plan(_ target: RegisterTarget, region: Region) throws(PCIMMIOError) -> AccessPlan {
        let device = try device(target.device)
        let bytes = region.length(barSize: device.bar(target.bar)?.size ?? Region.defaultSize)
        guard bytes % UInt64(target.width.bytes) == 0 else {
            throw .invalidArgument("region size \(bytes) is not a multiple of the \(target.width.bits)-bit width (\(target.width.bytes) bytes)")
        }
        return try AccessPlan(device: device, bar: target.bar, offset: region.start, width: target.width,
                              count: Int(clamping: bytes / UInt64(target.width.bytes)), mode: .read,
                              writeCombining: target.writeCombining)
    }

    /// An open window covering the plan: reused when one already does, else opened (and kept).
    public func window(for plan: AccessPlan) throws(PCIMMIOError) -> RegisterWindow {
        let wanted = plan.region
        let covers = { (window: RegisterWindow) in
            window.region.lowerBound <= wanted.lowerBound && wanted.upperBound <= window.region.upperBound
        }
        // A writable window serves reads as well.
        for writable in plan.mode == .write ? [true] : [false, true] {
            if let open = windows[WindowKey(path: plan.path, writable: writable)]?.first(where: covers) { return open }
        }
        let window = try plan.open(trace: trace)
        windows[WindowKey(path: plan.path, writable: plan.mode == .write), default: []].append(window)
        return window
    }

    /// Unmaps and closes every window now rather than at the end of the session.
    public func closeWindows() { windows.removeAll() }

    // MARK: Operations, shared by the commands and by `run`.

    public func peek(_ target: RegisterTarget, offset: UInt64, count: Int = 1, json: Bool = false) throws(PCIMMIOError) {
        let plan = try plan(target, offset: offset, count: count, mode: .read)
        let values = try window(for: plan).read(plan.width, at: plan.offset, count: plan.count)
        if json {
            let registers = values.enumerated().map { index, value in
                JSON.object([
                    ("offset", .number(plan.offset + UInt64(index * plan.width.bytes))),
                    ("value", .number(value)),
                    ("hex", .string(formatRegister(value, width: plan.width))),
                ])
            }
            try output.write(JSON.object([
                ("device", .string(plan.location.slot)), ("bar", .number(UInt64(plan.location.bar))),
                ("width", .number(UInt64(plan.width.bits))), ("registers", .array(registers)),
            ]).rendered() + "\n")
        } else {
            for value in values { try output.write(formatRegister(value, width: plan.width) + "\n") }
        }
    }

    /// With `dryRun`, prints the write and opens nothing for writing (and reads nothing).
    public func poke(_ target: RegisterTarget, offset: UInt64, _ poke: Poke, dryRun: Bool = false) throws(PCIMMIOError) {
        let plan = try plan(target, offset: offset, mode: dryRun ? .read : .write)
        if dryRun {
            try output.write(poke.describe(plan.location, offset: plan.offset) + "\n")
            return
        }
        try poke.apply(to: window(for: plan), at: plan.offset)
    }

    public func dump(_ target: RegisterTarget, region: Region, format: DumpFormat, to sink: OutputSink? = nil) throws(PCIMMIOError) {
        let plan = try plan(target, region: region)
        try format.write(RegionReader(window: window(for: plan), width: plan.width, region: plan.region),
                         plan: plan, to: sink ?? output)
    }

    /// Polls until the condition holds; prints and returns the final value.
    @discardableResult
    public func wait(_ target: RegisterTarget, offset: UInt64, condition: WaitCondition,
                     timeout: UInt64, interval: UInt64) throws(PCIMMIOError) -> UInt64 {
        let plan = try plan(target, offset: offset, mode: .read)
        try output.flush()
        let value = try condition.wait(on: window(for: plan), at: plan.offset, location: plan.location,
                                       timeout: timeout, interval: interval)
        try output.write(formatRegister(value, width: plan.width) + "\n")
        return value
    }
}
