/// What register commands share: the open devices (each with its one back-end), the resolver
/// of register names and the deferred --check-errors failure. Its operations return values
/// (ReadoutFormat turns them into text); the tool, or a script runner, prints. A one-shot
/// command uses a session for one access; `run` for a whole script.
public final class RegisterSession {
    let devices: OpenDevices
    let resolver: RegisterResolver
    private var pendingRaised: PCIMMIOError?

    public var root: String { devices.root }
    public var maps: MapCatalog { resolver.maps }
    var trace: TraceLog? { devices.trace }

    /// `--check-errors`: each peek, poke, dump and wait fails naming the error bits it raised.
    public var checkErrors: Bool {
        get { devices.health.checkErrors }
        set { devices.health.checkErrors = newValue }
    }

    public convenience init(root: String, trace: TraceLog? = nil, maps: MapCatalog = MapCatalog(explicit: nil),
                            via: AccessVia? = nil, diagnostics: Diagnostics = .standardError()) {
        self.init(devices: OpenDevices(root: root, trace: trace, diagnostics: diagnostics, defaultVia: via), maps: maps)
    }

    /// With devices opened elsewhere (tests give a back-end in memory).
    init(devices: OpenDevices, maps: MapCatalog) {
        self.devices = devices
        self.resolver = RegisterResolver(maps: maps, devices: devices)
    }

    /// The device a selector names, resolved once per session.
    public func device(_ selector: DeviceSelector) throws(PCIMMIOError) -> PCIDevice {
        try devices.device(selector)
    }

    /// The device's config space for the config commands: through its back-end (VFIO for a
    /// device bound to vfio-pci, else its sysfs config file; `via` forces one), traced and
    /// checked like BAR accesses.
    public func configSpace(_ selector: DeviceSelector, via: AccessVia? = nil) throws(PCIMMIOError) -> ConfigSpace {
        try devices.configSpace(device(selector), via: via)
    }

    /// The config space of a device found by listing the tree (`caps --all`).
    public func configSpace(of device: PCIDevice, via: AccessVia? = nil) throws(PCIMMIOError) -> ConfigSpace {
        try devices.configSpace(device, via: via)
    }

    /// The device's register map; an error when there is none.
    public func map(for target: RegisterTarget) throws(PCIMMIOError) -> RegisterMap {
        try resolver.map(for: target)
    }

    /// An offset, or a register of the device's map with its own width (-w must agree).
    public func resolve(_ target: RegisterTarget, _ reference: RegisterReference) throws(PCIMMIOError) -> ResolvedRegister {
        try resolver.resolve(target, reference, map: resolver.mapInUse(for: target, decoding: false))
    }

    /// `count` registers of `width` from `offset`, checked against the BAR and the back-end.
    public func plan(_ target: RegisterTarget, _ register: ResolvedRegister, count: Int = 1,
                     mode: AccessPlan.Mode) throws(PCIMMIOError) -> AccessPlan {
        try plan(target, offset: register.offset, width: register.width, count: count, mode: mode)
    }

    /// A dump (or fill) region, sized from the BAR when only its start was given.
    public func plan(_ target: RegisterTarget, region: Region, mode: AccessPlan.Mode = .read) throws(PCIMMIOError) -> AccessPlan {
        var barSize = Region.defaultSize
        if case let .bar(selector, index) = target.place, let bar = try device(selector).bar(index) { barSize = bar.size }
        let bytes = region.length(barSize: barSize)
        guard bytes % UInt64(target.width.bytes) == 0 else {
            throw .usage("region size \(bytes) is not a multiple of the \(target.width.bits)-bit width (\(target.width.bytes) bytes)")
        }
        return try plan(target, offset: region.start, width: target.width, count: Int(clamping: bytes / UInt64(target.width.bytes)), mode: mode)
    }

    private func plan(_ target: RegisterTarget, offset: UInt64, width: Width, count: Int, mode: AccessPlan.Mode) throws(PCIMMIOError) -> AccessPlan {
        switch target.place {
        case .physical:
            return try AccessPlan(physicalAddress: offset, width: width, count: count, mode: mode, backend: devices.physicalBackend())
        case let .bar(selector, index):
            let device = try device(selector)
            return try AccessPlan(device: device, bar: index, offset: offset, width: width, count: count, mode: mode,
                                  writeCombining: target.writeCombining, backend: devices.backend(for: device, asked: target.via))
        }
    }

    /// An open window covering the plan (see OpenDevices.window).
    public func window(for plan: AccessPlan) throws(PCIMMIOError) -> RegisterWindow {
        try devices.window(for: plan)
    }

    /// The window values go through: byte-swapped when `bigEndian` (RegisterResolver.bigEndian).
    func window(for plan: AccessPlan, bigEndian: Bool) throws(PCIMMIOError) -> RegisterWindow {
        let window = try devices.window(for: plan)
        return bigEndian ? ByteSwappedWindow(window) : window
    }

    /// With --trace-summary: `body` (a whole transfer) leaves one line instead of one per register.
    func summarizingTrace<T>(_ operation: String, _ plan: AccessPlan, _ body: () throws(PCIMMIOError) -> T) throws(PCIMMIOError) -> T {
        guard let trace, trace.summary else { return try body() }
        trace.summarizing = true
        defer { trace.summarizing = false }
        let result = try body()
        trace.recordSummary(operation, plan.location, via: plan.via, offset: plan.offset, width: plan.width, count: plan.count)
        return result
    }

    /// The note for a read of all ones (see HealthMonitor).
    func noteIfAllOnes(_ plan: AccessPlan, offset: UInt64, value: UInt64) {
        devices.noteIfAllOnes(plan, offset: offset, value: value)
    }

    /// The device state health found before its first access (nil: all well, or unknown).
    func healthState(_ plan: AccessPlan) -> String? { devices.health.state(plan) }

    /// `body`, with --check-errors around it for the plan's device. Errors it raised are
    /// kept for `throwRaisedErrors`, so the access's output is printed first.
    @discardableResult
    func checkingErrors<T>(_ what: String, _ plan: AccessPlan, _ body: () throws(PCIMMIOError) -> T) throws(PCIMMIOError) -> T {
        let (result, raised) = try devices.checkingErrors(what, plan, body)
        if let raised, pendingRaised == nil { pendingRaised = raised }
        return result
    }

    /// Fails with what the last checked access raised (after its output was written).
    public func throwRaisedErrors() throws(PCIMMIOError) {
        guard let raised = pendingRaised else { return }
        pendingRaised = nil
        throw raised
    }
}
