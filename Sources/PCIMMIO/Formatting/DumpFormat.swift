/// How `dump` writes what it read.
public enum DumpFormat: String, Sendable, CaseIterable {
    /// One line per 16 bytes: offset, values at the access width, ASCII.
    case hex
    /// Exactly the region's bytes, little-endian as in memory.
    case raw
    /// `{"device", "bar", "offset", "width", "values": [...]}`.
    case json

    /// `--decode` prints text, each register at its own width: with raw or JSON output, or a
    /// width, it would not be what was asked for (a raw file of text, loaded back, would write
    /// ASCII into the BAR).
    public func checkDecoding(width: Width?) throws(PCIMMIOError) {
        guard self == .hex else {
            throw .usage("--decode prints text: drop --decode for --format \(rawValue), or drop --format")
        }
        if let width {
            throw .usage("--decode reads each register at its own width: drop -w \(width.bits), or drop --decode")
        }
    }

    public init(parsing text: String) throws(PCIMMIOError) {
        guard let format = DumpFormat(rawValue: text) else {
            throw .usage("--format '\(text)' is not a dump format (expected hex, raw or json)")
        }
        self = format
    }

    /// `bigEndian` swaps the values printed (hex, json); raw stays memory order.
    func write(_ reader: RegionReader, plan: AccessPlan, to sink: OutputSink, bigEndian: Bool = false) throws(PCIMMIOError) {
        switch self {
        case .raw:
            try reader.forEachChunk { (bytes, _) throws(PCIMMIOError) in try sink.write(bytes) }
        case .hex:
            let formatter = HexDumpFormatter(width: plan.width, end: plan.region.upperBound - 1, bigEndian: bigEndian)
            try reader.forEachChunk { (bytes, offset) throws(PCIMMIOError) in try formatter.write(bytes, offset: offset, to: sink) }
        case .json:
            try sink.write("{\"device\":\"\(plan.location.slot)\",\"bar\":\(plan.location.barIndex.map(String.init) ?? "null"),\"offset\":\(plan.offset),\"width\":\(plan.width.bits),\"values\":[")
            var first = true
            try reader.forEachChunk { (bytes, _) throws(PCIMMIOError) in
                for start in stride(from: 0, to: bytes.count, by: plan.width.bytes) {
                    let value = registerValue(bytes, at: start, width: plan.width)
                    // Hex strings, as JSON.value writes them: exact in every JSON reader.
                    try sink.write((first ? "\"" : ",\"") + formatRegister(bigEndian ? value.byteSwapped(plan.width) : value, width: plan.width) + "\"")
                    first = false
                }
            }
            try sink.write("]}\n")
        }
    }
}
