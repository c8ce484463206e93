/// An I/O-port BAR: the kernel offers no mmap, but its resource file answers pread/pwrite of
/// 1, 2 or 4 bytes with one port access of that size.
final class IOPortWindow: RegisterWindow {
    let region: Range<UInt64>
    private let file: OpenFile
    private let location: AccessLocation

    init(file: OpenFile, region: Range<UInt64>, location: AccessLocation) {
        self.file = file
        self.region = region
        self.location = location
    }

    func read(_ width: Width, at offset: UInt64, into values: UnsafeMutableRawBufferPointer) throws(PCIMMIOError) {
        try check(offset, length: values.count, width: width)
        for start in stride(from: 0, to: values.count, by: width.bytes) {
            let one = UnsafeMutableRawBufferPointer(rebasing: values[start..<start + width.bytes])
            try file.read(into: one, at: offset + UInt64(start))
        }
    }

    func write(_ width: Width, at offset: UInt64, from values: UnsafeRawBufferPointer) throws(PCIMMIOError) {
        try check(offset, length: values.count, width: width)
        for start in stride(from: 0, to: values.count, by: width.bytes) {
            let one = UnsafeRawBufferPointer(rebasing: values[start..<start + width.bytes])
            try file.write(from: one, at: offset + UInt64(start))
        }
    }

    private func check(_ offset: UInt64, length: Int, width: Width) throws(PCIMMIOError) {
        guard width != .w64 else { throw location.ioWidthUnsupported(width) }
        try location.checkInside(region, offset: offset, length: UInt64(length), width: width)
    }
}
