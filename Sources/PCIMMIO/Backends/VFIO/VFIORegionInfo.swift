/// What `VFIO_DEVICE_GET_REGION_INFO` says of one region (a BAR, the ROM, config space): its
/// size, where it is in the device file, whether it may be read, written and mmap'd, and,
/// from the sparse-mmap capability, which parts may be mmap'd (a BAR holding an MSI-X table
/// may not be mapped over the table).
public struct VFIORegionInfo: Sendable, Equatable {
    public let index: UInt32
    public let flags: UInt32
    public let size: UInt64
    /// Offset of the region in the device file.
    public let offset: UInt64
    /// The mmap'able parts (region offsets); nil when the region has no sparse-mmap capability.
    public let sparseAreas: [Range<UInt64>]?

    public static let readFlag: UInt32 = 1 << 0
    public static let writeFlag: UInt32 = 1 << 1
    public static let mmapFlag: UInt32 = 1 << 2
    public static let capsFlag: UInt32 = 1 << 3
    static let sparseMmapCapability: UInt16 = 1
    /// VFIO_PCI_CONFIG_REGION_INDEX: regions 0-5 are the BARs, 6 the ROM, 7 config space.
    public static let configRegion = 7
    /// struct vfio_region_info: argsz, flags, index, cap_offset (u32), size, offset (u64).
    public static let fixedSize = 32

    public var readable: Bool { flags & Self.readFlag != 0 }
    public var writable: Bool { flags & Self.writeFlag != 0 }

    public init(index: UInt32, flags: UInt32, size: UInt64, offset: UInt64, sparseAreas: [Range<UInt64>]?) {
        self.index = index
        self.flags = flags
        self.size = size
        self.offset = offset
        self.sparseAreas = sparseAreas
    }

    /// The ioctl's buffer as the kernel filled it: the fixed part, then (with the caps flag) a
    /// chain of capabilities, each `id: u16, version: u16, next: u32` (offsets from the start
    /// of the buffer; 0 ends the chain). A chain that loops or leaves the buffer is an error.
    public init(parsing bytes: [UInt8]) throws(PCIMMIOError) {
        guard bytes.count >= Self.fixedSize else { throw Self.malformed("\(bytes.count) bytes, fewer than the \(Self.fixedSize) of the fixed part") }
        index = UInt32(littleEndianBytes: bytes, at: 8)
        flags = UInt32(littleEndianBytes: bytes, at: 4)
        size = UInt64(littleEndianBytes: bytes, at: 16)
        offset = UInt64(littleEndianBytes: bytes, at: 24)
        var areas: [Range<UInt64>]? = nil
        var next = flags & Self.capsFlag != 0 ? Int(UInt32(littleEndianBytes: bytes, at: 12)) : 0
        var seen: Set<Int> = []
        while next != 0 {
            guard next >= Self.fixedSize, next + 8 <= bytes.count, seen.insert(next).inserted else {
                throw Self.malformed("capability chain points to \(next), outside the \(bytes.count)-byte buffer or back into itself")
            }
            let id = UInt16(littleEndianBytes: bytes, at: next)
            if id == Self.sparseMmapCapability {
                // nr_areas: u32, reserved: u32, then { offset: u64, size: u64 } per area.
                guard next + 16 <= bytes.count else { throw Self.malformed("sparse-mmap capability cut short") }
                let count = Int(UInt32(littleEndianBytes: bytes, at: next + 8))
                guard count <= (bytes.count - next - 16) / 16 else { throw Self.malformed("sparse-mmap capability lists \(count) areas that do not fit") }
                areas = (0..<count).compactMap { area in
                    let start = UInt64(littleEndianBytes: bytes, at: next + 16 + 16 * area)
                    let length = UInt64(littleEndianBytes: bytes, at: next + 24 + 16 * area)
                    let (end, overflow) = start.addingReportingOverflow(length)
                    return overflow || length == 0 ? nil : start..<end
                }
            }
            next = Int(UInt32(littleEndianBytes: bytes, at: next + 4))
        }
        sparseAreas = areas
    }

    /// Whether `range` (region offsets, page-aligned by the caller) may be mmap'd: the region
    /// has the mmap flag and, with a sparse-mmap capability, one area holds all of the range.
    public func mappable(_ range: Range<UInt64>) -> Bool {
        guard flags & Self.mmapFlag != 0, range.upperBound <= size else { return false }
        guard let sparseAreas else { return true }
        return sparseAreas.contains { $0.lowerBound <= range.lowerBound && range.upperBound <= $0.upperBound }
    }

    private static func malformed(_ detail: String) -> PCIMMIOError {
        .unreadableKernelData(source: "VFIO region info", detail: detail)
    }
}

extension FixedWidthInteger {
    /// A little-endian value from `bytes` at `start` (the caller checked the bounds).
    init(littleEndianBytes bytes: [UInt8], at start: Int) {
        var value = Self.zero
        for index in (0..<MemoryLayout<Self>.size).reversed() { value = value << 8 | Self(bytes[start + index]) }
        self = value
    }
}
