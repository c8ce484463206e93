/// What `config` prints: reads as setpci prints them (width/4 hex digits, no 0x), one per
/// line; writes only when dry (`would write …`); or one JSON array.
public enum ConfigResults {
    public static func text(_ results: [ConfigProgram.Result], slot: String, dryRun: Bool) -> String {
        var text = ""
        for result in results {
            switch result {
            case let .read(_, width, value):
                text += hex(value, digits: width.hexDigits) + "\n"
            case let .wrote(offset, width, value, mask) where dryRun:
                text += "would write " + describe(offset, width, value, mask, slot: slot) + "\n"
            case .wrote:
                break
            }
        }
        return text
    }

    /// A dry run's writes say so (`"dryRun": true`): nothing was written.
    public static func json(_ results: [ConfigProgram.Result], slot: String, via: AccessVia, dryRun: Bool = false) -> String {
        JSON.array(results.map { result in
            switch result {
            case let .read(offset, width, value):
                return .object([("op", .string("read")), ("device", .string(slot)), ("via", .string(via.rawValue)),
                                ("offset", .number(UInt64(offset))), ("width", .number(UInt64(width.bits))),
                                ("value", .value(UInt64(value), width: width))])
            case let .wrote(offset, width, value, mask):
                return .object([("op", .string("write")), ("device", .string(slot)), ("via", .string(via.rawValue)),
                                ("offset", .number(UInt64(offset))), ("width", .number(UInt64(width.bits))),
                                ("value", .value(UInt64(value), width: width)), ("mask", mask.map { .value(UInt64($0), width: width) } ?? .null)]
                               + (dryRun ? [("dryRun", JSON.bool(true))] : []))
            }
        }).rendered() + "\n"
    }

    private static func describe(_ offset: Int, _ width: Width, _ value: UInt32, _ mask: UInt32?, slot: String) -> String {
        let digits = width.hexDigits
        let place = "\(slot) config 0x\(hex(offset, digits: 2)) (\(width.bits)-bit)"
        guard let mask, UInt64(mask) != width.mask else { return "0x\(hex(value, digits: digits)) to \(place)" }
        return "(old & ~0x\(hex(mask, digits: digits))) | 0x\(hex(value, digits: digits)) to \(place), reading it first"
    }
}
