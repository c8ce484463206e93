/// One line of a `run` script, parsed and checked for syntax (not yet against a device).
public enum ScriptStatement {
    case peek(RegisterTarget, RegisterReference, count: Int, json: Bool, decode: Bool)
    case poke(RegisterTarget, PokeRequest, verify: Bool)
    case dump(RegisterTarget, Region, DumpFormat, decode: Bool, includeSideEffects: Bool)
    case wait(RegisterTarget, WaitRequest, timeout: UInt64, interval: UInt64)
    /// The file is read while the script is parsed: its size is checked with the rest.
    case load(RegisterTarget, offset: UInt64, bytes: [UInt8], verify: Bool, flush: Bool)
    case fill(RegisterTarget, Region, value: UInt64, step: UInt64, flush: Bool, verify: Bool)
    case sleep(nanoseconds: UInt64)
    case echo(String)

    /// The register command's target (nil for sleep and echo).
    var target: RegisterTarget? {
        switch self {
        case let .peek(target, _, _, _, _), let .poke(target, _, _), let .dump(target, _, _, _, _), let .wait(target, _, _, _),
             let .load(target, _, _, _, _), let .fill(target, _, _, _, _, _):
            return target
        case .sleep, .echo:
            return nil
        }
    }

    /// Usage of the script lines that are not register commands.
    static let otherUsage: [String: String] = [
        "sleep": "sleep DURATION",
        "echo": "echo TEXT",
        "set": "set NAME VALUE",
    ]

    /// The usage line of a script command, for error messages.
    static func usage(_ command: String) -> String? {
        RegisterCommandSyntax.named(command)?.usage ?? otherUsage[command]
    }

    /// Parses the words of one line (after `$NAME` substitution); `words[0]` is the command.
    /// `devices` keeps the DEVICE selectors already parsed, by their text.
    public static func parse(_ words: [String], devices: inout [String: DeviceSelector]) throws(PCIMMIOError) -> ScriptStatement {
        let command = words[0]
        if command == "echo" { return .echo(words.dropFirst().joined(separator: " ")) }
        if command == "sleep" {
            guard words.count == 2 else { throw .usage("sleep takes one duration (usage: sleep DURATION)") }
            return .sleep(nanoseconds: try DurationParser.nanoseconds(words[1], what: "sleep"))
        }
        guard let syntax = RegisterCommandSyntax.named(command), syntax.scripted else {
            throw .usage("unknown command '\(command)' (expected one of: peek, poke, dump, wait, load, fill, sleep, echo, set, or a # comment)")
        }
        let tokens: CommandTokens
        do {
            tokens = try CommandTokens(words.dropFirst(), flags: syntax.flags, options: syntax.options)
        } catch {
            let reason: String
            switch error {
            case let .unknownOption(option): reason = "unknown option \(option)"
            case let .missingValue(option): reason = "\(option) needs a value"
            case let .repeated(option): reason = "\(option) given twice"
            }
            throw .usage("\(reason) (usage: \(syntax.usage))")
        }
        let (place, operands) = try syntax.target(tokens.positional[...]) { (text) throws(PCIMMIOError) in
            if let known = devices[text] { return known }
            let device = try DeviceSelector(text)
            devices[text] = device
            return device
        }
        let arguments = Array(operands)
        let target = try RegisterTarget(place: place, width: tokens.options["-w"],
                                        writeCombining: tokens.flags.contains("--wc"), via: tokens.options["--via"],
                                        bigEndian: tokens.flags.contains("--big-endian"))
        switch command {
        case "peek":
            let count = try NumberParser.value(tokens.options["-n"] ?? "1", what: "count")
            guard count >= 1, count <= 1 << 24 else { throw .usage("-n \(count): the count must be between 1 and 16777216") }
            return .peek(target, try RegisterReference(parsing: arguments[0]), count: Int(count),
                         json: tokens.flags.contains("--json"), decode: tokens.flags.contains("--decode"))
        case "poke":
            let request = try pokeRequest(arguments, mask: tokens.options["--mask"])
            // At a plain offset the width is known now: check the value while parsing.
            if case let .value(.offset, value, mask) = request { _ = try Poke(width: target.width, value: value, mask: mask) }
            if case let .values(.offset, values) = request {
                for value in values { _ = try Poke(width: target.width, value: value) }
            }
            return .poke(target, request, verify: tokens.flags.contains("--verify"))
        case "load":
            let bytes = try readWholeFile(arguments[1])
            guard !bytes.isEmpty, bytes.count % target.width.bytes == 0 else {
                throw .usage("\(arguments[1]): \(bytes.count) bytes are not a whole number of \(target.width.bits)-bit registers")
            }
            return .load(target, offset: try NumberParser.quantity(arguments[0], what: "offset"), bytes: bytes,
                         verify: tokens.flags.contains("--verify"), flush: !tokens.flags.contains("--no-flush"))
        case "fill":
            let value = try NumberParser.value(arguments[1])
            guard value & ~target.width.mask == 0 else { throw .valueTooWide(value: value, width: target.width) }
            return .fill(target, try Region(parsing: arguments[0]), value: value,
                         step: try tokens.options["--increment"].map { (text) throws(PCIMMIOError) in try NumberParser.value(text, what: "--increment") } ?? 0,
                         flush: !tokens.flags.contains("--no-flush"), verify: tokens.flags.contains("--verify"))
        case "dump":
            let format = try DumpFormat(parsing: tokens.options["--format"] ?? "hex")
            let decode = tokens.flags.contains("--decode")
            if decode { try format.checkDecoding(width: target.explicitWidth) }
            return .dump(target, try Region(parsing: arguments.first ?? "0"), format, decode: decode,
                         includeSideEffects: tokens.flags.contains("--include-side-effects"))
        default: // wait
            let request = try waitRequest(arguments.first, mask: tokens.options["--mask"],
                                          value: tokens.options["--value"], until: tokens.options["--until"])
            if case let .masked(.offset, mask, value) = request { _ = try WaitCondition(width: target.width, mask: mask ?? target.width.mask, value: value) }
            return .wait(target, request,
                         timeout: try DurationParser.nanoseconds(tokens.options["--timeout"] ?? "500ms", what: "--timeout", forever: true),
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
        guard let offset, let value else {
            throw .usage("wait needs OFFSET --value VALUE [--mask MASK], or --until REGISTER.FIELD=VALUE")
        }
        // Without --mask the whole register must equal VALUE.
        return .masked(try RegisterReference(parsing: offset), mask: try mask.map { (text) throws(PCIMMIOError) in try NumberParser.value(text, what: "mask") },
                       value: try NumberParser.value(value))
    }
}
