/// Numbers as users type them: decimal, `0x` hex, `0b` binary; sizes and offsets may also
/// carry a `k`, `M` or `G` suffix (powers of 1024).
public enum NumberParser {
    /// A plain number: a value or a mask. `what` names it in the error.
    public static func value(_ text: String, what: String = "value") throws(PCIMMIOError) -> UInt64 {
        guard let number = parse(text.utf8) else { throw .malformedNumber(what: what, text: text) }
        return number
    }

    /// A plain number's UTF-8 digits (a map's, read without making a String), nil when they
    /// are not one.
    public static func value<Digits: Collection<UInt8>>(utf8 digits: Digits) -> UInt64? {
        parse(digits)
    }

    /// An offset or size, suffixes allowed.
    public static func quantity(_ text: String, what: String = "offset") throws(PCIMMIOError) -> UInt64 {
        var digits = Substring(text)
        var scale: UInt64 = 1
        switch digits.last {
        case "k", "K": scale = 1 << 10
        case "M": scale = 1 << 20
        case "G": scale = 1 << 30
        default: break
        }
        if scale != 1 { digits = digits.dropLast() }
        // A trailing 'b' would otherwise be read as a hex digit only in hex numbers; keep it simple.
        guard let number = parse(digits.utf8) else { throw .malformedNumber(what: what, text: text) }
        let (scaled, overflow) = number.multipliedReportingOverflow(by: scale)
        guard !overflow else { throw .malformedNumber(what: what, text: text) }
        return scaled
    }

    /// Digits over UTF-8 bytes: scripts parse millions of these. `_` may separate digits.
    private static func parse<Digits: Collection<UInt8>>(_ text: Digits) -> UInt64? {
        var bytes = text[...]
        var radix: UInt64 = 10
        if bytes.count > 2, bytes.first == UInt8(ascii: "0") {
            switch bytes[bytes.index(after: bytes.startIndex)] | 0x20 {
            case UInt8(ascii: "x"): radix = 16
            case UInt8(ascii: "b"): radix = 2
            default: break
            }
            if radix != 10 { bytes = bytes.dropFirst(2) }
        }
        guard let first = bytes.first, first != UInt8(ascii: "_") else { return nil }
        var value: UInt64 = 0
        for byte in bytes {
            let digit: UInt64
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt64(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt64(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt64(byte - UInt8(ascii: "A") + 10)
            case UInt8(ascii: "_"): continue
            default: return nil
            }
            guard digit < radix else { return nil }
            let (shifted, overflow) = value.multipliedReportingOverflow(by: radix)
            let (sum, carry) = shifted.addingReportingOverflow(digit)
            guard !overflow, !carry else { return nil }
            value = sum
        }
        return value
    }
}
