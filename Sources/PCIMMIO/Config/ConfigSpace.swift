/// A function's configuration space, however it is reached: through libpci (the sysfs
/// `config` file, which fake trees have too) or through VFIO's config region (the only way to
/// write it under kernel lockdown). Reads and writes are one access of 8, 16 or 32 bits,
/// aligned and inside the space (256 bytes, or 4096 for PCI Express), checked first.
public protocol ConfigSpace: AnyObject {
    var slot: String { get }
    /// 256 or 4096 bytes.
    var size: Int { get }
    var via: AccessVia { get }

    func read(_ width: Width, at offset: Int) throws(PCIMMIOError) -> UInt32
    func write(_ width: Width, at offset: Int, value: UInt32) throws(PCIMMIOError)
}

extension ConfigSpace {
    /// The whole space (or its first `count` bytes), read 32 bits at a time.
    public func bytes(count: Int? = nil) throws(PCIMMIOError) -> [UInt8] {
        let length = min(count ?? size, size) & ~3
        var bytes: [UInt8] = []
        bytes.reserveCapacity(length)
        for offset in stride(from: 0, to: length, by: 4) {
            let value = try read(.w32, at: offset)
            for shift in [0, 8, 16, 24] as [UInt32] { bytes.append(UInt8(truncatingIfNeeded: value >> shift)) }
        }
        return bytes
    }

    /// Width, alignment and bounds, before any access.
    func check(_ width: Width, at offset: Int) throws(PCIMMIOError) {
        guard width != .w64 else {
            throw .usage("config space is accessed 8, 16 or 32 bits at a time, not 64")
        }
        guard offset >= 0, offset % width.bytes == 0 else {
            throw .usage("config offset 0x\(String(offset, radix: 16)) is not aligned to the \(width.bits)-bit width (must be a multiple of \(width.bytes))")
        }
        guard offset + width.bytes <= size else {
            throw .usage("config offset 0x\(String(offset, radix: 16)) + \(width.bytes) bytes is past the end of \(slot)'s config space (\(size) bytes\(size == 256 ? ": not PCI Express, or the kernel cannot reach its extended space" : ""))")
        }
    }
}
