/// A small strict JSON parser (RFC 8259) over UTF-8 bytes, building a JSONTape: per value one
/// token of two words, no String and no array per object (a 100,000-register map is three
/// million values).
public struct JSONParser {
    private let bytes: [UInt8]
    private var index = 0
    private var line = 1
    private var depth = 0
    private var tokens: [JSONTape.Token] = []
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
        var parser = JSONParser(bytes: bytes)
        // A value and the separator after it take two bytes at least: with this, the tape never
        // grows (and copies) while parsing. Pages never written to are never touched.
        parser.tokens.reserveCapacity(bytes.count / 2 + 1)
        try parser.value()
        parser.skipSpace()
        guard parser.index == bytes.count else { throw parser.failure("unexpected text after the JSON value") }
        return JSONTape(bytes: bytes, tokens: parser.tokens, lineFeeds: parser.lineFeeds)
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    private func failure(_ message: String) -> Failure { Failure(line: line, message: message) }

    private mutating func skipSpace() {
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\n"): lineFeeds.append(UInt32(index)); line += 1; index += 1
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"): index += 1
            default: return
            }
        }
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

    private mutating func append(start: Int, end: Int) {
        tokens.append(JSONTape.Token(start: UInt32(start), end: UInt32(end)))
    }

    private mutating func literal(_ word: StaticString) throws(Failure) {
        let start = index
        let matches = word.withUTF8Buffer { expected in
            bytes.count - index >= expected.count && bytes[index..<index + expected.count].elementsEqual(expected)
        }
        guard matches else { throw failure("expected \(word)") }
        index += word.utf8CodeUnitCount
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

    private mutating func string() throws(Failure) {
        let start = index
        index += 1
        // Plain ASCII without escapes (names, "0x…" numbers): its bytes are its text.
        var plain = true
        while true {
            guard index < bytes.count else { throw failure("unterminated string") }
            switch bytes[index] {
            case UInt8(ascii: "\""):
                tokens.append(JSONTape.Token(start: UInt32(start), end: UInt32(index) | (plain ? 0 : JSONTape.Token.decodeFlag)))
                index += 1
                return
            case UInt8(ascii: "\n"):
                throw failure("newline inside a string")
            case UInt8(ascii: "\\"):
                plain = false
                try escape()
            case 0x80...:
                plain = false
                index += 1
            default:
                index += 1
            }
        }
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
        var count = 0
        var seen: Set<String> = []
        skipSpace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; close(token); return }
        while true {
            skipSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw failure("expected a \"key\" in object") }
            let key = JSONTape.Value(token: tokens.count)
            try string()
            skipSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
                throw failure("expected ':' after \"\(text(key))\"")
            }
            index += 1
            let duplicate: Bool
            if count < Self.keysComparedOneByOne {
                duplicate = isDuplicate(key, inObjectAt: token)
            } else {
                if seen.isEmpty { seen = keyTexts(inObjectAt: token, before: key) }
                duplicate = !seen.insert(text(key)).inserted
            }
            if duplicate { throw failure("duplicate key \"\(text(key))\"") }
            count += 1
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
        tokens.append(JSONTape.Token(start: UInt32(index) | JSONTape.Token.containerFlag, end: 0))
        index += 1
        return tokens.count - 1
    }

    private mutating func close(_ token: Int) {
        tokens[token].end = UInt32(tokens.count)
    }

    /// A key's text, for messages and for the rare keys whose bytes are not their text.
    private func text(_ key: JSONTape.Value) -> String {
        JSONTape(bytes: bytes, tokens: tokens, lineFeeds: []).string(key) ?? ""
    }

    /// Whether `key` repeats one of the keys before it in the (open) object at `object`.
    private func isDuplicate(_ key: JSONTape.Value, inObjectAt object: Int) -> Bool {
        let new = tokens[key.token]
        let newText = new.offset + 1..<new.endOffset
        var earlier = object + 1
        while earlier < key.token {
            let old = tokens[earlier]
            if old.needsDecoding || new.needsDecoding {
                if text(JSONTape.Value(token: earlier)) == text(key) { return true }
            } else if old.endOffset - old.offset == new.endOffset - new.offset,
                      bytes[old.offset + 1..<old.endOffset].elementsEqual(bytes[newText]) {
                return true
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
