/// Device health around a session's accesses, from config space only (never an extra BAR
/// read): before a device's first access, a warning for each reason its BAR cannot answer
/// (decoding off, D3hot, gone); before its first write, a warning when a kernel driver other
/// than vfio-pci or pci-stub owns it; for a read of all ones, a note saying what was checked;
/// with --check-errors, the error bits an access raised. Each warning once per device and
/// process. When all is well: nothing.
final class HealthMonitor {
    var checkErrors = false
    private let diagnostics: Diagnostics
    private var checked: [String: String?] = [:]
    private var driverWarned: Set<String> = []
    private var noted: Set<String> = []
    /// --check-errors: one reader per config space, so a script of many accesses walks each
    /// device's capability chains once, not at every snapshot.
    private var errorReaders: [ObjectIdentifier: ErrorStatusReader] = [:]

    static let harmlessWriteDrivers: Set<String> = ["vfio-pci", "pci-stub"]

    init(diagnostics: Diagnostics) { self.diagnostics = diagnostics }

    /// Before the first write to a device's BARs or config space: a warning when a kernel
    /// driver other than vfio-pci or pci-stub owns it.
    func beforeWrite(_ device: PCIDevice) {
        if let driver = device.driver, !Self.harmlessWriteDrivers.contains(driver), driverWarned.insert(device.slot).inserted {
            diagnostics.warning("\(device.slot) is bound to \(driver): writing its registers behind the driver's back can confuse the driver or the device (pcimmio unbind \(device.slot), or bind it to vfio-pci)")
        }
    }

    /// Warnings before the first access to the plan's device; returns the state for trace
    /// lines and JSON (nil when all is well, or when config space cannot be read).
    func beforeAccess(_ plan: AccessPlan, bar: BAR, device: PCIDevice, config: () throws(PCIMMIOError) -> ConfigSpace) -> String? {
        if plan.mode == .write { beforeWrite(device) }
        let key = device.slot + "/" + bar.kind.rawValue
        if let known = checked[key] { return known }
        let health = try? DeviceHealth.read(config())
        let summary = health?.stateSummary(kind: bar.kind)
        for problem in health?.problems(slot: device.slot, kind: bar.kind) ?? [] { diagnostics.warning(problem) }
        checked[key] = summary
        return summary
    }

    /// What beforeAccess found for the plan's device.
    func state(_ plan: AccessPlan) -> String? {
        guard let bar = plan.bar else { return nil }
        return checked[plan.location.slot + "/" + bar.kind.rawValue] ?? nil
    }

    /// A note when a read returned all ones: what config space says, once per device and BAR.
    func afterRead(_ plan: AccessPlan, bar: BAR, offset: UInt64, value: UInt64, config: () throws(PCIMMIOError) -> ConfigSpace) {
        guard value == plan.width.mask, noted.insert(plan.location.slot + "/" + String(bar.index)).inserted,
              let health = try? DeviceHealth.read(config()) else { return }
        diagnostics.note("\(plan.location.describe(offset: offset)) read \(formatRegister(value, width: plan.width)): "
                         + health.explainAllOnes(slot: plan.location.slot, kind: bar.kind))
    }

    /// Runs `body`; with --check-errors, also returns the error naming the bits it raised
    /// (the caller prints what the access produced first, then fails with it).
    func checkingErrors<T>(_ what: String, slot: String?, config: () throws(PCIMMIOError) -> ConfigSpace?,
                           _ body: () throws(PCIMMIOError) -> T) throws(PCIMMIOError) -> (T, PCIMMIOError?) {
        guard checkErrors, let slot, let space = try config() else { return (try body(), nil) }
        let reader = errorReader(space)
        let before = try reader.read()
        let result = try body()
        let raised = try reader.read().raised(since: before)
        return (result, raised.isEmpty ? nil : .errorsRaised(slot: slot, operation: what, errors: raised))
    }

    /// The reader keeps its space, so no other object can take its identifier.
    private func errorReader(_ space: ConfigSpace) -> ErrorStatusReader {
        if let known = errorReaders[ObjectIdentifier(space)] { return known }
        let reader = ErrorStatusReader(space)
        errorReaders[ObjectIdentifier(space)] = reader
        return reader
    }
}
