/// The VFIO path: a device bound to vfio-pci, reached through its IOMMU group. The only path
/// that works under kernel lockdown (Secure Boot). A BAR's region is mmap'd where VFIO allows
/// (the mmap flag, and inside a sparse-mmap area); elsewhere (I/O-port BARs, an MSI-X table)
/// each register is one pread/pwrite of the device file at the region's offset.
final class VFIOPath: AccessPath {
    static let driverName = "vfio-pci"
    var via: AccessVia { .vfio }
    /// Opened once per device for the whole session: a group can be opened only once.
    private var devices: [String: VFIODevice] = [:]

    /// The device, opened on first use.
    func device(_ slot: String, directory: String) throws(PCIMMIOError) -> VFIODevice {
        if let open = devices[slot] { return open }
        let device = try VFIODevice(slot: slot, directory: directory)
        devices[slot] = device
        return device
    }

    func open(_ plan: AccessPlan, covering region: Range<UInt64>) throws(PCIMMIOError) -> RegisterWindow {
        let slot = plan.location.slot
        let device = try device(slot, directory: plan.path)
        let info = try device.region(UInt32(plan.bar.index))
        guard info.size >= plan.region.upperBound else {
            throw .outOfBounds(slot: slot, bar: plan.bar.index, offset: plan.offset, length: plan.length, size: info.size)
        }
        let writable = plan.mode == .write
        guard writable ? info.writable : info.readable else {
            throw .vfioUnavailable(slot: slot, reason: "VFIO does not allow \(writable ? "writing" : "reading") BAR \(plan.bar.index)")
        }
        // The whole BAR when asked and allowed, else just this access's pages. Sparse areas are
        // page-aligned, so a range inside one has its pages inside it too.
        for candidate in [region, plan.region] where info.mappable(candidate) {
            return try MappedWindow(file: device.file, base: info.offset, covering: candidate, limit: info.size,
                                    writable: writable, location: plan.location)
        }
        let reason = plan.bar.kind == .io
            ? "it is an I/O-port BAR"
            : "this part of the BAR cannot be mapped through VFIO (an MSI-X table?), and its read/write interface may split 64-bit accesses"
        return PositionalIOWindow(file: device.file, base: info.offset, region: 0..<info.size, location: plan.location,
                                  why64BitFails: reason)
    }
}
