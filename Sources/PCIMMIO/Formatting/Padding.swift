/// Fixed-width text for columns, hex digits and fractions.
extension String {
    /// `"7".leftPadded(3)` is `"007"`.
    func leftPadded(_ count: Int, with pad: Character = "0") -> String {
        self.count >= count ? self : String(repeating: pad, count: count - self.count) + self
    }

    /// `"ID".padding(to: 4)` is `"ID  "`.
    func padding(to width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}
