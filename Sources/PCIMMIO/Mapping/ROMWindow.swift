/// The expansion ROM through its sysfs `rom` file: the kernel maps the ROM only while it is
/// enabled, so `1` is written to the file when the window opens and `0` when it is released,
/// on every path. Reads are pread of exactly the register's bytes; the kernel copies ROM bytes
/// with memcpy_fromio, so the width on the bus is its choice, not ours (a ROM has no side
/// effects). Writes are refused: a ROM is read-only.
final class ROMWindow: RegisterWindow {
    let region: Range<UInt64>
    private let file: OpenFile
    private let location: AccessLocation

    init(file: OpenFile, region: Range<UInt64>, location: AccessLocation) throws(PCIMMIOError) {
        self.file = file
        self.region = region
        self.location = location
        try Self.set(file, enabled: true)
    }

    deinit { try? Self.set(file, enabled: false) }

    private static func set(_ file: OpenFile, enabled: Bool) throws(PCIMMIOError) {
        let byte = UnsafeMutableRawBufferPointer.allocate(byteCount: 1, alignment: 1)
        defer { byte.deallocate() }
        byte[0] = UInt8(ascii: enabled ? "1" : "0")
        try file.write(from: UnsafeRawBufferPointer(byte), at: 0)
    }

    func read(_ width: Width, at offset: UInt64, into values: UnsafeMutableRawBufferPointer) throws(PCIMMIOError) {
        try location.checkInside(region, offset: offset, length: UInt64(values.count), width: width)
        for start in stride(from: 0, to: values.count, by: width.bytes) {
            try file.read(into: UnsafeMutableRawBufferPointer(rebasing: values[start..<start + width.bytes]), at: offset + UInt64(start))
        }
    }

    func write(_ width: Width, at offset: UInt64, from values: UnsafeRawBufferPointer) throws(PCIMMIOError) {
        throw .usage("\(location.slot)'s expansion ROM is read-only")
    }
}
