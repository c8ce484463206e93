/// Lowercase hex, zero-padded to at least `digits`.
func hex<T: BinaryInteger>(_ value: T, digits: Int) -> String {
    String(value, radix: 16).leftPadded(digits)
}
