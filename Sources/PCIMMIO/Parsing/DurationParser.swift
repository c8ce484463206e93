/// Durations as `wait`, `watch` and `sleep` take them: a number, decimal fractions allowed,
/// with `ns`, `us`, `ms`, `s`, `m` or `h` (`500ms`, `1.5s`, `2m`); `forever` where the
/// caller allows it (a wait's timeout).
public enum DurationParser {
    /// Nanoseconds; `forever` is UInt64.max.
    public static func nanoseconds(_ text: String, what: String = "duration", forever: Bool = false) throws(PCIMMIOError) -> UInt64 {
        if forever, text == "forever" { return .max }
        let units: [(String, UInt64)] = [("ns", 1), ("us", 1_000), ("ms", 1_000_000), ("s", 1_000_000_000),
                                         ("m", 60_000_000_000), ("h", 3_600_000_000_000)]
        // Longest suffix first: `ms` before `s` and `m`.
        guard let (suffix, scale) = units.sorted(by: { $0.0.count > $1.0.count }).first(where: { text.hasSuffix($0.0) }) else {
            throw .malformedDuration(what: what, text: text)
        }
        let number = text.dropLast(suffix.count)
        let parts = number.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let whole = parts.first, !whole.isEmpty else { throw .malformedDuration(what: what, text: text) }
        let (wholePart, fraction) = (String(whole), parts.count == 2 ? String(parts[1]) : "")
        guard let units = (fraction.isEmpty && parts.count == 1 ? try? NumberParser.value(wholePart, what: what) : UInt64(wholePart)) else {
            throw .malformedDuration(what: what, text: text)
        }
        let (nanoseconds, overflow) = units.multipliedReportingOverflow(by: scale)
        guard !overflow else { throw .malformedDuration(what: what, text: text) }
        guard parts.count == 2 else { return nanoseconds }
        // The fraction, digit by digit, never finer than a nanosecond.
        guard !fraction.isEmpty, fraction.count <= 18, fraction.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw .malformedDuration(what: what, text: text)
        }
        var part: UInt64 = 0
        var place = scale
        for digit in fraction {
            place /= 10
            part += UInt64(digit.wholeNumberValue!) * place
        }
        let (total, tooLong) = nanoseconds.addingReportingOverflow(part)
        guard !tooLong else { throw .malformedDuration(what: what, text: text) }
        return total
    }
}

/// A readable duration for messages: `500ms`, `2s`, `150us`, `forever`.
public func formatDuration(_ nanoseconds: UInt64) -> String {
    if nanoseconds == .max { return "forever" }
    if nanoseconds % 1_000_000_000 == 0 { return String(nanoseconds / 1_000_000_000) + "s" }
    if nanoseconds % 1_000_000 == 0 { return String(nanoseconds / 1_000_000) + "ms" }
    if nanoseconds % 1_000 == 0 { return String(nanoseconds / 1_000) + "us" }
    return String(nanoseconds) + "ns"
}
