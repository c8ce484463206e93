/// The size of one register access.
public enum Width: Int, Sendable, CaseIterable, CustomStringConvertible {
    case w8 = 8, w16 = 16, w32 = 32, w64 = 64

    public var bits: Int { rawValue }
    public var bytes: Int { rawValue / 8 }
    /// The largest value that fits.
    public var mask: UInt64 { self == .w64 ? .max : (1 << UInt64(rawValue)) - 1 }
    public var hexDigits: Int { rawValue / 4 }
    public var description: String { String(rawValue) }

    public init(parsing text: String) throws(PCIMMIOError) {
        guard let bits = Int(text), let width = Width(rawValue: bits) else { throw .malformedWidth(text: text) }
        self = width
    }
}

extension UInt64 {
    /// The low `width` bits with their bytes reversed.
    func byteSwapped(_ width: Width) -> UInt64 {
        byteSwapped >> UInt64(64 - width.bits)
    }
}
