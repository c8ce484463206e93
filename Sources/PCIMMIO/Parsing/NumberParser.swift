/// Numbers as users type them: decimal, `0x` hex, `0b` binary; sizes and offsets may also
/// carry a `k`, `M` or `G` suffix (powers of 1024).
public enum NumberParser {
    /// A plain number: a value or a mask. `what` names it in the error.
    public static func value(_ text: String, what: String = "value") throws(PCIMMIOError) -> UInt64 {
        guard let number = parse(Substring(text)) else { throw .malformedNumber(what: what, text: text) }
        return number
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
        guard let number = parse(digits) else { throw .malformedNumber(what: what, text: text) }
        let (scaled, overflow) = number.multipliedReportingOverflow(by: scale)
        guard !overflow else { throw .malformedNumber(what: what, text: text) }
        return scaled
    }

    private static func parse(_ text: Substring) -> UInt64? {
        let lower = text.lowercased()
        let (digits, radix): (Substring, Int) =
            lower.hasPrefix("0x") ? (lower.dropFirst(2), 16)
            : lower.hasPrefix("0b") ? (lower.dropFirst(2), 2)
            : (Substring(lower), 10)
        // UInt64(_:radix:) accepts a leading '+' or '-'; a register offset never has one.
        guard let first = digits.first, first.isHexDigit else { return nil }
        return UInt64(digits.filter { $0 != "_" }, radix: radix)
    }
}
