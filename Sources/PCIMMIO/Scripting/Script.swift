/// A `run` script, parsed whole before anything runs: a typo on line 50 must not leave a
/// device half-configured by lines 1 to 49.
///
/// The grammar is ScriptStatement.usage plus `set NAME VALUE` (later `$NAME` or `${NAME}` in
/// any word is replaced by VALUE), `echo TEXT`, and comments: a word starting with `#` ends
/// the line. README.md documents it with an example.
public struct Script {
    public struct Line {
        public let number: Int
        /// Index into `statements`: identical lines share one parsed statement.
        public let statement: Int
    }

    public let name: String
    public private(set) var statements: [ScriptStatement] = []
    public private(set) var lines: [Line] = []

    /// Parses every line; throws all the errors found (each with its line number).
    public init(name: String, text: [UInt8]) throws(ScriptErrors) {
        self.name = name
        var variables: [String: String] = [:]
        var known: [String: Int] = [:]
        // Lines without `$` mean the same wherever they appear: their raw text finds their
        // statement without splitting or substituting (a million-line script of peeks).
        var knownRaw: [String: Int] = [:]
        var devices: [String: DeviceSelector] = [:]
        var errors: [PCIMMIOError] = []
        var number = 0
        var start = 0
        while start < text.count {
            number += 1
            var end = start
            while end < text.count && text[end] != UInt8(ascii: "\n") { end += 1 }
            let raw = text[start..<end]
            start = end + 1
            let rawKey = raw.contains(UInt8(ascii: "$")) ? nil : String(decoding: raw, as: UTF8.self)
            if let rawKey, let index = knownRaw[rawKey] {
                lines.append(Line(number: number, statement: index))
                continue
            }
            let words = Self.words(raw)
            guard !words.isEmpty else { continue }
            do throws(PCIMMIOError) {
                let substituted = rawKey != nil ? words
                    : try words.map { (word) throws(PCIMMIOError) in try Self.substitute(word, variables) }
                if substituted[0] == "set" {
                    try Self.define(substituted, in: &variables)
                    continue
                }
                let key = substituted.joined(separator: " ")
                let index: Int
                if let existing = known[key] {
                    index = existing
                } else {
                    statements.append(try ScriptStatement.parse(substituted, devices: &devices))
                    index = statements.count - 1
                    known[key] = index
                }
                if let rawKey { knownRaw[rawKey] = index }
                lines.append(Line(number: number, statement: index))
            } catch {
                errors.append(.inScript(file: name, line: number, error))
            }
        }
        if !errors.isEmpty { throw ScriptErrors(errors: errors) }
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

    private static func substitute(_ word: String, _ variables: [String: String]) throws(PCIMMIOError) -> String {
        guard word.contains("$") else { return word }
        var result = ""
        var rest = Substring(word)
        while let dollar = rest.firstIndex(of: "$") {
            result += rest[..<dollar]
            var name = rest[rest.index(after: dollar)...]
            var after: Substring
            if name.first == "{" {
                guard let close = name.firstIndex(of: "}") else { throw .invalidArgument("unclosed ${ in '\(word)'") }
                after = name[name.index(after: close)...]
                name = name[name.index(after: name.startIndex)..<close]
            } else {
                let end = name.firstIndex { !($0.isLetter || $0.isNumber || $0 == "_") } ?? name.endIndex
                after = name[end...]
                name = name[..<end]
            }
            guard let value = variables[String(name)] else {
                throw .invalidArgument("'\(name)' is not set (define it first with: set \(name.isEmpty ? "NAME" : name) VALUE)")
            }
            result += value
            rest = after
        }
        return result + rest
    }

    private static func define(_ words: [String], in variables: inout [String: String]) throws(PCIMMIOError) {
        guard words.count == 3 else { throw .invalidArgument("set takes a name and one value (usage: set NAME VALUE)") }
        let name = words[1]
        guard let first = name.first, first.isLetter || first == "_",
              name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
            throw .invalidArgument("'\(name)' is not a name (letters, digits and _, not starting with a digit)")
        }
        variables[name] = words[2]
    }
}

/// Every parse error of a script, each already carrying its file and line.
public struct ScriptErrors: Error {
    public let errors: [PCIMMIOError]
}
