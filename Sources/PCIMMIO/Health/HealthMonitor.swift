/// Device health around a session's accesses, from config space only (never an extra BAR
/// read): before a device's first access, a warning for each reason its BAR cannot answer
/// (decoding off, D3hot, gone); before its first write, a warning when a kernel driver other
/// than vfio-pci or pci-stub owns it; for a read of all ones, a note saying what was checked;
/// with --check-errors, the error bits an access raised. Each warning once per device and
/// process. When all is well: nothing.
final class HealthMonitor {
    var checkErrors = false
    private var checked: [String: String?] = [:]
    private var driverWarned: Set<String> = []
    private var noted: Set<String> = []
    /// --check-errors: one reader per config space, so a script of many accesses walks each
    /// device's capability chains once, not at every snapshot.
    private var errorReaders: [ObjectIdentifier: ErrorStatusReader] = [:]

    static let harmlessWriteDrivers: Set<String> = ["vfio-pci", "pci-stub"]

    /// Warnings before the first access to the plan's device; returns the state for trace
    /// lines and JSON (nil when all is well, or when config space cannot be read).
    func beforeAccess(_ plan: AccessPlan, device: PCIDevice, config: () throws(PCIMMIOError) -> ConfigSpace) -> String? {
        guard !plan.location.isPhysical else { return nil }
        if plan.mode == .write, let driver = device.driver, !Self.harmlessWriteDrivers.contains(driver),
           driverWarned.insert(device.slot).inserted {
            printWarning("\(device.slot) is bound to \(driver): writing its registers behind the driver's back can confuse the driver or the device (pcimmio unbind \(device.slot), or bind it to vfio-pci)")
        }
        let key = device.slot + "/" + plan.bar.kind.rawValue
        if let known = checked[key] { return known }
        let health = try? DeviceHealth.read(config())
        let summary = health?.stateSummary(kind: plan.bar.kind)
        for problem in health?.problems(slot: device.slot, kind: plan.bar.kind) ?? [] { printWarning(problem) }
        checked[key] = summary
        return summary
    }

    /// What beforeAccess found for the plan's device.
    func state(_ plan: AccessPlan) -> String? {
        checked[plan.location.slot + "/" + plan.bar.kind.rawValue] ?? nil
    }

    /// A note when a read returned all ones: what config space says, once per device and BAR.
    func afterRead(_ plan: AccessPlan, offset: UInt64, value: UInt64, config: () throws(PCIMMIOError) -> ConfigSpace) {
        guard !plan.location.isPhysical, value == plan.width.mask,
              noted.insert(plan.location.slot + "/" + String(plan.location.bar)).inserted,
              let health = try? DeviceHealth.read(config()) else { return }
        printNote("\(plan.location.slot) BAR \(plan.location.bar) offset 0x\(String(offset, radix: 16)) read \(formatRegister(value, width: plan.width)): "
                  + health.explainAllOnes(slot: plan.location.slot, kind: plan.bar.kind))
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

/// One `pcimmio: note: …` line on stderr.
func printNote(_ message: String) {
    printDiagnostic("note: " + message)
}
