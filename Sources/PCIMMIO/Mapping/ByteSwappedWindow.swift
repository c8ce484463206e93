/// `--big-endian`: registers whose bytes are in big-endian order. Every value is byte-swapped
/// between the register and the user, in a buffer; each access is still the one load or store
/// of the width the window below makes (and traces, as the bus sees it).
final class ByteSwappedWindow: RegisterWindow {
    private let inner: RegisterWindow

    init(_ inner: RegisterWindow) { self.inner = inner }

    var region: Range<UInt64> { inner.region }

    func read(_ width: Width, at offset: UInt64, into values: UnsafeMutableRawBufferPointer) throws(PCIMMIOError) {
        try inner.read(width, at: offset, into: values)
        Self.swap(values, width: width)
    }

    func write(_ width: Width, at offset: UInt64, from values: UnsafeRawBufferPointer) throws(PCIMMIOError) {
        try swapped(values, width: width) { (bytes) throws(PCIMMIOError) in try inner.write(width, at: offset, from: bytes) }
    }

    func writeBurst(_ width: Width, at offset: UInt64, from values: UnsafeRawBufferPointer) throws(PCIMMIOError) {
        try swapped(values, width: width) { (bytes) throws(PCIMMIOError) in try inner.writeBurst(width, at: offset, from: bytes) }
    }

    private func swapped(_ values: UnsafeRawBufferPointer, width: Width,
                         _ body: (UnsafeRawBufferPointer) throws(PCIMMIOError) -> Void) throws(PCIMMIOError) {
        let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: values.count, alignment: 8)
        defer { copy.deallocate() }
        copy.copyMemory(from: values)
        Self.swap(copy, width: width)
        try body(UnsafeRawBufferPointer(copy))
    }

    /// Reverses the bytes of each register in place.
    static func swap(_ bytes: UnsafeMutableRawBufferPointer, width: Width) {
        guard width != .w8 else { return }
        for start in stride(from: 0, to: bytes.count, by: width.bytes) {
            var low = start, high = start + width.bytes - 1
            while low < high {
                let byte = bytes[low]
                bytes[low] = bytes[high]
                bytes[high] = byte
                low += 1
                high -= 1
            }
        }
    }
}
