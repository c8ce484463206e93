/// The devices a session has opened, each with the one back-end chosen for it (BackendChoice),
/// and what hangs off them: open windows (kept, so a script of many accesses maps each page
/// once), config spaces, health checks and the trace. Devices are found in the sysfs tree
/// (libpci, opened once and only for a selector that is not a full slot: a slot is read
/// from its own directory).
final class OpenDevices {
    let root: String
    let trace: TraceLog?
    let diagnostics: Diagnostics
    let health: HealthMonitor
    /// `run --via`: the path for lines that do not name one.
    let defaultVia: AccessVia?
    private let makeBackend: (AccessVia, PCIDevice) throws(PCIMMIOError) -> DeviceBackend
    private let lookUp: ((DeviceSelector) throws(PCIMMIOError) -> PCIDevice)?
    private var tree: PCITree?
    // Keyed by strings and searched in a short array: every new generic type instantiated
    // costs start-up time (README, "Performance").
    private var devices: [String: PCIDevice] = [:]
    private var devicesBySlot: [String: PCIDevice] = [:]
    /// One per device and path; a session opens a handful.
    private var backends: [(slot: String, via: AccessVia, backend: DeviceBackend)] = []
    private var physical: DevMemBackend?
    private var windows: [WindowKey: [RegisterWindow]] = [:]

    private struct WindowKey: Hashable {
        let backend: ObjectIdentifier
        let bar: Int?
        let path: String
        let writable: Bool
    }

    /// `backend` and `lookUp` replace the real ones in tests (a back-end in memory, devices made up).
    init(root: String, trace: TraceLog?, diagnostics: Diagnostics, defaultVia: AccessVia?,
         backend: ((AccessVia, PCIDevice) -> DeviceBackend)? = nil,
         lookUp: ((DeviceSelector) throws(PCIMMIOError) -> PCIDevice)? = nil) {
        self.root = root
        self.trace = trace
        self.diagnostics = diagnostics
        self.health = HealthMonitor(diagnostics: diagnostics)
        self.defaultVia = defaultVia
        self.lookUp = lookUp
        if let backend {
            self.makeBackend = { (via: AccessVia, device: PCIDevice) throws(PCIMMIOError) -> DeviceBackend in backend(via, device) }
        } else {
            self.makeBackend = { (via: AccessVia, device: PCIDevice) throws(PCIMMIOError) -> DeviceBackend in
                try BackendChoice.backend(via, for: device, root: root, diagnostics: diagnostics)
            }
        }
    }

    /// The device a selector names, resolved once per session.
    func device(_ selector: DeviceSelector) throws(PCIMMIOError) -> PCIDevice {
        if let known = devices[selector.text] { return known }
        let found: PCIDevice
        if let lookUp {
            found = try lookUp(selector)
        } else if case let .slot(slot) = selector.kind, let direct = try SysfsDeviceReader(root: root).device(slot, text: selector.text) {
            found = direct
        } else {
            if tree == nil { tree = try PCITree(root: root) }
            found = try tree!.device(selector, names: false)
        }
        devices[selector.text] = found
        devicesBySlot[found.slot] = found
        return found
    }

    /// The device's back-end for what `--via` asked (nil: the session's default, else the
    /// choice made by BackendChoice), created once.
    func backend(for device: PCIDevice, asked: AccessVia?) throws(PCIMMIOError) -> DeviceBackend {
        let via = try BackendChoice.via(asked: asked ?? defaultVia, for: device)
        if let open = backends.first(where: { $0.slot == device.slot && $0.via == via }) { return open.backend }
        let made = try makeBackend(via, device)
        backends.append((device.slot, via, made))
        return made
    }

    /// /dev/mem for `phys`.
    func physicalBackend() throws(PCIMMIOError) -> DeviceBackend {
        if let physical { return physical }
        try MachineDeviceFiles.checkDevMem(root: root, for: "phys")
        let made = DevMemBackend(device: nil, directory: nil, diagnostics: diagnostics)
        physical = made
        return made
    }

    /// The device's config space as commands use it: through its back-end (`via` nil: the
    /// choice), every read and write traced like a BAR access, writes checked like pokes.
    func configSpace(_ device: PCIDevice, via: AccessVia?) throws(PCIMMIOError) -> ConfigSpace {
        if via == .devmem { throw .usage("config space is not reached through /dev/mem here: use --via sysfs or vfio") }
        let space = try backend(for: device, asked: via).configSpace()
        return CommandConfigSpace(space, device: device, health: health, trace: trace)
    }

    /// What the health checks read: the config space of the back-end the access goes through,
    /// untraced (pcimmio's own look, not an access the user asked for).
    private func healthConfig(_ plan: AccessPlan) throws(PCIMMIOError) -> ConfigSpace {
        try plan.backend.configSpace()
    }

    /// An open window covering the plan: reused when one already does, else opened (and kept).
    /// The first window on a BAR maps only the pages the access needs; when a session needs
    /// another place in the same BAR, the whole BAR is mapped once instead, so a script walking
    /// a BAR does not pile up one mapping per page.
    func window(for plan: AccessPlan) throws(PCIMMIOError) -> RegisterWindow {
        let wanted = plan.region
        let covers = { (window: RegisterWindow) in
            window.region.lowerBound <= wanted.lowerBound && wanted.upperBound <= window.region.upperBound
        }
        // A writable window serves reads as well.
        for writable in plan.mode == .write ? [true] : [false, true] {
            if let open = windows[key(plan, writable: writable)]?.first(where: covers) { return open }
        }
        let key = key(plan, writable: plan.mode == .write)
        let state = plan.bar.flatMap { bar in
            devicesBySlot[plan.location.slot].flatMap { device in
                health.beforeAccess(plan, bar: bar, device: device) { () throws(PCIMMIOError) in try healthConfig(plan) }
            }
        }
        let window = try plan.open(trace: trace, wholeBAR: windows[key] != nil, state: state)
        windows[key, default: []].append(window)
        return window
    }

    /// The note for a read of all ones (see HealthMonitor).
    func noteIfAllOnes(_ plan: AccessPlan, offset: UInt64, value: UInt64) {
        guard value == plan.width.mask, let bar = plan.bar else { return }
        health.afterRead(plan, bar: bar, offset: offset, value: value) { () throws(PCIMMIOError) in try healthConfig(plan) }
    }

    /// `body`, with --check-errors around it for the plan's device: returns what it raised.
    func checkingErrors<T>(_ what: String, _ plan: AccessPlan, _ body: () throws(PCIMMIOError) -> T) throws(PCIMMIOError) -> (T, PCIMMIOError?) {
        guard health.checkErrors, plan.bar != nil else { return (try body(), nil) }
        return try health.checkingErrors(what, slot: plan.location.slot, config: { () throws(PCIMMIOError) -> ConfigSpace? in
            try healthConfig(plan)
        }, body)
    }

    private func key(_ plan: AccessPlan, writable: Bool) -> WindowKey {
        WindowKey(backend: ObjectIdentifier(plan.backend), bar: plan.location.barIndex, path: plan.path, writable: writable)
    }
}
