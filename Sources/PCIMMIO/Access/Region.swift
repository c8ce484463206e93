/// A dump region as memtool takes it: `START`, `START+SIZE` or `START-END` (END inclusive).
public struct Region: Sendable, Equatable {
    public let start: UInt64
    /// nil when only START was given: up to the default size, clipped to the BAR.
    public let size: UInt64?

    public static let defaultSize: UInt64 = 0x100

    public init(start: UInt64, size: UInt64?) {
        self.start = start
        self.size = size
    }

    public init(parsing text: String) throws(PCIMMIOError) {
        if let plus = text.firstIndex(of: "+") {
            start = try NumberParser.quantity(String(text[..<plus]), what: "region start")
            size = try NumberParser.quantity(String(text[text.index(after: plus)...]), what: "region size")
        } else if let dash = text.firstIndex(of: "-") {
            start = try NumberParser.quantity(String(text[..<dash]), what: "region start")
            let end = try NumberParser.quantity(String(text[text.index(after: dash)...]), what: "region end")
            guard end >= start else { throw .malformedRegion(text: text, reason: "END is before START") }
            guard end < .max else { throw .malformedRegion(text: text, reason: "END is too large") }
            size = end - start + 1
        } else {
            start = try NumberParser.quantity(text, what: "region start")
            size = nil
        }
        if size == 0 { throw .malformedRegion(text: text, reason: "the size is 0") }
    }

    /// The number of bytes to dump from a BAR of `barSize` bytes.
    public func length(barSize: UInt64) -> UInt64 {
        if let size { return size }
        return start < barSize ? min(Self.defaultSize, barSize - start) : Self.defaultSize
    }
}
