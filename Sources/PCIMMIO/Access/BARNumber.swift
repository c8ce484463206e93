/// The BAR argument: `0`–`5` or `bar0`–`bar5`; `rom` (or `6`) for the expansion ROM.
public enum BARNumber {
    public static func parse(_ text: String) throws(PCIMMIOError) -> Int {
        if text.lowercased() == "rom" { return BAR.romIndex }
        let digits = text.lowercased().hasPrefix("bar") ? text.dropFirst(3) : Substring(text)
        guard digits.count == 1, let index = Int(digits), (0...6).contains(index) else {
            throw .malformedBAR(text: text)
        }
        return index
    }
}
