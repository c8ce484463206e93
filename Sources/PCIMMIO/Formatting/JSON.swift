/// A JSON value, written without Foundation so start-up stays lean.
public enum JSON: Equatable {
    case null
    case bool(Bool)
    case number(UInt64)
    case string(String)
    case array([JSON])
    /// Keys keep their order, so output is stable and reads like the documentation.
    case object([(String, JSON)])

    public static func == (a: JSON, b: JSON) -> Bool { a.rendered() == b.rendered() }

    public static func string(_ text: String?) -> JSON { text.map(JSON.string) ?? .null }

    /// A register's value: a hex string of the width's digits (`"0x0000abcd"`), never a
    /// number: JSON readers such as jq hold numbers as doubles, exact only below 2^53.
    public static func value(_ value: UInt64, width: Width) -> JSON { .string(formatRegister(value, width: width)) }

    /// A field's value: a hex string (`"0x1"`), for the same reason.
    public static func fieldValue(_ value: UInt64) -> JSON { .string("0x" + String(value, radix: 16)) }

    /// Compact when `indent` is nil, else pretty-printed with that many spaces per level.
    public func rendered(indent: Int? = 2) -> String {
        var out = ""
        write(to: &out, indent: indent, level: 0)
        return out
    }

    private func write(to out: inout String, indent: Int?, level: Int) {
        switch self {
        case .null: out += "null"
        case let .bool(value): out += value ? "true" : "false"
        case let .number(value): out += String(value)
        case let .string(text): JSON.escape(text, into: &out)
        case let .array(items):
            writeContainer(items.map { (nil, $0) }, open: "[", close: "]", to: &out, indent: indent, level: level)
        case let .object(members):
            writeContainer(members.map { ($0.0, $0.1) }, open: "{", close: "}", to: &out, indent: indent, level: level)
        }
    }

    private func writeContainer(_ items: [(String?, JSON)], open: String, close: String,
                                to out: inout String, indent: Int?, level: Int) {
        out += open
        if items.isEmpty { out += close; return }
        for (position, (key, value)) in items.enumerated() {
            if position > 0 { out += "," }
            if let indent { out += "\n" + String(repeating: " ", count: indent * (level + 1)) }
            if let key {
                JSON.escape(key, into: &out)
                out += indent == nil ? ":" : ": "
            }
            value.write(to: &out, indent: indent, level: level + 1)
        }
        if let indent { out += "\n" + String(repeating: " ", count: indent * level) }
        out += close
    }

    static func escape(_ text: String, into out: inout String) {
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += "\\u" + hex(scalar.value, digits: 4)
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}
