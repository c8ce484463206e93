import Glibc

/// A small strict JSON parser (RFC 8259) over UTF-8 bytes, building a JSONTape: per value one
/// token of two words, no String and no array per object (a 100,000-register map is three
/// million values).
///
/// It reads the bytes and writes the tokens through buffer pointers, valid while `tape` runs:
/// every read is after an explicit check against the end, and every write after a check
/// against the tape's capacity.
public struct JSONParser {
    private let bytes: UnsafeBufferPointer<UInt8>
    private let tokens: UnsafeMutableBufferPointer<JSONTape.Token>
    /// Tokens written so far.
    private var count = 0
    private var index = 0
    private var depth = 0
    private var lineFeeds: [UInt32] = []
    /// Deeper nesting is refused rather than recursed into: no map needs it.
    static let maximumDepth = 64
    /// Objects up to this many members find a duplicate key by comparing with each earlier
    /// one on the tape; larger ones (value tables) with a set.
    private static let keysComparedOneByOne = 16

    public struct Failure: Error, Equatable {
        public let line: Int
        public let message: String
    }

    /// The document as a tape, or where and why it is not JSON.
    public static func tape(_ bytes: [UInt8]) throws(Failure) -> JSONTape {
        guard bytes.count <= JSONTape.maximumSize else {
            throw Failure(line: 0, message: "larger than \(JSONTape.maximumSize) bytes")
        }
        var failure: Failure?
        var lineFeeds: [UInt32] = []
        // A document of n tokens has 2n - 1 bytes at least (each value one, each container
        // one more, a separator between neighbours): the tape is allocated once at that bound
        // and never grows. Pages never written to are never touched.
        let tokens = bytes.withUnsafeBufferPointer { buffer in
            [JSONTape.Token](unsafeUninitializedCapacity: buffer.count / 2 + 1) { tape, written in
                var parser = JSONParser(bytes: buffer, tokens: tape)
                do throws(Failure) {
                    try parser.document()
                    written = parser.count
                    lineFeeds = parser.lineFeeds
                } catch {
                    failure = error
                }
            }
        }
        if let failure { throw failure }
        return JSONTape(bytes: bytes, tokens: tokens, lineFeeds: lineFeeds)
    }

    private init(bytes: UnsafeBufferPointer<UInt8>, tokens: UnsafeMutableBufferPointer<JSONTape.Token>) {
        self.bytes = bytes
        self.tokens = tokens
    }

    private mutating func document() throws(Failure) {
        try value()
        skipSpace()
        guard index == bytes.count else { throw failure("unexpected text after the JSON value") }
    }

    /// A mistake at `index`, on the line after the line feeds read so far.
    private func failure(_ message: String) -> Failure { Failure(line: lineFeeds.count + 1, message: message) }

    // The two loops every byte goes through (whitespace and strings) keep their position in a
    // local: the parser's fields would be stored back to memory on every byte.
    @inline(__always)
    private mutating func skipSpace() {
        var at = index
        while at < bytes.count {
            let byte = bytes[at]
            if byte > UInt8(ascii: " ") { break }
            if byte == UInt8(ascii: "\n") {
                lineFeeds.append(UInt32(at))
            } else if byte != UInt8(ascii: " ") && byte != UInt8(ascii: "\t") && byte != UInt8(ascii: "\r") {
                break
            }
            at += 1
        }
        index = at
    }

    private mutating func value() throws(Failure) {
        skipSpace()
        guard index < bytes.count else { throw failure("unexpected end of file") }
        switch bytes[index] {
        case UInt8(ascii: "{"): try object()
        case UInt8(ascii: "["): try array()
        case UInt8(ascii: "\""): try string()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): number()
        default: throw failure("unexpected character '\(Character(Unicode.Scalar(bytes[index])))'")
        }
    }

    @inline(__always)
    private mutating func append(_ token: JSONTape.Token) {
        precondition(count < tokens.count, "JSON tape overflow")
        tokens[count] = token
        count += 1
    }

    private mutating func append(start: Int, end: Int) {
        append(JSONTape.Token(start: UInt32(start), end: UInt32(end)))
    }

    private mutating func literal(_ word: StaticString) throws(Failure) {
        let start = index
        let length = word.utf8CodeUnitCount
        guard bytes.count - index >= length, memcmp(bytes.baseAddress! + index, word.utf8Start, length) == 0 else {
            throw failure("expected \(word)")
        }
        index += length
        append(start: start, end: index)
    }

    /// A number's text is kept as written (register values are unsigned 64-bit and may not fit
    /// a Double); the map reader says what it accepts.
    private mutating func number() {
        let start = index
        scan: while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
                 UInt8(ascii: "e"), UInt8(ascii: "E"): index += 1
            default: break scan
            }
        }
        append(start: start, end: index)
    }

    @inline(__always)
    private mutating func string() throws(Failure) {
        let start = index
        var at = index + 1
        // Plain ASCII without escapes (names, "0x…" numbers): its bytes are its text.
        var plain = true
        while at < bytes.count {
            // Eight bytes at a time to the first that is not plain text (most strings: their
            // closing quote).
            if at + 8 <= bytes.count {
                let word = UInt64(littleEndian: UnsafeRawPointer(bytes.baseAddress! + at).loadUnaligned(as: UInt64.self))
                guard let special = Self.firstSpecialByte(word) else { at += 8; continue }
                at += special
            }
            let byte = bytes[at]
            if byte == UInt8(ascii: "\"") {
                append(JSONTape.Token(start: UInt32(start), end: UInt32(at) | (plain ? 0 : JSONTape.Token.decodeFlag)))
                index = at + 1
                return
            }
            if byte == UInt8(ascii: "\\") {
                plain = false
                index = at
                try escape()
                at = index
                continue
            }
            if byte == UInt8(ascii: "\n") { index = at; throw failure("newline inside a string") }
            if byte >= 0x80 { plain = false }
            at += 1
        }
        index = at
        throw failure("unterminated string")
    }

    /// Where in eight bytes (little-endian) the first quote, backslash, line feed or byte past
    /// ASCII is, nil when none: `(x - 0x01…) & ~x & 0x80…` marks the bytes of x that are zero,
    /// exactly up to the first (a borrow can only mark bytes above it).
    static func firstSpecialByte(_ word: UInt64) -> Int? {
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        func zeroBytes(_ x: UInt64) -> UInt64 { (x &- ones) & ~x & highs }
        let marks = zeroBytes(word ^ (ones &* UInt64(UInt8(ascii: "\"")))) | zeroBytes(word ^ (ones &* UInt64(UInt8(ascii: "\\"))))
            | zeroBytes(word ^ (ones &* UInt64(UInt8(ascii: "\n")))) | word & highs
        return marks == 0 ? nil : marks.trailingZeroBitCount / 8
    }

    /// Checks the escape at `index` (its backslash) and steps over it.
    private mutating func escape() throws(Failure) {
        index += 1
        guard index < bytes.count else { throw failure("unterminated string") }
        let escape = bytes[index]
        index += 1
        switch escape {
        case UInt8(ascii: "n"), UInt8(ascii: "t"), UInt8(ascii: "r"), UInt8(ascii: "b"), UInt8(ascii: "f"),
             UInt8(ascii: "/"), UInt8(ascii: "\\"), UInt8(ascii: "\""):
            return
        case UInt8(ascii: "u"):
            guard index + 4 <= bytes.count, JSONTape.unicodeEscape(bytes[index..<index + 4]) != nil else {
                throw failure("bad \\u escape")
            }
            index += 4
        default:
            throw failure("bad escape in string")
        }
    }

    private mutating func array() throws(Failure) {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maximumDepth else { throw failure("nested deeper than \(Self.maximumDepth) levels") }
        let token = open()
        skipSpace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; close(token); return }
        while true {
            try value()
            skipSpace()
            guard index < bytes.count else { throw failure("unterminated array") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "]") { index += 1; close(token); return }
            throw failure("expected ',' or ']' in array")
        }
    }

    private mutating func object() throws(Failure) {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maximumDepth else { throw failure("nested deeper than \(Self.maximumDepth) levels") }
        let token = open()
        var members = 0
        var seen: Set<String>?
        skipSpace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; close(token); return }
        while true {
            skipSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw failure("expected a \"key\" in object") }
            let key = JSONTape.Value(token: count)
            try string()
            skipSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
                throw failure("expected ':' after \"\(text(key))\"")
            }
            index += 1
            let duplicate: Bool
            if members < Self.keysComparedOneByOne {
                duplicate = isDuplicate(key, inObjectAt: token)
            } else {
                if seen == nil { seen = keyTexts(inObjectAt: token, before: key) }
                duplicate = !seen!.insert(text(key)).inserted
            }
            if duplicate { throw failure("duplicate key \"\(text(key))\"") }
            members += 1
            try value()
            skipSpace()
            guard index < bytes.count else { throw failure("unterminated object") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "}") { index += 1; close(token); return }
            throw failure("expected ',' or '}' in object")
        }
    }

    /// Starts an object or array at `index`: its token, whose end `close` fills in.
    private mutating func open() -> Int {
        append(JSONTape.Token(start: UInt32(index) | JSONTape.Token.containerFlag, end: 0))
        index += 1
        return count - 1
    }

    private mutating func close(_ token: Int) {
        tokens[token].end = UInt32(count)
    }

    /// A key's text, for messages and for the rare keys whose bytes are not their text.
    private func text(_ key: JSONTape.Value) -> String {
        let token = tokens[key.token]
        let content = bytes[token.offset + 1..<token.endOffset]
        return token.needsDecoding ? JSONTape.decoded(content) : String(decoding: content, as: UTF8.self)
    }

    /// Whether `key` repeats one of the keys before it in the (open) object at `object`.
    private func isDuplicate(_ key: JSONTape.Value, inObjectAt object: Int) -> Bool {
        let new = tokens[key.token]
        let length = new.endOffset - new.offset
        var earlier = object + 1
        while earlier < key.token {
            let old = tokens[earlier]
            if old.needsDecoding || new.needsDecoding {
                if text(JSONTape.Value(token: earlier)) == text(key) { return true }
            } else if old.endOffset - old.offset == length {
                // Keys are short and most differ early: a loop, not a call to memcmp.
                var same = 1
                while same < length && bytes[old.offset + same] == bytes[new.offset + same] { same += 1 }
                if same == length { return true }
            }
            earlier = tokens[earlier + 1].isContainer ? Int(tokens[earlier + 1].end) : earlier + 2
        }
        return false
    }

    private func keyTexts(inObjectAt object: Int, before key: JSONTape.Value) -> Set<String> {
        var texts: Set<String> = []
        var earlier = object + 1
        while earlier < key.token {
            texts.insert(text(JSONTape.Value(token: earlier)))
            earlier = tokens[earlier + 1].isContainer ? Int(tokens[earlier + 1].end) : earlier + 2
        }
        return texts
    }
}
