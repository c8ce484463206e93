/// The words of one register command, written once: `run` scripts parse lines with it, the
/// executable's fast path recognises plain peeks and pokes with it, and argument-parser's
/// declarations are checked against it (SyntaxTableTests compares it with
/// `--experimental-dump-help`). Every register command reads DEVICE BAR (or `phys ADDRESS`,
/// see `target(_:)`) and then its operands.
public struct RegisterCommandSyntax: Sendable {
    public let name: String
    /// How many words follow DEVICE BAR, or `phys` (whose ADDRESS counts as one of them): two
    /// Ints rather than a ClosedRange, whose generic metadata a peek's start-up would pay for.
    public let fewestOperands: Int
    public let mostOperands: Int
    /// Flags and options accepted on the command line and in scripts. `-w` is also `--width`.
    public let flags: [String]
    public let options: [String]
    /// Accepted on the command line only: a script line shares its process's output, trace and
    /// error checking, so per-command files, progress lines and dry runs belong to `run` itself.
    public let commandLineFlags: [String]
    public let commandLineOptions: [String]
    /// Whether a `run` script takes it.
    public let scripted: Bool
    public let usage: String

    public static let peek = RegisterCommandSyntax(
        name: "peek", operands: 1, 1,
        flags: ["--wc", "--json", "--decode", "--big-endian"], options: ["-w", "-n", "--via"],
        usage: "peek DEVICE BAR OFFSET|REGISTER [-w BITS] [-n COUNT] [--json] [--decode] [--wc] [--via PATH] [--big-endian]")

    public static let poke = RegisterCommandSyntax(
        name: "poke", operands: 1, 62,
        flags: ["--wc", "--verify", "--big-endian"], options: ["-w", "--mask", "--via"], commandLineFlags: ["--dry-run"],
        usage: "poke DEVICE BAR OFFSET|REGISTER VALUE [-w BITS] [--mask MASK] [--verify] [--wc] [--via PATH] [--big-endian], or poke DEVICE BAR REG.FIELD=VALUE...")

    public static let dump = RegisterCommandSyntax(
        name: "dump", operands: 0, 1,
        flags: ["--wc", "--decode", "--include-side-effects", "--big-endian"], options: ["-w", "--format", "--via"],
        commandLineFlags: ["--no-progress"], commandLineOptions: ["-o"],
        usage: "dump DEVICE BAR [REGION] [-w BITS] [--format hex|raw|json] [--decode [--include-side-effects]] [--wc] [--via PATH] [--big-endian]")

    public static let wait = RegisterCommandSyntax(
        name: "wait", operands: 0, 1,
        flags: ["--wc", "--big-endian"], options: ["-w", "--mask", "--value", "--until", "--timeout", "--interval", "--via"],
        usage: "wait DEVICE BAR OFFSET|REGISTER --value VALUE [--mask MASK], or wait DEVICE BAR --until REG.FIELD=VALUE[,…]; [-w BITS] [--timeout D] [--interval D] [--wc] [--via PATH] [--big-endian]")

    public static let watch = RegisterCommandSyntax(
        name: "watch", operands: 0, 1,
        flags: ["--wc", "--big-endian", "--include-side-effects"], options: ["-w", "--via", "--interval", "--count"], scripted: false,
        usage: "watch DEVICE BAR [REGION] [-w BITS] [--interval D] [--count N] [--include-side-effects] [--wc] [--via PATH] [--big-endian]")

    public static let load = RegisterCommandSyntax(
        name: "load", operands: 2, 2,
        flags: ["--wc", "--verify", "--no-flush", "--big-endian"], options: ["-w", "--via"], commandLineFlags: ["--no-progress", "--dry-run"],
        usage: "load DEVICE BAR OFFSET FILE [-w BITS] [--wc] [--verify] [--no-flush] [--via PATH] [--big-endian]")

    public static let fill = RegisterCommandSyntax(
        name: "fill", operands: 2, 2,
        flags: ["--wc", "--verify", "--no-flush", "--big-endian"], options: ["-w", "--increment", "--via"],
        commandLineFlags: ["--no-progress", "--dry-run"],
        usage: "fill DEVICE BAR REGION VALUE [-w BITS] [--increment STEP] [--verify] [--wc] [--no-flush] [--via PATH] [--big-endian]")

    public static let all = [peek, poke, dump, wait, watch, load, fill]

    /// Options every command takes, before or after its name; scripts take none of them.
    public static let globalOptions = ["--sysfs", "--trace", "--map"]
    public static let globalFlags = ["--trace-summary"]
    /// Every register command on the command line: the device's error bits around the access.
    public static let everyCommandLineFlag = ["--check-errors"]

    init(name: String, operands fewest: Int, _ most: Int, flags: [String], options: [String], commandLineFlags: [String] = [],
         commandLineOptions: [String] = [], scripted: Bool = true, usage: String) {
        self.name = name
        self.fewestOperands = fewest
        self.mostOperands = most
        self.flags = flags
        self.options = options
        self.commandLineFlags = commandLineFlags
        self.commandLineOptions = commandLineOptions
        self.scripted = scripted
        self.usage = usage
    }

    public static func named(_ name: String) -> RegisterCommandSyntax? {
        all.first { $0.name == name }
    }

    /// Every flag the command line takes for this command (argument-parser's `-h` aside).
    public var allCommandLineFlags: [String] {
        flags + commandLineFlags + Self.everyCommandLineFlag + Self.globalFlags
    }

    /// Every option with a value the command line takes for this command.
    public var allCommandLineOptions: [String] {
        options + commandLineOptions + Self.globalOptions
    }

    /// DEVICE BAR, or `phys`, then the operands, checked against this command's count.
    /// `phys ADDRESS …` takes the place of `DEVICE BAR OFFSET …`, so after `phys` the word in
    /// BAR's place is already the first operand. `selector` reads DEVICE (a script keeps the
    /// ones it has read).
    public func target(_ positional: ArraySlice<String>, device selector: (String) throws(PCIMMIOError) -> DeviceSelector)
        throws(PCIMMIOError) -> (place: AccessTarget, operands: ArraySlice<String>) {
        let place: AccessTarget
        let operands: ArraySlice<String>
        if positional.first == AccessTarget.physicalWord {
            place = .physical
            operands = positional.dropFirst()
        } else {
            guard positional.count >= 2 else { throw wrongCount(positional) }
            let device = try selector(positional[positional.startIndex])
            place = .bar(device, index: try BARNumber.parse(positional[positional.startIndex + 1]))
            operands = positional.dropFirst(2)
        }
        guard operands.count >= fewestOperands, operands.count <= mostOperands else { throw wrongCount(positional) }
        return (place, operands)
    }

    /// As `target(_:device:)`, for one command line.
    public func target(_ positional: [String]) throws(PCIMMIOError) -> (place: AccessTarget, operands: ArraySlice<String>) {
        try target(positional[...]) { (text) throws(PCIMMIOError) in try DeviceSelector(text) }
    }

    func wrongCount(_ positional: ArraySlice<String>) -> PCIMMIOError {
        let phys = positional.first == AccessTarget.physicalWord ? "; after phys, ADDRESS takes BAR and OFFSET's place" : ""
        return .usage("wrong number of arguments: \(positional.count) (usage: \(usage)\(phys))")
    }
}
