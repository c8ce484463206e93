/// How one opened device is reached, as pciutils gives each `pci_dev` its `methods`: the sysfs
/// files, VFIO, or /dev/mem. A session chooses one per device (BackendChoice) and everything
/// goes through it: BAR windows, config space, and so the trace and the health checks. Above
/// it (commands, scripts, maps) only `RegisterWindow` and `ConfigSpace` are seen, and every
/// back-end does its loads and stores through the accessors in Sources/MMIOAccess (mmap) or
/// single-width pread/pwrite, so width-exactness and the fault guard hold on all of them.
protocol DeviceBackend: AnyObject {
    var via: AccessVia { get }

    /// Checked while planning, before anything is opened: that this back-end can reach `bar`
    /// as asked (`bar` is nil for a physical address). Returns what the access will go through (a resource file, the device's
    /// directory for VFIO, /dev/mem), which errors and window caches name.
    func route(_ bar: BAR?, location: AccessLocation, offset: UInt64, length: UInt64, mode: AccessPlan.Mode,
               writeCombining: Bool) throws(PCIMMIOError) -> String

    /// A window onto the plan's BAR covering at least `region` (BAR offsets), read-only unless
    /// the plan writes.
    func openWindow(_ plan: AccessPlan, covering region: Range<UInt64>) throws(PCIMMIOError) -> RegisterWindow

    /// The device's config space, reached the way this back-end reaches the device.
    func configSpace() throws(PCIMMIOError) -> ConfigSpace
}

/// The one place the way to a device is decided: what `--via` asked, else VFIO for a device
/// bound to vfio-pci (the only way under kernel lockdown), else the sysfs files.
enum BackendChoice {
    /// Whether VFIO can reach the device: it is bound to vfio-pci.
    static func boundToVFIO(_ device: PCIDevice) -> Bool { device.driver == VFIOBackend.driverName }

    static func via(asked: AccessVia?, for device: PCIDevice) throws(PCIMMIOError) -> AccessVia {
        let bound = boundToVFIO(device)
        switch asked {
        case nil: return bound ? .vfio : .sysfs
        case .vfio?:
            guard bound else {
                throw .usage("--via vfio: \(device.slot) is bound to \(device.driver ?? "no driver"), not vfio-pci (bind it first: pcimmio bind \(device.slot) vfio-pci)")
            }
            return .vfio
        case let other?: return other
        }
    }

    /// A new back-end for `device` through `via`.
    /// `root` is the sysfs tree the device was found in: another machine's tree does not reach
    /// this machine's /dev/mem or /dev/vfio (MachineDeviceFiles).
    static func backend(_ via: AccessVia, for device: PCIDevice, root: String, diagnostics: Diagnostics) throws(PCIMMIOError) -> DeviceBackend {
        let directory = device.sysfsDirectory(root: root)
        switch via {
        case .sysfs:
            return SysfsBackend(device: device, directory: directory)
        case .vfio:
            try MachineDeviceFiles.checkVFIO(root: root, slot: device.slot)
            return VFIOBackend(slot: device.slot, directory: directory)
        case .devmem:
            try MachineDeviceFiles.checkDevMem(root: root, for: "--via devmem on \(device.slot)")
            return DevMemBackend(device: device, directory: directory, diagnostics: diagnostics)
        }
    }
}
