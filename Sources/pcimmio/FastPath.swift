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
            guard let parsed = try? CommandTokens(arguments.dropFirst(), flags: ["--wc", "--json", "--check-errors", "--big-endian"], options: ["-w", "-n", "--sysfs", "--trace", "--via"]),
                  parsed.positional.count == 3 else { return nil }
            return { () throws(PCIMMIOError) in
                try PeekCommand.perform(parsed.settings, parsed.target, offset: parsed.positional[2], count: parsed.options["-n"] ?? "1",
                                        json: parsed.flags.contains("--json"), decode: false)
            }
        case "poke":
            guard let parsed = try? CommandTokens(arguments.dropFirst(), flags: ["--wc", "--verify", "--dry-run", "--check-errors", "--big-endian"],
                                                  options: ["-w", "--mask", "--sysfs", "--trace", "--via"]),
                  parsed.positional.count == 4 else { return nil }
            return { () throws(PCIMMIOError) in
                try PokeCommand.perform(parsed.settings, parsed.target, write: Array(parsed.positional[2...]),
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
    var settings: Settings {
        Settings(sysfs: options["--sysfs"], trace: options["--trace"], checkErrors: flags.contains("--check-errors"))
    }

    var target: RegisterTarget {
        get throws(PCIMMIOError) {
            try RegisterTarget(device: positional[0], bar: positional[1], width: options["-w"],
                               writeCombining: flags.contains("--wc"), via: options["--via"], bigEndian: flags.contains("--big-endian"))
        }
    }
}
