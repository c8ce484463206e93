/// A parsed JSON value that remembers the line it started on, so a register map's mistakes
/// can be reported at their place in the file. (Foundation's decoder reports only paths.)
public enum JSONNode {
    case null(line: Int)
    case bool(Bool, line: Int)
    /// Numbers keep their text: register values are unsigned 64-bit and may not fit a Double.
    case number(String, line: Int)
    case string(String, line: Int)
    case array([JSONNode], line: Int)
    case object([(key: String, value: JSONNode)], line: Int)

    public var line: Int {
        switch self {
        case let .null(line), let .bool(_, line), let .number(_, line), let .string(_, line),
             let .array(_, line), let .object(_, line): return line
        }
    }

    public subscript(key: String) -> JSONNode? {
        guard case let .object(members, _) = self else { return nil }
        return members.first { $0.key == key }?.value
    }
}

/// A small strict JSON parser (RFC 8259) over UTF-8 bytes.
public struct JSONParser {
    private let bytes: [UInt8]
    private var index = 0
    private var line = 1
    private var depth = 0
    /// Deeper nesting is refused rather than recursed into: no map needs it.
    static let maximumDepth = 64

    public struct Failure: Error, Equatable {
        public let line: Int
        public let message: String
    }

    public static func parse(_ bytes: [UInt8]) throws(Failure) -> JSONNode {
        var parser = JSONParser(bytes: bytes)
        let value = try parser.value()
        parser.skipSpace()
        guard parser.index == bytes.count else { throw parser.failure("unexpected text after the JSON value") }
        return value
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    private func failure(_ message: String) -> Failure { Failure(line: line, message: message) }

    private mutating func skipSpace() {
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\n"): line += 1; index += 1
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"): index += 1
            default: return
            }
        }
    }

    private mutating func value() throws(Failure) -> JSONNode {
        skipSpace()
        guard index < bytes.count else { throw failure("unexpected end of file") }
        let start = line
        switch bytes[index] {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""): return .string(try string(), line: start)
        case UInt8(ascii: "t"): try literal("true"); return .bool(true, line: start)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false, line: start)
        case UInt8(ascii: "n"): try literal("null"); return .null(line: start)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(number(), line: start)
        default: throw failure("unexpected character '\(Character(Unicode.Scalar(bytes[index])))'")
        }
    }

    private mutating func literal(_ word: String) throws(Failure) {
        let expected = Array(word.utf8)
        guard bytes.count - index >= expected.count, Array(bytes[index..<index + expected.count]) == expected else {
            throw failure("expected \(word)")
        }
        index += expected.count
    }

    private mutating func number() -> String {
        let start = index
        while index < bytes.count, "+-0123456789.eE".utf8.contains(bytes[index]) { index += 1 }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    private mutating func string() throws(Failure) -> String {
        index += 1
        // Most strings (names, "0x…" numbers) have no escapes: one String straight from the bytes.
        var end = index
        while end < bytes.count, bytes[end] != UInt8(ascii: "\""), bytes[end] != UInt8(ascii: "\\"), bytes[end] != UInt8(ascii: "\n") { end += 1 }
        if end < bytes.count, bytes[end] == UInt8(ascii: "\"") {
            defer { index = end + 1 }
            return String(decoding: bytes[index..<end], as: UTF8.self)
        }
        var text: [UInt8] = []
        while true {
            guard index < bytes.count else { throw failure("unterminated string") }
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(decoding: text, as: UTF8.self)
            case UInt8(ascii: "\n"):
                throw failure("newline inside a string")
            case UInt8(ascii: "\\"):
                guard index < bytes.count else { throw failure("unterminated string") }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "n"): text.append(0x0a)
                case UInt8(ascii: "t"): text.append(0x09)
                case UInt8(ascii: "r"): text.append(0x0d)
                case UInt8(ascii: "b"): text.append(0x08)
                case UInt8(ascii: "f"): text.append(0x0c)
                case UInt8(ascii: "/"), UInt8(ascii: "\\"), UInt8(ascii: "\""): text.append(escape)
                case UInt8(ascii: "u"):
                    guard index + 4 <= bytes.count,
                          let code = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16),
                          let scalar = Unicode.Scalar(code) else { throw failure("bad \\u escape") }
                    text.append(contentsOf: Array(String(Character(scalar)).utf8))
                    index += 4
                default: throw failure("bad escape in string")
                }
            default:
                text.append(byte)
            }
        }
    }

    private mutating func array() throws(Failure) -> JSONNode {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maximumDepth else { throw failure("nested deeper than \(Self.maximumDepth) levels") }
        let start = line
        index += 1
        var items: [JSONNode] = []
        skipSpace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return .array(items, line: start) }
        while true {
            items.append(try value())
            skipSpace()
            guard index < bytes.count else { throw failure("unterminated array") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(items, line: start) }
            throw failure("expected ',' or ']' in array")
        }
    }

    private mutating func object() throws(Failure) -> JSONNode {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maximumDepth else { throw failure("nested deeper than \(Self.maximumDepth) levels") }
        let start = line
        index += 1
        var members: [(key: String, value: JSONNode)] = []
        var seen: Set<String> = []
        skipSpace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members, line: start) }
        while true {
            skipSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw failure("expected a \"key\" in object") }
            let key = try string()
            skipSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw failure("expected ':' after \"\(key)\"") }
            index += 1
            // Objects are small (a register's few keys) except value tables: those get a set.
            let duplicate: Bool
            if members.count < 16 {
                duplicate = members.contains { $0.key == key }
            } else {
                if seen.isEmpty { seen = Set(members.map(\.key)) }
                duplicate = !seen.insert(key).inserted
            }
            if duplicate { throw failure("duplicate key \"\(key)\"") }
            members.append((key, try value()))
            skipSpace()
            guard index < bytes.count else { throw failure("unterminated object") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members, line: start) }
            throw failure("expected ',' or '}' in object")
        }
    }
}
