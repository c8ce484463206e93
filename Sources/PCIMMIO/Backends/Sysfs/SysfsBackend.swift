/// The sysfs back-end: the device's `resourceN` files (or `resourceN_wc`) and its `config`
/// file, as libpci's sysfs method reaches them. Memory BARs are mmap'd (uncached, or
/// write-combining through `_wc`); I/O-port BARs use pread/pwrite; the ROM is enabled around reads.
final class SysfsBackend: DeviceBackend {
    var via: AccessVia { .sysfs }
    private let device: PCIDevice
    private let directory: String
    private var config: SysfsConfigSpace?

    init(device: PCIDevice, directory: String) {
        self.device = device
        self.directory = directory
    }

    func route(_ bar: BAR?, location: AccessLocation, offset: UInt64, length: UInt64, mode: AccessPlan.Mode,
               writeCombining: Bool) throws(PCIMMIOError) -> String {
        guard let bar else { throw .usage("phys addresses go through /dev/mem: drop --via sysfs") }
        if writeCombining {
            guard bar.kind.isMemory, bar.prefetchable else {
                throw .writeCombiningUnavailable(slot: device.slot, bar: bar.index,
                    reason: bar.kind == .io ? "it is an I/O-port BAR" : "it is not prefetchable")
            }
            guard let path = bar.writeCombiningFile else {
                throw .writeCombiningUnavailable(slot: device.slot, bar: bar.index,
                    reason: "the kernel created no resource\(bar.index)_wc for it")
            }
            return path
        }
        guard let path = bar.resourceFile else {
            throw .missingResourceFile(path: (device.directory ?? "<sysfs>/devices/" + device.slot) + "/resource\(bar.index)")
        }
        return path
    }

    func openWindow(_ plan: AccessPlan, covering region: Range<UInt64>) throws(PCIMMIOError) -> RegisterWindow {
        guard let bar = plan.bar else { throw .usage("phys addresses go through /dev/mem: drop --via sysfs") }
        let writable = plan.mode == .write
        // The ROM file is written to (1, then 0) to enable the ROM around reads.
        let file = try OpenFile(path: plan.path, writable: writable || bar.kind == .rom, kind: .resourceFile)
        // A resource file smaller than its BAR (a fake tree, or one truncated) would fault.
        let fileSize = try file.size()
        if bar.kind.isMemory, fileSize < plan.region.upperBound {
            throw .outOfBounds(slot: device.slot, bar: bar.index, offset: plan.offset, length: plan.length, size: fileSize)
        }
        // The mapping starts at the page holding the BAR's start, so a BAR that does not start
        // on a page reaches `base` bytes further into the file than its offsets: past the
        // file's last page, a load would fault (SIGBUS) instead of being refused.
        let page = UInt64(pageSize)
        let base = bar.kind.isMemory && bar.kind != .rom ? bar.address & (page - 1) : 0
        let (fileEnd, _) = fileSize.addingReportingOverflow(page - 1)
        if base > 0, base + plan.region.upperBound > fileEnd & ~(page - 1) {
            throw .usage("\(plan.path) holds 0x\(String(fileSize, radix: 16)) bytes from the page of \(device.slot) BAR \(bar.index)'s start, which is 0x\(String(base, radix: 16)) bytes into that page: offset 0x\(String(plan.region.upperBound - 1, radix: 16)) is past the file's end (the resource file is shorter than the BAR)")
        }
        if bar.kind == .io { return PositionalIOWindow(file: file, region: 0..<bar.size, location: plan.location) }
        if bar.kind == .rom { return try ROMWindow(file: file, region: 0..<min(bar.size, fileSize), location: plan.location) }
        let limit = min(bar.size, fileSize)
        return try MappedWindow(file: file, base: base,
                                covering: region.lowerBound..<min(region.upperBound, limit),
                                limit: limit, writable: writable, location: plan.location)
    }

    func configSpace() throws(PCIMMIOError) -> ConfigSpace {
        if let config { return config }
        let opened = SysfsConfigSpace(slot: device.slot, directory: directory, boundToVFIO: BackendChoice.boundToVFIO(device))
        config = opened
        return opened
    }
}
