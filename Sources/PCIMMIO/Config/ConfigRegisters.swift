/// What the capability walker and decoders read: config space as little-endian 32-bit
/// registers. Every read is an aligned dword, the one access every config path serves, and
/// bytes and words are cut out of it, so a decoder never asks for an odd width.
public protocol ConfigRegisters {
    /// 256 or 4096 bytes.
    var size: Int { get }
    func dword(at offset: Int) throws(PCIMMIOError) -> UInt32
}

extension ConfigRegisters {
    public func word(at offset: Int) throws(PCIMMIOError) -> UInt16 {
        UInt16(truncatingIfNeeded: try dword(at: offset & ~3) >> (8 * UInt32(offset & 2)))
    }

    public func byte(at offset: Int) throws(PCIMMIOError) -> UInt8 {
        UInt8(truncatingIfNeeded: try dword(at: offset & ~3) >> (8 * UInt32(offset & 3)))
    }
}

/// Config space held in memory: a saved dump, or bytes built by a test.
public struct ConfigBytes: ConfigRegisters {
    public let bytes: [UInt8]
    public var size: Int { bytes.count }

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public func dword(at offset: Int) throws(PCIMMIOError) -> UInt32 {
        guard offset >= 0, offset + 4 <= bytes.count else {
            throw .usage("config offset 0x\(String(offset, radix: 16)) is past the end of the \(bytes.count)-byte config space")
        }
        return UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24
    }
}

/// A live config space read on demand, each dword at most once: walking a chain and decoding
/// it reads a few dozen registers, not the whole 4 KiB.
public final class CachedConfigRegisters: ConfigRegisters {
    private let space: ConfigSpace
    private var cache: [Int: UInt32] = [:]
    public var size: Int { space.size }

    public init(_ space: ConfigSpace) { self.space = space }

    public func dword(at offset: Int) throws(PCIMMIOError) -> UInt32 {
        if let known = cache[offset] { return known }
        let value = try space.read(.w32, at: offset)
        cache[offset] = value
        return value
    }
}
