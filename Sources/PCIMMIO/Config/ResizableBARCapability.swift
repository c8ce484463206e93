/// Resizable BAR (extended capability 0x0015, and 0x0024 for VFs): per resizable BAR, the
/// sizes the function offers and the size it decodes now.
public struct ResizableBARCapability: Equatable {
    public struct Entry: Equatable, Sendable {
        public let bar: Int
        /// Sizes in bytes, smallest first.
        public let supportedSizes: [UInt64]
        public let currentSize: UInt64
    }

    public let entries: [Entry]
    /// Set when the first control register's BAR count is outside 1-6.
    public let badCount: Int?

    /// Sizes are powers of two from 1 MB: size code n is 2^(n+20) bytes.
    static func bytes(_ code: Int) -> UInt64 { 1 << UInt64(code + 20) }

    public init(at offset: Int, in config: some ConfigRegisters) throws(PCIMMIOError) {
        var entries: [Entry] = []
        var count = 1
        var badCount: Int? = nil
        var index = 0
        while index < count {
            let capability = try config.dword(at: offset + 4 + 8 * index)
            let control = try config.dword(at: offset + 8 + 8 * index)
            if index == 0 {
                count = Int(control >> 5 & 0x7)
                if !(1...6).contains(count) { badCount = count; break }
            }
            // Capability bits 31:4 are sizes 1 MB-128 TB; control bits 31:16 extend them to 8 EB.
            var sizes = (0..<28).filter { bit(capability >> 4, $0) }.map(Self.bytes)
            sizes += (0..<16).filter { bit(control >> 16, $0) }.map { Self.bytes($0 + 28) }
            entries.append(Entry(bar: Int(control & 0x7), supportedSizes: sizes,
                                 currentSize: Self.bytes(Int(control >> 8 & 0x3F))))
            index += 1
        }
        self.entries = entries
        self.badCount = badCount
    }

    /// lspci's units: 1MB, 2GB, 4TB, ...
    static func sizeText(_ bytes: UInt64) -> String {
        let code = bytes.trailingZeroBitCount - 20
        let units = ["MB", "GB", "TB", "PB", "EB"]
        return "\(1 << (code % 10))\(units[min(code / 10, 4)])"
    }

    func describe(into decoded: inout DecodedCapability) {
        for entry in entries {
            var line = "BAR \(entry.bar): current size: \(Self.sizeText(entry.currentSize))"
            if !entry.supportedSizes.isEmpty {
                line += ", supported: " + entry.supportedSizes.map(Self.sizeText).joined(separator: " ")
            }
            decoded.lines.append(line)
        }
        if let badCount {
            decoded.lines.append("<error in resizable BAR: num_bars=\(badCount) is out of specification>")
        }
        decoded.fields = [("bars", .array(entries.map { entry in
            .object([
                ("bar", .number(UInt64(entry.bar))),
                ("currentSize", .number(entry.currentSize)),
                ("supportedSizes", .array(entry.supportedSizes.map { .number($0) })),
            ])
        }))]
    }
}
