/// One line of a `run` script, parsed and checked for syntax (not yet against a device).
public enum ScriptStatement {
    case peek(RegisterTarget, offset: UInt64, count: Int, json: Bool)
    case poke(RegisterTarget, offset: UInt64, Poke)
    case dump(RegisterTarget, Region, DumpFormat)
    case wait(RegisterTarget, offset: UInt64, WaitCondition, timeout: UInt64, interval: UInt64)
    case sleep(nanoseconds: UInt64)
    case echo(String)

    /// What each command accepts, for parsing and for error messages.
    static let grammar: [String: (positional: ClosedRange<Int>, flags: Set<String>, options: Set<String>)] = [
        "peek": (3...3, ["--wc", "--json"], ["-w", "-n"]),
        "poke": (4...4, ["--wc", "--verify"], ["-w", "--mask"]),
        "dump": (2...3, ["--wc"], ["-w", "--format"]),
        "wait": (3...3, ["--wc"], ["-w", "--mask", "--value", "--timeout", "--interval"]),
        "sleep": (1...1, [], []),
    ]

    static let usage: [String: String] = [
        "peek": "peek DEVICE BAR OFFSET [-w BITS] [-n COUNT] [--json] [--wc]",
        "poke": "poke DEVICE BAR OFFSET VALUE [-w BITS] [--mask MASK] [--verify] [--wc]",
        "dump": "dump DEVICE BAR [REGION] [-w BITS] [--format hex|raw|json] [--wc]",
        "wait": "wait DEVICE BAR OFFSET --mask MASK --value VALUE [-w BITS] [--timeout D] [--interval D] [--wc]",
        "sleep": "sleep DURATION",
        "echo": "echo TEXT",
        "set": "set NAME VALUE",
    ]

    /// Parses the words of one line (after `$NAME` substitution); `words[0]` is the command.
    public static func parse(_ words: [String]) throws(PCIMMIOError) -> ScriptStatement {
        let command = words[0]
        if command == "echo" { return .echo(words.dropFirst().joined(separator: " ")) }
        guard let shape = grammar[command] else {
            throw .invalidArgument("unknown command '\(command)' (expected one of: peek, poke, dump, wait, sleep, echo, set, or a # comment)")
        }
        let tokens: CommandTokens
        do {
            tokens = try CommandTokens(words.dropFirst(), flags: shape.flags, options: shape.options)
        } catch {
            let reason: String
            switch error {
            case let .unknownOption(option): reason = "unknown option \(option)"
            case let .missingValue(option): reason = "\(option) needs a value"
            case let .repeated(option): reason = "\(option) given twice"
            }
            throw .invalidArgument("\(reason) (usage: \(usage[command]!))")
        }
        let arguments = tokens.positional
        guard shape.positional.contains(arguments.count) else {
            throw .invalidArgument("\(command) takes \(shape.positional.lowerBound == shape.positional.upperBound ? "" : "\(shape.positional.lowerBound) to ")\(shape.positional.upperBound) argument\(shape.positional.upperBound == 1 ? "" : "s"), got \(arguments.count) (usage: \(usage[command]!))")
        }
        if command == "sleep" { return .sleep(nanoseconds: try DurationParser.nanoseconds(arguments[0], what: "sleep")) }

        let target = try RegisterTarget(device: arguments[0], bar: arguments[1], width: tokens.options["-w"] ?? "32",
                                        writeCombining: tokens.flags.contains("--wc"))
        switch command {
        case "peek":
            let count = try NumberParser.value(tokens.options["-n"] ?? "1", what: "count")
            guard count >= 1, count <= 1 << 24 else { throw .invalidArgument("-n \(count): the count must be between 1 and 16777216") }
            return .peek(target, offset: try NumberParser.quantity(arguments[2]), count: Int(count), json: tokens.flags.contains("--json"))
        case "poke":
            let mask = try tokens.options["--mask"].map { (text) throws(PCIMMIOError) in try NumberParser.value(text, what: "mask") }
            let poke = try Poke(width: target.width, value: NumberParser.value(arguments[3]), mask: mask,
                                verify: tokens.flags.contains("--verify"))
            return .poke(target, offset: try NumberParser.quantity(arguments[2]), poke)
        case "dump":
            let region = try Region(parsing: arguments.count > 2 ? arguments[2] : "0")
            return .dump(target, region, try DumpFormat(parsing: tokens.options["--format"] ?? "hex"))
        default: // wait
            guard let mask = tokens.options["--mask"], let value = tokens.options["--value"] else {
                throw .invalidArgument("wait needs --mask and --value (usage: \(usage["wait"]!))")
            }
            let condition = try WaitCondition(width: target.width, mask: NumberParser.value(mask, what: "mask"),
                                              value: NumberParser.value(value))
            return .wait(target, offset: try NumberParser.quantity(arguments[2]), condition,
                         timeout: try DurationParser.nanoseconds(tokens.options["--timeout"] ?? "500ms", what: "--timeout"),
                         interval: try DurationParser.nanoseconds(tokens.options["--interval"] ?? "1ms", what: "--interval"))
        }
    }
}
