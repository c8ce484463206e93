/// The sysfs path: `resourceN` (or `resourceN_wc`) of the device's directory. Memory BARs are
/// mmap'd (uncached, or write-combining through `_wc`); I/O-port BARs use pread/pwrite.
final class SysfsResourcePath: AccessPath {
    var via: AccessVia { .sysfs }

    func open(_ plan: AccessPlan, covering region: Range<UInt64>) throws(PCIMMIOError) -> RegisterWindow {
        let writable = plan.mode == .write
        // The ROM file is written to (1, then 0) to enable the ROM around reads.
        let file = try OpenFile(path: plan.path, writable: writable || plan.bar.kind == .rom)
        let bar = plan.bar
        // A resource file smaller than its BAR (a fake tree, or one truncated) would fault.
        let fileSize = try file.size()
        if bar.kind.isMemory, fileSize < plan.region.upperBound {
            throw .outOfBounds(slot: plan.location.slot, bar: bar.index, offset: plan.offset, length: plan.length, size: fileSize)
        }
        if bar.kind == .io { return PositionalIOWindow(file: file, region: 0..<bar.size, location: plan.location) }
        if bar.kind == .rom { return try ROMWindow(file: file, region: 0..<min(bar.size, fileSize), location: plan.location) }
        let limit = min(bar.size, fileSize)
        let page = UInt64(pageSize)
        return try MappedWindow(file: file, base: bar.address & (page - 1),
                                covering: region.lowerBound..<min(region.upperBound, limit),
                                limit: limit, writable: writable, location: plan.location)
    }
}
