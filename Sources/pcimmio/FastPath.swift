import PCIMMIO

/// The common shapes of `peek` and `poke`, recognised without argument-parser.
///
/// argument-parser finds a command's options by reflection, which costs about two thirds of
/// a one-register peek's start-up (measured with callgrind), and scripts call peek and poke
/// in loops. Only plain spellings are recognised here: anything else (help, `--opt=value`,
/// unknown options, a wrong number of arguments) returns nil and goes to argument-parser,
/// which also writes every usage error. What the arguments mean is decided in one place for
/// both paths: PeekCommand.perform and PokeCommand.perform.
enum FastPath {
    /// The command to run, or nil when argument-parser should parse these arguments.
    static func command(_ arguments: [String]) -> (() throws(PCIMMIOError) -> Void)? {
        guard let name = arguments.first else { return nil }
        switch name {
        case "peek":
            guard let parsed = CommandTokens(arguments, .peek) else { return nil }
            return { () throws(PCIMMIOError) in
                let (place, operands) = try RegisterCommandSyntax.peek.target(parsed.positional)
                try PeekCommand.perform(parsed.settings, try parsed.target(place), offset: operands.first!, count: parsed.options["-n"] ?? "1",
                                        json: parsed.flags.contains("--json"),
                                        decode: parsed.flags.contains("--decode"))
            }
        case "poke":
            guard let parsed = CommandTokens(arguments, .poke) else { return nil }
            return { () throws(PCIMMIOError) in
                let (place, operands) = try RegisterCommandSyntax.poke.target(parsed.positional)
                try PokeCommand.perform(parsed.settings, try parsed.target(place), write: Array(operands),
                                        mask: parsed.options["--mask"], verify: parsed.flags.contains("--verify"),
                                        dryRun: parsed.flags.contains("--dry-run"))
            }
        default:
            return nil
        }
    }
}

/// What the plain tokens of peek and poke say, as the commands' perform() takes it.
private extension CommandTokens {
    /// The command line's tokens when they are the command's plain spellings, from its syntax.
    init?(_ arguments: [String], _ syntax: RegisterCommandSyntax) {
        guard let parsed = try? CommandTokens(arguments.dropFirst(), flags: syntax.allCommandLineFlags,
                                              options: syntax.allCommandLineOptions) else { return nil }
        self = parsed
    }

    var settings: Settings {
        Settings(sysfs: options["--sysfs"], trace: options["--trace"], map: options["--map"],
                 traceSummary: flags.contains("--trace-summary"), checkErrors: flags.contains("--check-errors"))
    }

    func target(_ place: AccessTarget) throws(PCIMMIOError) -> RegisterTarget {
        try RegisterTarget(place: place, width: options["-w"], writeCombining: flags.contains("--wc"), via: options["--via"],
                           bigEndian: flags.contains("--big-endian"))
    }
}
