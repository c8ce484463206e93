import Glibc
import MMIOAccess

/// Part of a BAR mmap'd from the file that reaches it (a sysfs resource file, /dev/mem, a VFIO
/// device): only the pages covering the access it was opened for, MAP_SHARED, unmapped when
/// released. Its region is those pages, clipped to the BAR and the file, so later accesses to
/// nearby registers can reuse it.
///
/// `base` is the file offset of BAR offset 0. The kernel maps a resource file from the start
/// of the page holding the BAR (vm_pgoff += start >> PAGE_SHIFT), so there a BAR that starts
/// inside a page is at `address % page`; /dev/mem has it at its physical address, and VFIO at
/// the region's offset.
/// The size of a page: mappings start and end on one.
let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))

final class MappedWindow: RegisterWindow {
    let region: Range<UInt64>
    private let mapping: UnsafeMutableRawPointer
    private let mappingLength: Int
    /// File offset of the first mapped byte (page-aligned).
    private let mappingFileOffset: UInt64
    private let base: UInt64
    private let location: AccessLocation
    private let writable: Bool

    /// The descriptor is needed only to map: the mapping outlives it.
    init(file: OpenFile, base: UInt64, covering access: Range<UInt64>, limit: UInt64, writable: Bool,
         location: AccessLocation) throws(PCIMMIOError) {
        let page = UInt64(pageSize)
        let start = (base + access.lowerBound) & ~(page - 1)
        let end = (base + access.upperBound + page - 1) & ~(page - 1)
        let protection = writable ? PROT_READ | PROT_WRITE : PROT_READ
        let address = mmap(nil, Int(end - start), protection, MAP_SHARED, file.descriptor, off_t(Int64(bitPattern: start)))
        guard let address, address != MAP_FAILED else {
            throw MappingDiagnosis.error(call: "mmap", path: file.path, kind: file.kind, errno: errno)
        }
        self.region = (start > base ? start - base : 0)..<min(end - base, limit)
        self.mapping = address
        self.mappingLength = Int(end - start)
        self.mappingFileOffset = start
        self.base = base
        self.location = location
        self.writable = writable
    }

    deinit { munmap(mapping, mappingLength) }

    func read(_ width: Width, at offset: UInt64, into values: UnsafeMutableRawBufferPointer) throws(PCIMMIOError) {
        let count = values.count / width.bytes
        try check(offset, count: count, width: width)
        let registers = mapping + Int(base + offset - mappingFileOffset)
        let out = values.baseAddress!
        var done = 0
        let signal: Int32
        switch width {
        case .w8: signal = mmio_read8(registers.assumingMemoryBound(to: UInt8.self), out.assumingMemoryBound(to: UInt8.self), count, &done)
        case .w16: signal = mmio_read16(registers.assumingMemoryBound(to: UInt16.self), out.assumingMemoryBound(to: UInt16.self), count, &done)
        case .w32: signal = mmio_read32(registers.assumingMemoryBound(to: UInt32.self), out.assumingMemoryBound(to: UInt32.self), count, &done)
        case .w64: signal = mmio_read64(registers.assumingMemoryBound(to: UInt64.self), out.assumingMemoryBound(to: UInt64.self), count, &done)
        }
        if signal != 0 { throw location.fault(at: offset + UInt64(done * width.bytes), signal: signal) }
    }

    func write(_ width: Width, at offset: UInt64, from values: UnsafeRawBufferPointer) throws(PCIMMIOError) {
        try store(width, at: offset, from: values, burst: false)
    }

    func writeBurst(_ width: Width, at offset: UInt64, from values: UnsafeRawBufferPointer) throws(PCIMMIOError) {
        try store(width, at: offset, from: values, burst: true)
    }

    private func store(_ width: Width, at offset: UInt64, from values: UnsafeRawBufferPointer, burst: Bool) throws(PCIMMIOError) {
        let count = values.count / width.bytes
        try check(offset, count: count, width: width)
        // A store into a read-only mapping would be SIGSEGV; plans open read-only unless they write.
        guard writable else { throw .internalError("write through a window opened read-only") }
        let registers = mapping + Int(base + offset - mappingFileOffset)
        let source = values.baseAddress!
        var done = 0
        let signal: Int32
        switch (width, burst) {
        case (.w8, false): signal = mmio_write8(registers.assumingMemoryBound(to: UInt8.self), source.assumingMemoryBound(to: UInt8.self), count, &done)
        case (.w16, false): signal = mmio_write16(registers.assumingMemoryBound(to: UInt16.self), source.assumingMemoryBound(to: UInt16.self), count, &done)
        case (.w32, false): signal = mmio_write32(registers.assumingMemoryBound(to: UInt32.self), source.assumingMemoryBound(to: UInt32.self), count, &done)
        case (.w64, false): signal = mmio_write64(registers.assumingMemoryBound(to: UInt64.self), source.assumingMemoryBound(to: UInt64.self), count, &done)
        case (.w8, true): signal = mmio_write_burst8(registers.assumingMemoryBound(to: UInt8.self), source.assumingMemoryBound(to: UInt8.self), count, &done)
        case (.w16, true): signal = mmio_write_burst16(registers.assumingMemoryBound(to: UInt16.self), source.assumingMemoryBound(to: UInt16.self), count, &done)
        case (.w32, true): signal = mmio_write_burst32(registers.assumingMemoryBound(to: UInt32.self), source.assumingMemoryBound(to: UInt32.self), count, &done)
        case (.w64, true): signal = mmio_write_burst64(registers.assumingMemoryBound(to: UInt64.self), source.assumingMemoryBound(to: UInt64.self), count, &done)
        }
        if signal != 0 { throw location.fault(at: offset + UInt64(done * width.bytes), signal: signal) }
    }

    /// The last line of defence: callers validate first, so this never fires for user input.
    private func check(_ offset: UInt64, count: Int, width: Width) throws(PCIMMIOError) {
        try location.checkInside(region, offset: offset, length: UInt64(count * width.bytes), width: width)
    }
}
