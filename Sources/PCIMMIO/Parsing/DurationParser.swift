/// Durations as `wait`, `watch` and `sleep` take them: a number with `us`, `ms` or `s`.
public enum DurationParser {
    /// Nanoseconds.
    public static func nanoseconds(_ text: String, what: String = "duration") throws(PCIMMIOError) -> UInt64 {
        let units: [(String, UInt64)] = [("us", 1_000), ("ms", 1_000_000), ("s", 1_000_000_000)]
        guard let (suffix, scale) = units.first(where: { text.hasSuffix($0.0) }) else {
            throw .malformedDuration(what: what, text: text)
        }
        let digits = String(text.dropLast(suffix.count))
        guard let number = try? NumberParser.value(digits, what: what) else { throw .malformedDuration(what: what, text: text) }
        let (nanoseconds, overflow) = number.multipliedReportingOverflow(by: scale)
        guard !overflow else { throw .malformedDuration(what: what, text: text) }
        return nanoseconds
    }
}

/// A readable duration for messages: `500ms`, `2s`, `150us`.
public func formatDuration(_ nanoseconds: UInt64) -> String {
    if nanoseconds % 1_000_000_000 == 0 { return String(nanoseconds / 1_000_000_000) + "s" }
    if nanoseconds % 1_000_000 == 0 { return String(nanoseconds / 1_000_000) + "ms" }
    if nanoseconds % 1_000 == 0 { return String(nanoseconds / 1_000) + "us" }
    return String(nanoseconds) + "ns"
}
