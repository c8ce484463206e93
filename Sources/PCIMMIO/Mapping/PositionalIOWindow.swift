/// A BAR reached with pread/pwrite instead of a mapping: an I/O-port BAR's sysfs resource file
/// (the kernel offers no mmap; each 1-, 2- or 4-byte transfer is one port access of that
/// size), or the parts of a VFIO region that may not be mapped (I/O BARs, an MSI-X table).
/// Every register is its own transfer of exactly the access width. 64-bit transfers are
/// refused: neither kernel interface promises one 8-byte access for them.
final class PositionalIOWindow: RegisterWindow {
    let region: Range<UInt64>
    private let file: OpenFile
    /// File offset of BAR offset 0 (0 for a resource file; the region offset for VFIO).
    private let base: UInt64
    private let location: AccessLocation
    private let why64BitFails: String

    init(file: OpenFile, base: UInt64 = 0, region: Range<UInt64>, location: AccessLocation,
         why64BitFails: String = "it is an I/O-port BAR") {
        self.file = file
        self.base = base
        self.region = region
        self.location = location
        self.why64BitFails = why64BitFails
    }

    func read(_ width: Width, at offset: UInt64, into values: UnsafeMutableRawBufferPointer) throws(PCIMMIOError) {
        try check(offset, length: values.count, width: width)
        for start in stride(from: 0, to: values.count, by: width.bytes) {
            let one = UnsafeMutableRawBufferPointer(rebasing: values[start..<start + width.bytes])
            try file.read(into: one, at: base + offset + UInt64(start))
        }
    }

    func write(_ width: Width, at offset: UInt64, from values: UnsafeRawBufferPointer) throws(PCIMMIOError) {
        try check(offset, length: values.count, width: width)
        for start in stride(from: 0, to: values.count, by: width.bytes) {
            let one = UnsafeRawBufferPointer(rebasing: values[start..<start + width.bytes])
            try file.write(from: one, at: base + offset + UInt64(start))
        }
    }

    private func check(_ offset: UInt64, length: Int, width: Width) throws(PCIMMIOError) {
        guard width != .w64 else { throw .widthUnsupported(slot: location.slot, bar: location.barIndex ?? 0, width: width, reason: why64BitFails) }
        try location.checkInside(region, offset: offset, length: UInt64(length), width: width)
    }
}
