/// A parsed JSON value that remembers the line it started on, so mistakes can be reported at
/// their place in the file. (Foundation's decoder reports only paths.) A tree of these is
/// built from a JSONTape; register maps read the tape itself.
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

extension JSONParser {
    /// The document as a tree: for small documents (snapshots) read by key, not for maps.
    public static func parse(_ bytes: [UInt8]) throws(Failure) -> JSONNode {
        let tape = try tape(bytes)
        return JSONNode(tape, tape.root)
    }
}

extension JSONNode {
    init(_ tape: JSONTape, _ value: JSONTape.Value) {
        let line = tape.line(value)
        switch tape.kind(value) {
        case .null: self = .null(line: line)
        case .bool: self = .bool(tape.bool(value) ?? false, line: line)
        case .number: self = .number(tape.string(value) ?? "", line: line)
        case .string: self = .string(tape.string(value) ?? "", line: line)
        case .array: self = .array(tape.items(value).map { JSONNode(tape, $0) }, line: line)
        case .object: self = .object(tape.members(value).map { (tape.string($0.key) ?? "", JSONNode(tape, $0.value)) }, line: line)
        }
    }
}
