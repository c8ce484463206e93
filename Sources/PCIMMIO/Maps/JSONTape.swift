/// A parsed JSON document as one flat list of tokens over its bytes (a "tape"), in document
/// order: an object's token is followed by its keys and values, an array's by its items.
/// Parsing a map of 100,000 registers fills two arrays instead of allocating a String per key
/// and an array per object; reading it makes Strings only of what the reader keeps.
///
/// Values are `JSONTape.Value`s, positions on the tape: a reader asks the tape about them
/// (kind, line, members, text) and nothing is copied out until it asks for a String.
public struct JSONTape: Sendable {
    /// The document's bytes, which the tokens point into.
    public let bytes: [UInt8]
    let tokens: [Token]
    /// Offsets of the document's line feeds (all in whitespace: strings may not hold one),
    /// from which a value's line is found: a token need not carry it.
    let lineFeeds: [UInt32]

    /// Offsets are 31 bits: the top bit of a token's words is a flag.
    static let maximumSize = (1 << 31) - 1

    struct Token: Sendable {
        /// Offset of the value's first byte (`{`, `[`, `"`, a digit or `-`, `t`, `f`, `n`),
        /// and `containerFlag` on objects and arrays.
        var start: UInt32
        /// Objects and arrays: the index of the token after their last one. Strings: offset of
        /// the closing quote, and `decodeFlag` when the text has escapes or bytes past ASCII
        /// (its bytes are then not its text, or not plain ASCII to compare). Numbers and
        /// literals: offset after the last byte.
        var end: UInt32

        static let containerFlag: UInt32 = 1 << 31
        static let decodeFlag: UInt32 = 1 << 31

        var isContainer: Bool { start & Self.containerFlag != 0 }
        var offset: Int { Int(start & ~Self.containerFlag) }
        var endOffset: Int { Int(end & ~Self.decodeFlag) }
        var needsDecoding: Bool { end & Self.decodeFlag != 0 }
    }

    /// A value on the tape (or an object's key).
    public struct Value: Sendable, Equatable {
        let token: Int
    }

    public enum Kind: Sendable, Equatable {
        case object, array, string, number, bool, null
    }

    init(bytes: [UInt8], tokens: [Token], lineFeeds: [UInt32]) {
        self.bytes = bytes
        self.tokens = tokens
        self.lineFeeds = lineFeeds
    }

    public var root: Value { Value(token: 0) }

    @inline(__always)
    public func kind(_ value: Value) -> Kind {
        switch bytes[tokens[value.token].offset] {
        case UInt8(ascii: "{"): .object
        case UInt8(ascii: "["): .array
        case UInt8(ascii: "\""): .string
        case UInt8(ascii: "t"), UInt8(ascii: "f"): .bool
        case UInt8(ascii: "n"): .null
        default: .number
        }
    }

    /// The line the value starts on, from 1.
    public func line(_ value: Value) -> Int {
        // No hint: a binary search (a hint of 0 scanned from the first line, which made
        // reading a snapshot quadratic in its length, issue 22 group C).
        var anywhere = Int.max
        return line(value, hint: &anywhere)
    }

    /// `line(value)` for a reader going through the file in order (a map's registers and
    /// fields): the search starts from the previous answer, `hint`, and is a step or two.
    public func line(_ value: Value, hint: inout Int) -> Int {
        let offset = UInt32(tokens[value.token].offset)
        var low = 0, high = lineFeeds.count
        if hint <= high, hint == 0 || lineFeeds[hint - 1] < offset {
            low = hint
            while low < high, lineFeeds[low] < offset { low += 1 }
        } else {
            while low < high {
                let middle = (low + high) / 2
                if lineFeeds[middle] < offset { low = middle + 1 } else { high = middle }
            }
        }
        hint = low
        return low + 1
    }

    /// An object's keys and values, in file order (empty for anything else).
    public func members(_ object: Value) -> Members {
        guard kind(object) == .object else { return Members(tokens: tokens, position: 0, end: 0) }
        return Members(tokens: tokens, position: object.token + 1, end: Int(tokens[object.token].end))
    }

    /// An array's items, in file order (empty for anything else).
    public func items(_ array: Value) -> Items {
        guard kind(array) == .array else { return Items(tokens: tokens, position: 0, end: 0) }
        return Items(tokens: tokens, position: array.token + 1, end: Int(tokens[array.token].end))
    }

    /// How many members an object has, or items an array.
    public func count(of container: Value) -> Int {
        switch kind(container) {
        case .object: members(container).reduce(0) { count, _ in count + 1 }
        case .array: items(container).reduce(0) { count, _ in count + 1 }
        default: 0
        }
    }

    public struct Members: Sequence, IteratorProtocol {
        let tokens: [Token]
        var position: Int
        let end: Int

        public mutating func next() -> (key: Value, value: Value)? {
            guard position < end else { return nil }
            let key = position
            position = tokens[key + 1].isContainer ? Int(tokens[key + 1].end) : key + 2
            return (Value(token: key), Value(token: key + 1))
        }
    }

    public struct Items: Sequence, IteratorProtocol {
        let tokens: [Token]
        var position: Int
        let end: Int

        public mutating func next() -> Value? {
            guard position < end else { return nil }
            let item = position
            position = tokens[item].isContainer ? Int(tokens[item].end) : item + 1
            return Value(token: item)
        }
    }

    /// The member of `object` with this key, if any (keys are unique: the parser refuses twins).
    public func member(_ object: Value, _ key: StaticString) -> Value? {
        for (candidate, value) in members(object) where isKey(candidate, key) { return value }
        return nil
    }

    /// Whether a string (or key) is this text (for a one-off question: compare a map's many
    /// keys with `position(of:in:)`).
    public func isKey(_ key: Value, _ text: StaticString) -> Bool {
        guard kind(key) == .string else { return false }
        let token = tokens[key.token]
        let same = text.withUTF8Buffer { $0.elementsEqual(bytes[token.offset + 1..<token.endOffset]) }
        return same || token.needsDecoding && string(key) == text.description
    }

    /// Which of `spellings` a string (or key) is, nil when none (or when it is no string).
    /// Compares bytes; only a string with escapes or bytes past ASCII is decoded, when its
    /// bytes matched none, to compare as Swift compares Strings.
    public func position(of key: Value, in spellings: KeySpellings) -> Int? {
        let token = tokens[key.token]
        let start = token.offset + 1, count = token.endOffset - start
        let found = bytes.withUnsafeBufferPointer { file -> Int? in
            guard file[token.offset] == UInt8(ascii: "\"") else { return nil }
            let head = KeySpellings.head(of: file, from: start, count: count)
            for position in spellings.heads.indices where spellings.heads[position] == head {
                let spelling = spellings.spellings[position]
                if spelling.count == count && (count <= 8 || spelling.elementsEqual(file[start..<start + count])) { return position }
            }
            return nil
        }
        if found != nil || !token.needsDecoding { return found }
        guard kind(key) == .string, let decoded = string(key) else { return nil }
        return spellings.texts.firstIndex(of: decoded)
    }

    /// The text of a string (escapes decoded), or a number's digits as written; nil for the
    /// other kinds.
    public func string(_ value: Value) -> String? {
        let token = tokens[value.token]
        switch kind(value) {
        case .string:
            let content = token.offset + 1..<token.endOffset
            return token.needsDecoding ? Self.decoded(bytes[content]) : String(decoding: bytes[content], as: UTF8.self)
        case .number:
            return String(decoding: bytes[token.offset..<token.endOffset], as: UTF8.self)
        default:
            return nil
        }
    }

    /// `body` over the UTF-8 text of a string or number, as `string` gives it: the file's own
    /// bytes when they are the text (nearly always), without making a String or retaining
    /// the file; nil for the other kinds.
    public func withUTF8<Result>(_ value: Value, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result? {
        let token = tokens[value.token]
        let text: Range<Int>
        switch kind(value) {
        case .string where token.needsDecoding:
            guard var decoded = string(value) else { return nil }
            return decoded.withUTF8(body)
        case .string: text = token.offset + 1..<token.endOffset
        case .number: text = token.offset..<token.endOffset
        default: return nil
        }
        return bytes.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[text])) }
    }

    /// `true` or `false`; nil for the other kinds.
    public func bool(_ value: Value) -> Bool? {
        kind(value) == .bool ? bytes[tokens[value.token].offset] == UInt8(ascii: "t") : nil
    }

    /// A string's text with its escapes replaced (the parser has checked them). Bytes that are
    /// not UTF-8 become U+FFFD, as everywhere else.
    static func decoded<Content: Collection<UInt8>>(_ content: Content) -> String where Content.Index == Int {
        var text: [UInt8] = []
        text.reserveCapacity(content.count)
        var index = content.startIndex
        while index < content.endIndex {
            let byte = content[index]
            index += 1
            guard byte == UInt8(ascii: "\\") else { text.append(byte); continue }
            let escape = content[index]
            index += 1
            switch escape {
            case UInt8(ascii: "n"): text.append(0x0a)
            case UInt8(ascii: "t"): text.append(0x09)
            case UInt8(ascii: "r"): text.append(0x0d)
            case UInt8(ascii: "b"): text.append(0x08)
            case UInt8(ascii: "f"): text.append(0x0c)
            case UInt8(ascii: "u"):
                if let scalar = unicodeEscape(content[index..<index + 4]) { text.append(contentsOf: Array(String(Character(scalar)).utf8)) }
                index += 4
            default: text.append(escape)
            }
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// The scalar of `\uXXXX`'s four bytes, nil when they are not one.
    static func unicodeEscape<Digits: Collection<UInt8>>(_ digits: Digits) -> Unicode.Scalar? {
        guard digits.count == 4, let code = UInt32(String(decoding: digits, as: UTF8.self), radix: 16) else { return nil }
        return Unicode.Scalar(code)
    }
}
