import ArgumentParser

/// `map import`'s arguments, declared once for both programs that take them: `pcimmio map
/// import` (for its help, man page and completions) and `pcimmio-import`, which it runs with
/// exactly these arguments and which does the work.
public struct MapImportOptions: ParsableArguments {
    @Argument(help: "The IP-XACT or SVD file.")
    public var file: String

    @Option(name: .short, help: ArgumentHelp("Write the map here (default: standard output).", valueName: "file"))
    public var output: String?

    @Option(help: "ipxact or svd (default: from the root element: <component> or <device>).",
            completion: .list(["ipxact", "svd"]))
    public var format: String?

    @Option(help: ArgumentHelp("VENDOR:DEVICE the map applies to (repeatable).", valueName: "vendor:device"))
    public var device: [String] = []

    @Option(help: ArgumentHelp("BLOCK=N: put block BLOCK in BAR N; only the blocks named are imported (repeatable).", valueName: "block=n"))
    public var bar: [String] = []

    @Flag(help: "Leave out what cannot be represented, say what was left out, and write the rest.")
    public var keepGoing = false

    public init() {}

    /// The same options as command-line words, for pcimmio-import.
    public var arguments: [String] {
        var words = [file]
        if let output { words += ["-o", output] }
        if let format { words += ["--format", format] }
        for id in device { words += ["--device", id] }
        for assignment in bar { words += ["--bar", assignment] }
        if keepGoing { words.append("--keep-going") }
        return words
    }
}
