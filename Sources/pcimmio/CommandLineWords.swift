import PCIMMIO

/// What the command line's words mean before argument-parser reads them: getopt's attached
/// short-option values, and the command names, for a clear word about a mistyped one.
enum CommandLineWords {
    /// Short options that take a value (`-w BITS`, `-n COUNT`, `-o FILE`): the syntax table's
    /// (SyntaxTableTests compares), written out because deriving them costs every start-up.
    static let shortOptionsWithValues = ["-w", "-n", "-o"]

    /// `-w16` is `-w 16`, as getopt reads it (argument-parser would take it for flags `-w`,
    /// `-1`, `-6`, and suggest --wc).
    static func splittingAttachedValues(_ arguments: [String]) -> [String] {
        var words: [String] = []
        for word in arguments {
            // Bytes first: this runs on every start, and most words are not options.
            let bytes = word.utf8
            guard bytes.count > 2, bytes.first == UInt8(ascii: "-"), bytes.dropFirst().first != UInt8(ascii: "-") else {
                words.append(word)
                continue
            }
            let option = String(word.prefix(2))
            if shortOptionsWithValues.contains(option) {
                words.append(option)
                words.append(String(word.dropFirst(2)))
            } else {
                words.append(word)
            }
        }
        return words
    }

    /// `pcimmio pek …` or `pcimmio help pek`: the one-line error naming the nearest command.
    static func unknownCommand(_ arguments: [String], commands: [String]) -> PCIMMIOError? {
        guard let first = arguments.first, !first.hasPrefix("-") else { return nil }
        let named = first == "help" ? arguments.dropFirst().first : first
        guard let word = named, !word.hasPrefix("-"), !commands.contains(word) else { return nil }
        let nearest = commands.map { ($0, distance($0, word)) }.min { $0.1 < $1.1 }
        let suggestion = nearest.flatMap { $0.1 <= 2 ? "; did you mean '\($0.0)'?" : nil } ?? ""
        return .usage("no command '\(word)'\(suggestion) (commands: \(commands.joined(separator: ", ")))")
    }

    /// Edit distance (insertions, deletions, substitutions).
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var row = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var previous = row[0]
            row[0] = i
            for j in 1...max(b.count, 1) where !b.isEmpty {
                let current = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                previous = current
            }
        }
        return row[b.count]
    }
}
