/// The spellings a JSON key (or string) is compared against, such as the keys a register may
/// have, prepared for comparing with the file's bytes: each one's first eight bytes are one
/// word, so telling a key apart from the others is a compare or two, not a byte loop each.
public struct KeySpellings: Sendable {
    /// Each spelling's bytes, in the order given.
    let spellings: [[UInt8]]
    /// Each spelling's first eight bytes, zero-padded, as `head(of:)` reads a key's.
    let heads: [UInt64]
    /// The spellings as Strings, for messages and for keys that must be decoded to compare.
    public let texts: [String]

    public init(_ spellings: [String]) {
        self.spellings = spellings.map { Array($0.utf8) }
        heads = self.spellings.map { spelling in spelling.withUnsafeBufferPointer { Self.head(of: $0, from: 0, count: $0.count) } }
        texts = spellings
    }

    public var count: Int { spellings.count }

    /// The first eight bytes of `bytes[start..<start + count]` as a little-endian word, zero
    /// past `count`.
    static func head(of bytes: UnsafeBufferPointer<UInt8>, from start: Int, count: Int) -> UInt64 {
        if start + 8 <= bytes.count {
            let word = UInt64(littleEndian: UnsafeRawPointer(bytes.baseAddress! + start).loadUnaligned(as: UInt64.self))
            return count >= 8 ? word : word & (1 << (8 * UInt64(count)) - 1)
        }
        var head: UInt64 = 0
        for offset in 0..<min(count, 8) { head |= UInt64(bytes[start + offset]) << (8 * UInt64(offset)) }
        return head
    }
}
