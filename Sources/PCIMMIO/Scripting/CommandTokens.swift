/// A command's words split into positionals, known flags and known options with a separate
/// value: the plain spellings both the `peek`/`poke` fast path and `run` scripts accept.
public struct CommandTokens {
    public private(set) var positional: [String] = []
    public private(set) var flags: Set<String> = []
    public private(set) var options: [String: String] = [:]

    public enum Problem: Error, Equatable {
        case unknownOption(String)
        case missingValue(String)
        case repeated(String)
    }

    /// `aliases` maps a long spelling to the name it is stored under (`--width` → `-w`).
    /// `words` is a concrete ArraySlice, not any Sequence: a generic call from another module
    /// looks up the sequence's iterator type at run time, which scans every protocol
    /// conformance in the binary (~12% of a peek's start-up instructions).
    public init(_ words: ArraySlice<String>, flags known: Set<String>, options takingValues: Set<String>,
                aliases: [String: String] = ["--width": "-w"]) throws(Problem) {
        var iterator = words.makeIterator()
        while let word = iterator.next() {
            // `-5` is a (bad) number for the number parser to reject, not an option.
            guard word.hasPrefix("-"), word.count > 1, !word.dropFirst().first!.isNumber else {
                positional.append(word)
                continue
            }
            let name = aliases[word] ?? word
            if known.contains(name) {
                guard !flags.contains(name) else { throw .repeated(word) }
                flags.insert(name)
            } else if takingValues.contains(name) {
                guard let value = iterator.next() else { throw .missingValue(word) }
                guard options[name] == nil else { throw .repeated(word) }
                options[name] = value
            } else {
                throw .unknownOption(word)
            }
        }
    }
}
