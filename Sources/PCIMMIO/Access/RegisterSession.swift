/// Everything register commands share: the sysfs tree (libpci, opened once and only for a
/// selector that is not a full slot: a slot is read from its own directory), resolved devices, register
/// maps, open windows (kept, so a script of many accesses maps each page once), the trace log
/// and the output. A one-shot command uses a session for one access; `run` for a whole script.
public final class RegisterSession {
    public let root: String
    public let output: OutputSink
    public let maps: MapCatalog
    private let trace: TraceLog?
    /// `run --via`: the path for lines that do not name one.
    private let defaultVia: AccessVia?
    private var tree: PCITree?
    private var devices: [String: PCIDevice] = [:]
    private var devicesBySlot: [String: PCIDevice] = [:]
    let health = HealthMonitor()
    private var accessConfigSpaces: [String: ConfigSpace] = [:]
    private var pendingRaised: PCIMMIOError?

    /// `--check-errors`: each peek, poke, dump and wait fails naming the error bits it raised.
    public var checkErrors: Bool {
        get { health.checkErrors }
        set { health.checkErrors = newValue }
    }
    private var windows: [WindowKey: [RegisterWindow]] = [:]
    private let paths = AccessPaths()

    private struct WindowKey: Hashable {
        let slot: String
        let bar: Int
        let path: String
        let writable: Bool
    }

    public init(root: String, trace: TraceLog? = nil, output: OutputSink = .standardOutput(),
                maps: MapCatalog = MapCatalog(explicit: nil), via: AccessVia? = nil) {
        self.root = root
        self.defaultVia = via
        self.trace = trace
        self.output = output
        self.maps = maps
    }

    /// The device a selector names, resolved once per session.
    public func device(_ selector: DeviceSelector) throws(PCIMMIOError) -> PCIDevice {
        if let known = devices[selector.text] { return known }
        if selector.isPhysical { return .physicalMemory }
        let found: PCIDevice
        if case let .slot(slot) = selector.kind, let direct = try SysfsDeviceReader(root: root).device(slot, text: selector.text) {
            found = direct
        } else {
            if tree == nil { tree = try PCITree(root: root) }
            found = try tree!.device(selector, names: false)
        }
        devices[selector.text] = found
        devicesBySlot[found.slot] = found
        return found
    }

    /// The device's config space: through VFIO for a device bound to vfio-pci (sysfs config
    /// writes are refused under lockdown), else through its sysfs config file; `via` forces one.
    public func configSpace(_ selector: DeviceSelector, via: AccessVia? = nil) throws(PCIMMIOError) -> ConfigSpace {
        try configSpace(of: device(selector), via: via)
    }

    func configSpace(of device: PCIDevice, via: AccessVia? = nil) throws(PCIMMIOError) -> ConfigSpace {
        guard !device.isPhysicalMemory else { throw .invalidArgument("phys has no config space: name a PCI device") }
        let chosen = via ?? defaultVia ?? (device.driver == VFIOPath.driverName ? .vfio : .sysfs)
        switch chosen {
        case .vfio:
            guard device.driver == VFIOPath.driverName else {
                throw .invalidArgument("--via vfio: \(device.slot) is bound to \(device.driver ?? "no driver"), not vfio-pci (bind it first: pcimmio bind \(device.slot) vfio-pci)")
            }
            return try VFIOConfigSpace(device: paths.vfioPath.device(device.slot, directory: device.sysfsDirectory(root: root)))
        case .sysfs:
            return SysfsConfigSpace(slot: device.slot, directory: device.sysfsDirectory(root: root))
        case .devmem:
            throw .invalidArgument("config space is not reached through /dev/mem here: use --via sysfs or vfio")
        }
    }

    /// The config space the health checks and --check-errors read around an access through
    /// `via`: VFIO's config region for a VFIO access, else the sysfs config file (for sysfs and /dev/mem
    /// alike). Opened once per device.
    func accessConfigSpace(_ device: PCIDevice, via: AccessVia?) throws(PCIMMIOError) -> ConfigSpace {
        let throughVFIO = via == .vfio || (via == nil && device.driver == VFIOPath.driverName)
        let key = device.slot + (throughVFIO ? "/vfio" : "/sysfs")
        if let open = accessConfigSpaces[key] { return open }
        let space = try configSpace(of: device, via: throughVFIO ? .vfio : .sysfs)
        accessConfigSpaces[key] = space
        return space
    }

    /// The device's register map; an error when there is none.
    public func map(for target: RegisterTarget) throws(PCIMMIOError) -> RegisterMap {
        if target.device.isPhysical, let map = try maps.explicitMap() { return map }
        let device = try device(target.device)
        guard let map = try maps.map(for: device) else {
            throw .invalidArgument("no register map for \(device.address) [\(hex(device.vendorID, digits: 4)):\(hex(device.deviceID, digits: 4))]: give --map FILE, or put a map listing it in the directory named by PCIMMIO_MAPS")
        }
        return map
    }

    /// An offset, or a register of the device's map with its own width (-w must agree).
    public func resolve(_ target: RegisterTarget, _ reference: RegisterReference) throws(PCIMMIOError) -> ResolvedRegister {
        switch reference {
        case let .offset(offset):
            return ResolvedRegister(offset: offset, width: target.width, definition: nil)
        case let .named(name):
            // phys: a register of --map's BARs that have a base address is at base + offset.
            if target.device.isPhysical { return try resolvePhysical(target, name) }
            let map = try map(for: target)
            guard let register = map.register(named: name, bar: target.bar) else {
                throw FieldUpdate.unknownRegister(name, map: map, bar: target.bar)
            }
            if let width = target.explicitWidth, width != register.width {
                throw .invalidArgument("\(name) is a \(register.width.bits)-bit register; drop -w \(width.bits) or use -w \(register.width.bits)")
            }
            return ResolvedRegister(offset: register.offset, width: register.width, definition: register)
        }
    }

    /// The map BAR field assignments name their register in: the target's, or for `phys` the
    /// BAR (peripheral) whose base holds the register.
    private func fieldBAR(_ target: RegisterTarget, _ assignments: [FieldAssignment]) throws(PCIMMIOError) -> Int {
        guard target.device.isPhysical, let first = assignments.first else { return target.bar }
        return try resolvePhysical(target, first.register).definition!.bar
    }

    /// A register name under `phys`: found in the --map map among the BARs with a base.
    private func resolvePhysical(_ target: RegisterTarget, _ name: String) throws(PCIMMIOError) -> ResolvedRegister {
        guard let map = try maps.explicitMap() else { throw .malformedNumber(what: "physical address", text: name) }
        let candidates = map.bases.keys.sorted().compactMap { bar in map.register(named: name, bar: bar).map { (bar, $0) } }
        guard let (bar, register) = candidates.first else {
            throw .invalidArgument("phys \(name): \(map.file) has no register \(name) in a BAR with a base address (\"base\", from an SVD peripheral's baseAddress)")
        }
        guard candidates.count == 1 else {
            throw .invalidArgument("phys \(name): \(name) is in several peripherals of \(map.file) (BARs \(candidates.map { String($0.0) }.joined(separator: ", ")))")
        }
        if let width = target.explicitWidth, width != register.width {
            throw .invalidArgument("\(name) is a \(register.width.bits)-bit register; drop -w \(width.bits) or use -w \(register.width.bits)")
        }
        let (address, overflow) = map.bases[bar]!.addingReportingOverflow(register.offset)
        guard !overflow else { throw .invalidArgument("phys \(name): base + offset is past the end of the address space") }
        return ResolvedRegister(offset: address, width: register.width, definition: register)
    }

    /// Where a poke writes and the checked write itself.
    public func resolve(_ target: RegisterTarget, _ request: PokeRequest, verify: Bool) throws(PCIMMIOError) -> (ResolvedRegister, Poke) {
        let register: ResolvedRegister
        let poke: Poke
        switch request {
        case let .value(reference, value, mask):
            register = try resolve(target, reference)
            poke = try Poke(width: register.width, value: value, mask: mask, verify: verify)
        case let .fields(assignments):
            let update = try FieldUpdate(assignments, in: map(for: target), bar: fieldBAR(target, assignments), forWriting: true)
            register = try resolve(target, .named(update.register.name))
            poke = try Poke(width: register.width, value: update.value, mask: update.mask, verify: verify)
        case let .values(reference, values):
            // Checked like single pokes; written together by pokeValues.
            register = try resolve(target, reference)
            for value in values { _ = try Poke(width: register.width, value: value) }
            poke = try Poke(width: register.width, value: values[0], verify: verify)
        }
        if let definition = register.definition {
            let access = definition.access
            guard access.writable else {
                throw .invalidArgument("\(definition.name) is \(access.rawValue): it cannot be written")
            }
            // Reading a wo register returns junk that would be written back; reading an rc
            // register clears what it reports.
            if poke.readsFirst && (!access.readable || access.readHasSideEffects) {
                throw .invalidArgument("\(definition.name) is \(access.rawValue): a read-modify-write would read it; write the whole register (\(definition.name) VALUE) instead")
            }
            if verify && (!access.readable || access.readHasSideEffects) {
                throw .invalidArgument("\(definition.name) is \(access.rawValue): --verify would read it back")
            }
        }
        return (register, poke)
    }

    public func resolve(_ target: RegisterTarget, _ request: WaitRequest) throws(PCIMMIOError) -> (ResolvedRegister, WaitCondition) {
        switch request {
        case let .masked(reference, mask, value):
            let register = try resolve(target, reference)
            return (register, try WaitCondition(width: register.width, mask: mask, value: value))
        case let .fields(assignments):
            let update = try FieldUpdate(assignments, in: map(for: target), bar: fieldBAR(target, assignments), forWriting: false)
            let register = try resolve(target, .named(update.register.name))
            return (register, try WaitCondition(width: register.width, mask: update.mask, value: update.value))
        }
    }

    /// `count` registers of `width` from `offset`, checked against the BAR.
    public func plan(_ target: RegisterTarget, _ register: ResolvedRegister, count: Int = 1,
                     mode: AccessPlan.Mode) throws(PCIMMIOError) -> AccessPlan {
        try AccessPlan(device: device(target.device), bar: target.bar, offset: register.offset, width: register.width,
                       count: count, mode: mode, writeCombining: target.writeCombining, via: target.via ?? defaultVia)
    }

    /// A dump (or fill) region, sized from the BAR when only its start was given.
    public func plan(_ target: RegisterTarget, region: Region, mode: AccessPlan.Mode = .read) throws(PCIMMIOError) -> AccessPlan {
        let device = try device(target.device)
        let bytes = region.length(barSize: device.bar(target.bar)?.size ?? Region.defaultSize)
        guard bytes % UInt64(target.width.bytes) == 0 else {
            throw .invalidArgument("region size \(bytes) is not a multiple of the \(target.width.bits)-bit width (\(target.width.bytes) bytes)")
        }
        return try AccessPlan(device: device, bar: target.bar, offset: region.start, width: target.width,
                              count: Int(clamping: bytes / UInt64(target.width.bytes)), mode: mode,
                              writeCombining: target.writeCombining, via: target.via ?? defaultVia)
    }

    /// An open window covering the plan: reused when one already does, else opened (and kept).
    /// The first window on a BAR maps only the pages the access needs; when a session needs
    /// another place in the same BAR, the whole BAR is mapped once instead, so a script walking
    /// a BAR does not pile up one mapping per page.
    public func window(for plan: AccessPlan) throws(PCIMMIOError) -> RegisterWindow {
        let wanted = plan.region
        let covers = { (window: RegisterWindow) in
            window.region.lowerBound <= wanted.lowerBound && wanted.upperBound <= window.region.upperBound
        }
        // A writable window serves reads as well.
        for writable in plan.mode == .write ? [true] : [false, true] {
            if let open = windows[key(plan, writable: writable)]?.first(where: covers) { return open }
        }
        let key = key(plan, writable: plan.mode == .write)
        let state = devicesBySlot[plan.location.slot].flatMap { device in
            health.beforeAccess(plan, device: device) { () throws(PCIMMIOError) in try accessConfigSpace(device, via: plan.via) }
        }
        let window = try plan.open(through: paths, trace: trace, wholeBAR: windows[key] != nil, state: state)
        windows[key, default: []].append(window)
        return window
    }

    /// The window for `target`'s values: byte-swapped with --big-endian, or for a register its
    /// map says is big-endian.
    func window(for plan: AccessPlan, _ target: RegisterTarget, _ register: ResolvedRegister? = nil) throws(PCIMMIOError) -> RegisterWindow {
        let window = try window(for: plan)
        return target.bigEndian || register?.definition?.bigEndian == true ? ByteSwappedWindow(window) : window
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
        guard value == plan.width.mask, let device = devicesBySlot[plan.location.slot] else { return }
        health.afterRead(plan, offset: offset, value: value) { () throws(PCIMMIOError) in try accessConfigSpace(device, via: plan.via) }
    }

    /// The device state health found before its first access (nil: all well, or unknown).
    func healthState(_ plan: AccessPlan) -> String? { health.state(plan) }

    /// `body`, with --check-errors around it for the target's device. Errors it raised are
    /// kept for `throwRaisedErrors`, so the access's output is printed first.
    @discardableResult
    func checkingErrors<T>(_ what: String, _ target: RegisterTarget, _ body: () throws(PCIMMIOError) -> T) throws(PCIMMIOError) -> T {
        guard health.checkErrors, !target.device.isPhysical else { return try body() }
        let device = try device(target.device)
        let (result, raised) = try health.checkingErrors(what, slot: device.slot, config: { () throws(PCIMMIOError) -> ConfigSpace? in
            try accessConfigSpace(device, via: target.via ?? defaultVia)
        }, body)
        if let raised, pendingRaised == nil { pendingRaised = raised }
        return result
    }

    /// Fails with what the last checked access raised (after its output was written).
    public func throwRaisedErrors() throws(PCIMMIOError) {
        guard let raised = pendingRaised else { return }
        pendingRaised = nil
        throw raised
    }

    private func key(_ plan: AccessPlan, writable: Bool) -> WindowKey {
        WindowKey(slot: plan.location.slot, bar: plan.location.bar, path: plan.path, writable: writable)
    }
}
