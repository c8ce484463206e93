/// The VFIO back-end: a device bound to vfio-pci, reached through its IOMMU group. The only
/// way in under kernel lockdown (Secure Boot). A BAR's region is mmap'd where VFIO allows (the
/// mmap flag, and inside a sparse-mmap area); elsewhere (I/O-port BARs, an MSI-X table) each
/// register is one pread/pwrite of the device file at the region's offset. Config space is
/// the device's config region.
final class VFIOBackend: DeviceBackend {
    static let driverName = "vfio-pci"
    var via: AccessVia { .vfio }
    private let slot: String
    private let directory: String
    /// Opened on first use and kept for the session: a group can be opened only once.
    private var opened: VFIODevice?
    private var config: VFIOConfigSpace?

    init(slot: String, directory: String) {
        self.slot = slot
        self.directory = directory
    }

    /// The device's container, group and device descriptors.
    func device() throws(PCIMMIOError) -> VFIODevice {
        if let opened { return opened }
        let device = try VFIODevice(slot: slot, directory: directory)
        opened = device
        return device
    }

    func route(_ bar: BAR?, location: AccessLocation, offset: UInt64, length: UInt64, mode: AccessPlan.Mode,
               writeCombining: Bool) throws(PCIMMIOError) -> String {
        guard bar != nil else { throw .usage("phys addresses go through /dev/mem: drop --via vfio") }
        return directory
    }

    func openWindow(_ plan: AccessPlan, covering region: Range<UInt64>) throws(PCIMMIOError) -> RegisterWindow {
        guard let bar = plan.bar else { throw .usage("phys addresses go through /dev/mem: drop --via vfio") }
        let device = try device()
        let info = try device.region(UInt32(bar.index))
        guard info.size >= plan.region.upperBound else {
            throw .outOfBounds(slot: slot, bar: bar.index, offset: plan.offset, length: plan.length, size: info.size)
        }
        let writable = plan.mode == .write
        guard writable ? info.writable : info.readable else {
            throw .vfioUnavailable(slot: slot, reason: "VFIO does not allow \(writable ? "writing" : "reading") BAR \(bar.index)")
        }
        // The whole BAR when asked and allowed, else just this access's pages. Sparse areas are
        // page-aligned, so a range inside one has its pages inside it too.
        for candidate in [region, plan.region] where info.mappable(candidate) {
            return try MappedWindow(file: device.file, base: info.offset, covering: candidate, limit: info.size,
                                    writable: writable, location: plan.location)
        }
        let reason = bar.kind == .io
            ? "it is an I/O-port BAR"
            : "this part of the BAR cannot be mapped through VFIO (an MSI-X table?), and its read/write interface may split 64-bit accesses"
        return PositionalIOWindow(file: device.file, base: info.offset, region: 0..<info.size, location: plan.location,
                                  why64BitFails: reason)
    }

    func configSpace() throws(PCIMMIOError) -> ConfigSpace {
        if let config { return config }
        let opened = try VFIOConfigSpace(device: device())
        config = opened
        return opened
    }
}
