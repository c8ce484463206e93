/// A `run` script, parsed whole before anything runs: a typo on line 50 must not leave a
/// device half-configured by lines 1 to 49.
///
/// The grammar is RegisterCommandSyntax (the register commands) plus `sleep DURATION`, `set NAME VALUE` (later `$NAME` or `${NAME}` in
/// any word is replaced by VALUE), `echo TEXT`, and comments: a word starting with `#` ends
/// the line. README.md documents it with an example.
///
/// Memory is bounded per line: a plain peek or poke at a numeric offset (what a
/// million-line script is made of) is kept as one 40-byte `Line`, not as a statement; other
/// commands are statements, shared by identical lines.
public struct Script {
    /// One line that does something: a plain access in place, or an index into `statements`.
    public struct Line: Equatable {
        public enum Kind: UInt8 { case statement, peek, poke, pokeVerify }
        public let offset: UInt64
        /// A poke's value, and the bits it changes (the whole width when no mask was given).
        public let value: UInt64
        public let mask: UInt64
        private let number32: UInt32
        /// Into `statements` for a statement, into `targets` for an access.
        public let index: UInt32
        public let kind: Kind

        public var number: Int { Int(number32) }
        public var statement: Int? { kind == .statement ? Int(index) : nil }

        init(number: Int, kind: Kind, index: Int, offset: UInt64 = 0, value: UInt64 = 0, mask: UInt64 = 0) {
            self.number32 = UInt32(truncatingIfNeeded: number)
            self.kind = kind
            self.index = UInt32(truncatingIfNeeded: index)
            self.offset = offset
            self.value = value
            self.mask = mask
        }

        func at(_ number: Int) -> Line { Line(number: number, kind: kind, index: Int(index), offset: offset, value: value, mask: mask) }
    }

    public let name: String
    /// Commands other than plain accesses, each distinct one once (while the caches hold it).
    public private(set) var statements: [ScriptStatement] = []
    /// DEVICE, BAR, width and --wc of the plain accesses: a handful per script.
    public private(set) var targets: [RegisterTarget] = []
    public private(set) var lines: [Line] = []

    private var variables: [String: String] = [:]
    private var devices: [String: DeviceSelector] = [:]
    private var targetIndexes: [TargetKey: Int] = [:]
    // Identical lines (a million-line script of one peek) are parsed once: their raw text, or
    // their words after substitution, find the line already made. Bounded, so a script of
    // distinct lines does not keep every line's text.
    private var knownRaw = BoundedCache<String, Line>()
    private var known = BoundedCache<String, Line>()

    private struct TargetKey: Hashable {
        let place: AccessTarget
        let width: Width?
        let writeCombining: Bool
        let via: AccessVia?
        let bigEndian: Bool
    }

    /// An empty script, for lines parsed one at a time (`run --line-buffered`).
    public init(name: String) { self.name = name }

    /// Parses every line; throws all the errors found (each with its line number).
    public init(name: String, text: [UInt8]) throws(ScriptErrors) {
        self.init(name: name)
        var errors: [PCIMMIOError] = []
        var number = 0
        var start = 0
        while start < text.count {
            number += 1
            var end = start
            while end < text.count && text[end] != UInt8(ascii: "\n") { end += 1 }
            do throws(PCIMMIOError) {
                if let line = try parse(text[start..<end], number: number) { lines.append(line) }
            } catch {
                errors.append(error)
            }
            start = end + 1
        }
        if !errors.isEmpty { throw ScriptErrors(errors: errors) }
    }

    /// One line of text: what it does, or nil for a blank line, a comment or `set`. Errors
    /// carry the file and line.
    public mutating func parse(_ raw: ArraySlice<UInt8>, number: Int) throws(PCIMMIOError) -> Line? {
        let rawKey = raw.contains(UInt8(ascii: "$")) ? nil : String(decoding: raw, as: UTF8.self)
        if let rawKey, let line = knownRaw[rawKey] { return line.at(number) }
        let words = Self.words(raw)
        guard !words.isEmpty else { return nil }
        do throws(PCIMMIOError) {
            let substituted = rawKey != nil ? words
                : try words.map { (word) throws(PCIMMIOError) in try Self.substitute(word, variables) }
            guard rawKey != nil || substituted.reduce(0, { $0 + $1.utf8.count + 1 }) <= Self.longestLine else {
                throw .usage("the line is longer than \(Self.longestLine) bytes after substitution")
            }
            if substituted[0] == "set" {
                try Self.define(substituted, in: &variables)
                return nil
            }
            let key = substituted.joined(separator: " ")
            let line: Line
            if let existing = known[key] {
                line = existing.at(number)
            } else {
                line = make(try ScriptStatement.parse(substituted, devices: &devices), number: number)
                known[key] = line
            }
            if let rawKey { knownRaw[rawKey] = line }
            return line
        } catch {
            throw .inScript(file: name, line: number, error)
        }
    }

    /// The statement a line stands for (a plain access made whole again).
    public func statement(_ line: Line) -> ScriptStatement {
        switch line.kind {
        case .statement: return statements[Int(line.index)]
        case .peek: return .peek(targets[Int(line.index)], .offset(line.offset), count: 1, json: false, decode: false)
        case .poke, .pokeVerify:
            let target = targets[Int(line.index)]
            return .poke(target, .value(.offset(line.offset), line.value, mask: line.mask == target.width.mask ? nil : line.mask),
                         verify: line.kind == .pokeVerify)
        }
    }

    private mutating func make(_ statement: ScriptStatement, number: Int) -> Line {
        switch statement {
        case let .peek(target, .offset(offset), 1, false, false):
            return Line(number: number, kind: .peek, index: targetIndex(target), offset: offset)
        case let .poke(target, .value(.offset(offset), value, mask), verify):
            // Without a mask every bit is written: the width's mask means the same, with no read.
            return Line(number: number, kind: verify ? .pokeVerify : .poke, index: targetIndex(target), offset: offset,
                        value: value, mask: mask ?? target.width.mask)
        default:
            statements.append(statement)
            return Line(number: number, kind: .statement, index: statements.count - 1)
        }
    }

    private mutating func targetIndex(_ target: RegisterTarget) -> Int {
        let key = TargetKey(place: target.place, width: target.explicitWidth,
                            writeCombining: target.writeCombining, via: target.via, bigEndian: target.bigEndian)
        if let known = targetIndexes[key] { return known }
        targets.append(target)
        targetIndexes[key] = targets.count - 1
        return targets.count - 1
    }

    /// Whitespace-separated words, up to a word starting with `#`.
    private static func words(_ line: ArraySlice<UInt8>) -> [String] {
        var words: [String] = []
        var index = line.startIndex
        while index < line.endIndex {
            while index < line.endIndex && (line[index] == 32 || line[index] == 9 || line[index] == 13) { index += 1 }
            guard index < line.endIndex else { break }
            if line[index] == UInt8(ascii: "#") { break }
            let wordStart = index
            while index < line.endIndex && line[index] != 32 && line[index] != 9 && line[index] != 13 { index += 1 }
            words.append(String(decoding: line[wordStart..<index], as: UTF8.self))
        }
        return words
    }

    /// The longest a line may grow by `$NAME` substitution, in bytes: checked before each
    /// value is appended, so `set a $a$a` repeated cannot take the memory (issue 22 group E).
    public static let longestLine = 65_536

    private static func substitute(_ word: String, _ variables: [String: String]) throws(PCIMMIOError) -> String {
        guard word.contains("$") else { return word }
        var result = ""
        var rest = Substring(word)
        while let dollar = rest.firstIndex(of: "$") {
            result += rest[..<dollar]
            var name = rest[rest.index(after: dollar)...]
            var after: Substring
            if name.first == "{" {
                guard let close = name.firstIndex(of: "}") else { throw .usage("unclosed ${ in '\(word)'") }
                after = name[name.index(after: close)...]
                name = name[name.index(after: name.startIndex)..<close]
            } else {
                let end = name.firstIndex { !($0.isLetter || $0.isNumber || $0 == "_") } ?? name.endIndex
                after = name[end...]
                name = name[..<end]
            }
            guard let value = variables[String(name)] else {
                throw .usage("'\(name)' is not set (define it first with: set \(name.isEmpty ? "NAME" : name) VALUE)")
            }
            guard result.utf8.count + value.utf8.count + after.utf8.count <= longestLine else {
                throw .usage("'$\(name)' makes a word longer than \(longestLine) bytes, the most a line may hold after substitution")
            }
            result += value
            rest = after
        }
        return result + rest
    }

    private static func define(_ words: [String], in variables: inout [String: String]) throws(PCIMMIOError) {
        guard words.count == 3 else { throw .usage("set takes a name and one value (usage: set NAME VALUE)") }
        let name = words[1]
        guard let first = name.first, first.isLetter || first == "_",
              name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
            throw .usage("'\(name)' is not a name (letters, digits and _, not starting with a digit)")
        }
        variables[name] = words[2]
    }
}

/// Every parse error of a script, each already carrying its file and line.
public struct ScriptErrors: Error {
    public let errors: [PCIMMIOError]
}
