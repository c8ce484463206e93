/// Numbers as the XML formats write them: decimal, `0x` hex, Verilog-style `'h1f`,
/// `8'hff`, `'d10`, `'b101`, `'o17` (IP-XACT), `#1010` (binary in SVD, hex in SPIRIT 1.x
/// and IP-XACT 2009), and IP-XACT 2009's `K`, `M`, `G`, `T` scale suffixes. `_` may
/// separate digits. Expressions and parameters are not evaluated: nil.
enum ImportNumber {
    enum Hash { case binary, hex }

    static func parse(_ text: String, hash: Hash) -> UInt64? {
        var digits = Substring(text.trimmingWhitespace()).filter { $0 != "_" }[...]
        var radix = 10
        var scale: UInt64 = 1
        if let quote = digits.firstIndex(of: "'") {
            // [width]'[s]base digits
            guard digits[..<quote].allSatisfy(\.isNumber) else { return nil }
            var rest = digits[digits.index(after: quote)...]
            if rest.first == "s" || rest.first == "S" { rest = rest.dropFirst() }
            switch rest.first?.lowercased() {
            case "h": radix = 16
            case "d": radix = 10
            case "b": radix = 2
            case "o": radix = 8
            default: return nil
            }
            digits = rest.dropFirst()
        } else if digits.hasPrefix("0x") || digits.hasPrefix("0X") {
            radix = 16
            digits = digits.dropFirst(2)
        } else if digits.hasPrefix("0b") || digits.hasPrefix("0B") {
            radix = 2
            digits = digits.dropFirst(2)
        } else if digits.hasPrefix("#") {
            radix = hash == .binary ? 2 : 16
            digits = digits.dropFirst()
        }
        if radix != 2, let last = digits.last, let power = "KMGT".firstIndex(of: Character(last.uppercased())),
           radix == 10 || !last.isHexDigit {
            scale = 1 << (10 * UInt64("KMGT".distance(from: "KMGT".startIndex, to: power) + 1))
            digits = digits.dropLast()
        }
        guard !digits.isEmpty, let value = UInt64(digits, radix: radix) else { return nil }
        let (scaled, overflow) = value.multipliedReportingOverflow(by: scale)
        return overflow ? nil : scaled
    }
}
