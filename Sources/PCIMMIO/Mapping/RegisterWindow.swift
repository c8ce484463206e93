/// A view onto part of one BAR, whatever reaches it: an mmap'd memory BAR or an I/O-port
/// BAR read with pread/pwrite. Offsets are from the start of the BAR. Closing happens when
/// the window is released, on every path.
public protocol RegisterWindow: AnyObject {
    /// The BAR offsets this window may touch.
    var region: Range<UInt64> { get }

    /// Reads `values.count / width.bytes` consecutive registers starting at `offset`, each with
    /// exactly one access of `width`, into `values` in memory order (little-endian bytes).
    func read(_ width: Width, at offset: UInt64, into values: UnsafeMutableRawBufferPointer) throws(PCIMMIOError)

    /// Writes consecutive registers from `values`, each with exactly one access of `width`.
    func write(_ width: Width, at offset: UInt64, from values: UnsafeRawBufferPointer) throws(PCIMMIOError)

    /// The same stores as a write-combining burst: no fence between them, one after the last
    /// (MMIOAccess.h). Only for `--wc` mappings; windows without a mapping just write.
    func writeBurst(_ width: Width, at offset: UInt64, from values: UnsafeRawBufferPointer) throws(PCIMMIOError)
}

extension RegisterWindow {
    public func writeBurst(_ width: Width, at offset: UInt64, from values: UnsafeRawBufferPointer) throws(PCIMMIOError) {
        try write(width, at: offset, from: values)
    }

    /// `count` registers as numbers.
    public func read(_ width: Width, at offset: UInt64, count: Int) throws(PCIMMIOError) -> [UInt64] {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: count * width.bytes, alignment: 8)
        defer { buffer.deallocate() }
        try read(width, at: offset, into: buffer)
        return (0..<count).map { registerValue(UnsafeRawBufferPointer(buffer), at: $0 * width.bytes, width: width) }
    }

    /// One register.
    public func read(_ width: Width, at offset: UInt64) throws(PCIMMIOError) -> UInt64 {
        try read(width, at: offset, count: 1)[0]
    }

    /// One register; `value` must fit in `width`.
    public func write(_ width: Width, at offset: UInt64, value: UInt64) throws(PCIMMIOError) {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: width.bytes, alignment: 8)
        defer { buffer.deallocate() }
        for index in 0..<width.bytes { buffer[index] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(index))) }
        try write(width, at: offset, from: UnsafeRawBufferPointer(buffer))
    }
}

public func registerValue(_ bytes: UnsafeRawBufferPointer, at start: Int, width: Width) -> UInt64 {
    var value: UInt64 = 0
    for index in (0..<width.bytes).reversed() { value = value << 8 | UInt64(bytes[start + index]) }
    return value
}
