/// The first `limit` numbers of a sysfs file, separated by spaces or newlines: `0x` hex, or
/// decimal (NumberParser's forms). nil when any of them is neither. Parsed byte by byte, without Strings: this runs
/// in every peek's start-up.
func whitespaceSeparatedNumbers(_ bytes: UnsafeBufferPointer<UInt8>, limit: Int) -> [UInt64]? {
    var numbers: [UInt64] = []
    var index = 0
    while index < bytes.count, numbers.count < limit {
        if bytes[index] == UInt8(ascii: " ") || bytes[index] == UInt8(ascii: "\n") { index += 1; continue }
        var end = index
        while end < bytes.count, bytes[end] != UInt8(ascii: " "), bytes[end] != UInt8(ascii: "\n") { end += 1 }
        let token = bytes[index..<end]
        guard let value = NumberParser.value(utf8: token) else { return nil }
        numbers.append(value)
        index = end
    }
    return numbers
}
