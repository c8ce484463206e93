/// One line of a `run` script, parsed and checked for syntax (not yet against a device).
public enum ScriptStatement {
    case peek(RegisterTarget, RegisterReference, count: Int, json: Bool, decode: Bool)
    case poke(RegisterTarget, PokeRequest, verify: Bool)
    case dump(RegisterTarget, Region, DumpFormat, decode: Bool, includeSideEffects: Bool)
    case wait(RegisterTarget, WaitRequest, timeout: UInt64, interval: UInt64)
    /// The file is read while the script is parsed: its size is checked with the rest.
    case load(RegisterTarget, offset: UInt64, bytes: [UInt8], verify: Bool, flush: Bool)
    case fill(RegisterTarget, Region, value: UInt64, step: UInt64, flush: Bool)
    case sleep(nanoseconds: UInt64)
    case echo(String)

    /// The register command's target (nil for sleep and echo).
    var target: RegisterTarget? {
        switch self {
        case let .peek(target, _, _, _, _), let .poke(target, _, _), let .dump(target, _, _, _, _), let .wait(target, _, _, _),
             let .load(target, _, _, _, _), let .fill(target, _, _, _, _):
            return target
        case .sleep, .echo:
            return nil
        }
    }

    /// What each command accepts, for parsing and for error messages.
    static let grammar: [String: (positional: ClosedRange<Int>, flags: [String], options: [String])] = [
        "peek": (3...3, ["--wc", "--json", "--decode", "--big-endian"], ["-w", "-n", "--via"]),
        "poke": (3...64, ["--wc", "--verify", "--big-endian"], ["-w", "--mask", "--via"]),
        "dump": (2...3, ["--wc", "--decode", "--include-side-effects", "--big-endian"], ["-w", "--format", "--via"]),
        "wait": (2...3, ["--wc", "--big-endian"], ["-w", "--mask", "--value", "--until", "--timeout", "--interval", "--via"]),
        "load": (4...4, ["--wc", "--verify", "--no-flush", "--big-endian"], ["-w", "--via"]),
        "fill": (4...4, ["--wc", "--no-flush", "--big-endian"], ["-w", "--increment", "--via"]),
        "sleep": (1...1, [], []),
    ]

    static let usage: [String: String] = [
        "peek": "peek DEVICE BAR OFFSET|REGISTER [-w BITS] [-n COUNT] [--json] [--decode] [--wc] [--via PATH] [--big-endian]",
        "poke": "poke DEVICE BAR OFFSET|REGISTER VALUE [-w BITS] [--mask MASK] [--verify] [--wc] [--via PATH] [--big-endian], or poke DEVICE BAR REG.FIELD=VALUE...",
        "dump": "dump DEVICE BAR [REGION] [-w BITS] [--format hex|raw|json] [--decode [--include-side-effects]] [--wc] [--via PATH] [--big-endian]",
        "wait": "wait DEVICE BAR OFFSET|REGISTER --mask MASK --value VALUE, or wait DEVICE BAR --until REG.FIELD=VALUE[,…]; [-w BITS] [--timeout D] [--interval D] [--wc] [--via PATH] [--big-endian]",
        "load": "load DEVICE BAR OFFSET FILE [-w BITS] [--wc] [--verify] [--no-flush] [--via PATH]",
        "fill": "fill DEVICE BAR REGION VALUE [-w BITS] [--increment STEP] [--wc] [--no-flush] [--via PATH]",
        "sleep": "sleep DURATION",
        "echo": "echo TEXT",
        "set": "set NAME VALUE",
    ]

    /// Parses the words of one line (after `$NAME` substitution); `words[0]` is the command.
    /// `devices` keeps the DEVICE selectors already parsed, by their text.
    public static func parse(_ words: [String], devices: inout [String: DeviceSelector]) throws(PCIMMIOError) -> ScriptStatement {
        let command = words[0]
        if command == "echo" { return .echo(words.dropFirst().joined(separator: " ")) }
        guard let shape = grammar[command] else {
            throw .usage("unknown command '\(command)' (expected one of: peek, poke, dump, wait, load, fill, sleep, echo, set, or a # comment)")
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
            throw .usage("\(reason) (usage: \(usage[command]!))")
        }
        let arguments = RegisterTarget.withPhysicalBAR(tokens.positional)
        guard shape.positional.contains(arguments.count) else {
            throw .usage("wrong number of arguments: \(arguments.count) (usage: \(usage[command]!))")
        }
        if command == "sleep" { return .sleep(nanoseconds: try DurationParser.nanoseconds(arguments[0], what: "sleep")) }

        let place: AccessTarget
        if arguments[0] == AccessTarget.physicalWord {
            place = .physical
        } else if let known = devices[arguments[0]] {
            place = .bar(known, index: try BARNumber.parse(arguments[1]))
        } else {
            let device = try DeviceSelector(arguments[0])
            devices[arguments[0]] = device
            place = .bar(device, index: try BARNumber.parse(arguments[1]))
        }
        let target = try RegisterTarget(place: place, width: tokens.options["-w"],
                                        writeCombining: tokens.flags.contains("--wc"), via: tokens.options["--via"],
                                        bigEndian: tokens.flags.contains("--big-endian"))
        switch command {
        case "peek":
            let count = try NumberParser.value(tokens.options["-n"] ?? "1", what: "count")
            guard count >= 1, count <= 1 << 24 else { throw .usage("-n \(count): the count must be between 1 and 16777216") }
            return .peek(target, try RegisterReference(parsing: arguments[2]), count: Int(count),
                         json: tokens.flags.contains("--json"), decode: tokens.flags.contains("--decode"))
        case "poke":
            let request = try pokeRequest(Array(arguments[2...]), mask: tokens.options["--mask"])
            // At a plain offset the width is known now: check the value while parsing.
            if case let .value(.offset, value, mask) = request { _ = try Poke(width: target.width, value: value, mask: mask) }
            if case let .values(.offset, values) = request {
                for value in values { _ = try Poke(width: target.width, value: value) }
            }
            return .poke(target, request, verify: tokens.flags.contains("--verify"))
        case "load":
            let bytes = try readWholeFile(arguments[3])
            guard !bytes.isEmpty, bytes.count % target.width.bytes == 0 else {
                throw .usage("\(arguments[3]): \(bytes.count) bytes are not a whole number of \(target.width.bits)-bit registers")
            }
            return .load(target, offset: try NumberParser.quantity(arguments[2], what: "offset"), bytes: bytes,
                         verify: tokens.flags.contains("--verify"), flush: !tokens.flags.contains("--no-flush"))
        case "fill":
            let value = try NumberParser.value(arguments[3])
            guard value & ~target.width.mask == 0 else { throw .valueTooWide(value: value, width: target.width) }
            return .fill(target, try Region(parsing: arguments[2]), value: value,
                         step: try tokens.options["--increment"].map { (text) throws(PCIMMIOError) in try NumberParser.value(text, what: "--increment") } ?? 0,
                         flush: !tokens.flags.contains("--no-flush"))
        case "dump":
            return .dump(target, try Region(parsing: arguments.count > 2 ? arguments[2] : "0"),
                         try DumpFormat(parsing: tokens.options["--format"] ?? "hex"),
                         decode: tokens.flags.contains("--decode"),
                         includeSideEffects: tokens.flags.contains("--include-side-effects"))
        default: // wait
            let request = try waitRequest(arguments.count > 2 ? arguments[2] : nil, mask: tokens.options["--mask"],
                                          value: tokens.options["--value"], until: tokens.options["--until"])
            if case let .masked(.offset, mask, value) = request { _ = try WaitCondition(width: target.width, mask: mask, value: value) }
            return .wait(target, request,
                         timeout: try DurationParser.nanoseconds(tokens.options["--timeout"] ?? "500ms", what: "--timeout"),
                         interval: try DurationParser.nanoseconds(tokens.options["--interval"] ?? "1ms", what: "--interval"))
        }
    }

    /// `OFFSET VALUE [--mask M]` or `REG.FIELD=VALUE...`, as poke takes them.
    public static func pokeRequest(_ arguments: [String], mask: String?) throws(PCIMMIOError) -> PokeRequest {
        guard !arguments.isEmpty else {
            throw .usage("poke needs OFFSET VALUE, or REGISTER.FIELD=VALUE assignments")
        }
        if arguments.allSatisfy(FieldAssignment.looksLikeOne) {
            guard mask == nil else { throw .usage("--mask goes with OFFSET VALUE, not with field assignments (they make their own mask)") }
            return .fields(try arguments.map { (text) throws(PCIMMIOError) in try FieldAssignment(parsing: text) })
        }
        guard arguments.count >= 2 else {
            throw .usage("poke takes OFFSET VALUE [VALUE…], or REGISTER.FIELD=VALUE assignments (got \(arguments.joined(separator: " ")))")
        }
        if arguments.count > 2 {
            guard mask == nil else { throw .usage("--mask goes with one value; several values write whole registers") }
            return .values(try RegisterReference(parsing: arguments[0]),
                           try arguments.dropFirst().map { (text) throws(PCIMMIOError) in try NumberParser.value(text) })
        }
        return .value(try RegisterReference(parsing: arguments[0]), try NumberParser.value(arguments[1]),
                      mask: try mask.map { (text) throws(PCIMMIOError) in try NumberParser.value(text, what: "mask") })
    }

    /// `OFFSET --mask M --value V` or `--until REG.FIELD=VALUE[,REG.FIELD=VALUE…]`, as wait takes them.
    public static func waitRequest(_ offset: String?, mask: String?, value: String?, until: String?) throws(PCIMMIOError) -> WaitRequest {
        if let until {
            guard offset == nil, mask == nil, value == nil else {
                throw .usage("--until names the register itself: give it without OFFSET, --mask or --value")
            }
            let assignments = try until.split(separator: ",").map { (text) throws(PCIMMIOError) in try FieldAssignment(parsing: String(text)) }
            guard !assignments.isEmpty else { throw .usage("--until needs REGISTER.FIELD=VALUE") }
            return .fields(assignments)
        }
        guard let offset, let mask, let value else {
            throw .usage("wait needs OFFSET --mask MASK --value VALUE, or --until REGISTER.FIELD=VALUE")
        }
        return .masked(try RegisterReference(parsing: offset), mask: try NumberParser.value(mask, what: "mask"),
                       value: try NumberParser.value(value))
    }
}
