/// How a BAR decodes: 32- or 64-bit memory, or I/O ports; or the expansion ROM (BAR 6),
/// read-only memory enabled only while it is read.
public enum BARKind: String, Sendable {
    case mem32, mem64, io, rom

    public var isMemory: Bool { self != .io }
}

/// One Base Address Register as the kernel reports it, and the sysfs files that reach it.
public struct BAR: Sendable, Equatable {
    public let index: Int
    public let kind: BARKind
    public let prefetchable: Bool
    public let address: UInt64
    public let size: UInt64
    /// False when the kernel could not place the BAR (IORESOURCE_UNSET, or no address).
    public let assigned: Bool
    /// `<sysfs>/devices/<slot>/resourceN`, when the kernel created it.
    public let resourceFile: String?
    /// `resourceN_wc`, when the kernel created it (prefetchable memory BARs only).
    public let writeCombiningFile: String?

    /// Where `rom` (BAR 6) is: the index the kernel's `resource` file and VFIO give it.
    public static let romIndex = 6

    public init(index: Int, kind: BARKind, prefetchable: Bool, address: UInt64, size: UInt64,
                resourceFile: String?, writeCombiningFile: String?, assigned: Bool = true) {
        self.index = index
        self.kind = kind
        self.prefetchable = prefetchable
        self.address = address
        self.size = size
        self.assigned = assigned
        self.resourceFile = resourceFile
        self.writeCombiningFile = writeCombiningFile
    }
}

/// Kernel IORESOURCE_* flags, as libpci passes them through from sysfs `resource`.
enum ResourceFlags {
    static let io: UInt64 = 0x100
    static let memory: UInt64 = 0x200
    static let prefetch: UInt64 = 0x2000
    static let memory64: UInt64 = 0x0010_0000
    static let unset: UInt64 = 0x2000_0000
}

/// Low bits of a BAR in config space, which libpci folds into base_addr.
enum BaseAddressBits {
    static let spaceIO: UInt64 = 0x1
    static let memoryType64: UInt64 = 0x4
    static let prefetchable: UInt64 = 0x8
    static let ioMask: UInt64 = ~0x3
    static let memoryMask: UInt64 = ~0xf
}
