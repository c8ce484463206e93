/// Binding a function to a driver the way driverctl and dpdk-devbind do: set
/// `driver_override`, unbind from the current driver, then ask the bus to probe, so exactly
/// the named driver takes the device. Planned as a list of sysfs writes first (what
/// `--dry-run` prints and the tests compare), then written in order.
public struct DriverBinding: Sendable, Equatable {
    public let slot: String
    /// The driver bound now (nil: none).
    public let current: String?
    /// The driver wanted (nil: none, for unbind).
    public let wanted: String?
    public let writes: [SysfsWrite]
    /// The device's sysfs directory.
    public let directory: String
    /// `driver_override` before (nil: none), restored by `rollBack`.
    public let previousOverride: String?
    /// The bus's drivers_probe file.
    let probe: String
    /// `unbind --reprobe`: whichever driver the kernel chooses is the result.
    public let reprobe: Bool

    /// `pcimmio bind`: refuses when the driver is not loaded and, for vfio-pci, when the
    /// device has no IOMMU group or another device of its group uses a host driver (binding
    /// would leave the group unusable and those devices' drivers in the way).
    /// `force` binds away a device that serves a mounted disk or an up interface (DeviceUsers).
    public static func bind(_ device: PCIDevice, to driver: String, root: String, force: Bool = false) throws(PCIMMIOError) -> DriverBinding {
        let slot = device.slot
        guard !driver.isEmpty, driver.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
            throw .usage("'\(driver)' is not a driver name (letters, digits, '-', '_' and '.', as in /sys/bus/pci/drivers)")
        }
        guard fileExists(root + "/drivers/" + driver) else {
            throw .driverBinding(slot: slot, reason: "no driver named \(driver) is loaded (\(root)/drivers/\(driver) is missing; modprobe \(driver))")
        }
        let directory = device.sysfsDirectory(root: root)
        if driver == VFIOBackend.driverName {
            guard let group = VFIOGroup(deviceDirectory: directory) else {
                throw .driverBinding(slot: slot, reason: "it has no IOMMU group, so vfio-pci cannot use it: boot with intel_iommu=on (Intel) or amd_iommu=on (AMD), with VT-d/AMD-Vi enabled in the firmware")
            }
            let blockers = group.blockers(besides: slot)
            guard blockers.isEmpty else {
                throw .driverBinding(slot: slot, reason: "IOMMU group \(group.number) also holds devices bound to host drivers, and VFIO needs the whole group: "
                                     + blockers.map { "\($0.slot) (\($0.driver!))" }.joined(separator: ", ")
                                     + "; unbind or bind them to vfio-pci first, or they stop working")
            }
        }
        let current = boundDriver(directory)
        var writes = [SysfsWrite(path: directory + "/driver_override", value: driver)]
        if current == driver { return DriverBinding(slot: slot, current: current, wanted: driver, writes: writes, directory: directory, root: root) }
        try checkUnused(device, directory: directory, root: root, force: force)
        if current != nil { writes.append(SysfsWrite(path: directory + "/driver/unbind", value: slot)) }
        writes.append(SysfsWrite(path: root + "/drivers_probe", value: slot))
        return DriverBinding(slot: slot, current: current, wanted: driver, writes: writes, directory: directory, root: root)
    }

    /// Refuses to take a device from its driver while it serves a mounted disk or an up
    /// interface, unless `force`: on a real machine that is the root disk or the network.
    static func checkUnused(_ device: PCIDevice, directory: String, root: String, force: Bool) throws(PCIMMIOError) {
        guard !force, boundDriver(directory) != nil else { return }
        let uses = DeviceUsers.of(directory: directory, root: root)
        guard uses.isEmpty else {
            throw .driverBinding(slot: device.slot, reason: "it serves this machine: \(uses.joined(separator: "; ")); taking it from its driver takes that away (unmount or bring it down first, or --force)")
        }
    }

    /// `pcimmio unbind`: away from the current driver, and `driver_override` cleared so the
    /// next probe may choose freely.
    /// `reprobe` then asks the bus to probe, so the kernel's own choice (the default driver)
    /// takes the device, as `driverctl unset-override` does.
    public static func unbind(_ device: PCIDevice, root: String, reprobe: Bool = false, force: Bool = false) throws(PCIMMIOError) -> DriverBinding {
        let directory = device.sysfsDirectory(root: root)
        try checkUnused(device, directory: directory, root: root, force: force)
        let current = boundDriver(directory)
        var writes: [SysfsWrite] = []
        if current != nil { writes.append(SysfsWrite(path: directory + "/driver/unbind", value: device.slot)) }
        writes.append(SysfsWrite(path: directory + "/driver_override", value: "\n"))
        if reprobe { writes.append(SysfsWrite(path: root + "/drivers_probe", value: device.slot)) }
        return DriverBinding(slot: device.slot, current: current, wanted: nil, writes: writes, directory: directory, root: root,
                             reprobe: reprobe)
    }

    init(slot: String, current: String?, wanted: String?, writes: [SysfsWrite], directory: String, root: String,
         reprobe: Bool = false) {
        self.reprobe = reprobe
        self.slot = slot
        self.current = current
        self.wanted = wanted
        self.writes = writes
        self.directory = directory
        self.probe = root + "/drivers_probe"
        let override = (try? readWholeFile(directory + "/driver_override"))
            .flatMap { String(decoding: $0, as: UTF8.self).split(separator: "\n").first.map(String.init) }
        previousOverride = override == "(null)" ? nil : override
    }

    /// After a bind that failed or that no driver took: `driver_override` back to what it
    /// was, and, if the device was left without a driver, a probe so its own driver takes it
    /// back. Returns what it did, for the error.
    public func rollBack() -> String {
        var done: [String] = []
        if (try? SysfsWrite(path: directory + "/driver_override", value: previousOverride ?? "\n").perform()) != nil {
            done.append(previousOverride.map { "driver_override back to \($0)" } ?? "driver_override cleared")
        }
        if currentDriverNow() == nil, (try? SysfsWrite(path: probe, value: slot).perform()) != nil {
            done.append("probed again")
        }
        return "rolled back: " + (done.isEmpty ? "nothing could be restored" : done.joined(separator: ", "))
            + ", now " + (currentDriverNow() ?? "no driver")
    }

    /// Writes in order; stops at the first failure, naming the file.
    public func perform() throws(PCIMMIOError) {
        for write in writes {
            do { try write.perform() } catch {
                // Writing the wanted driver to drivers_probe when no driver takes it is not an
                // error; the check of the result says so.
                if error.step == .write && write.path.hasSuffix("/drivers_probe") { continue }
                throw .system(call: error.call, path: write.path, errno: error.errno)
            }
        }
    }

    /// The driver bound after `perform`.
    public func currentDriverNow() -> String? { Self.boundDriver(directory) }

    /// The driver bound to the device at `directory` now.
    public static func boundDriver(_ directory: String) -> String? {
        readLink(directory + "/driver").map { String($0.split(separator: "/").last ?? "") }
    }
}
