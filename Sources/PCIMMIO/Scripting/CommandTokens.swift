/// A command's words split into positionals, known flags and known options with a separate
/// value: the plain spellings both the `peek`/`poke` fast path and `run` scripts accept.
public struct CommandTokens {
    public private(set) var positional: [String] = []
    public private(set) var flags: [String] = []
    public private(set) var options = Options()

    /// Options and their values, looked up by name. Arrays rather than a Set and a
    /// Dictionary: a command has a handful, and each new generic type costs its metadata at
    /// run time (about 10k instructions apiece in a one-register peek's start-up).
    public struct Options {
        private var names: [String] = []
        private var values: [String] = []

        public subscript(name: String) -> String? {
            names.firstIndex(of: name).map { values[$0] }
        }

        mutating func add(_ name: String, _ value: String) {
            names.append(name)
            values.append(value)
        }
    }

    public enum Problem: Error, Equatable {
        case unknownOption(String)
        case missingValue(String)
        case repeated(String)
    }

    /// `--width` is stored as `-w`.
    /// `words` is a concrete ArraySlice, not any Sequence: a generic call from another module
    /// looks up the sequence's iterator type at run time, which scans every protocol
    /// conformance in the binary (~12% of a peek's start-up instructions).
    public init(_ words: ArraySlice<String>, flags known: [String], options takingValues: [String]) throws(Problem) {
        var iterator = words.makeIterator()
        while let word = iterator.next() {
            // `-5` is a (bad) number for the number parser to reject, not an option.
            guard word.hasPrefix("-"), word.count > 1, !word.dropFirst().first!.isNumber else {
                positional.append(word)
                continue
            }
            let name = word == "--width" ? "-w" : word
            // `-w16` is `-w 16`, as getopt reads it.
            if word.count > 2, !word.hasPrefix("--"), takingValues.contains(String(word.prefix(2))) {
                let option = String(word.prefix(2))
                guard options[option] == nil else { throw .repeated(option) }
                options.add(option, String(word.dropFirst(2)))
                continue
            }
            if known.contains(name) {
                guard !flags.contains(name) else { throw .repeated(word) }
                flags.append(name)
            } else if takingValues.contains(name) {
                guard let value = iterator.next() else { throw .missingValue(word) }
                guard options[name] == nil else { throw .repeated(word) }
                options.add(name, value)
            } else {
                throw .unknownOption(word)
            }
        }
    }
}
