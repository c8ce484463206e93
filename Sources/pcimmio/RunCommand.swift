import ArgumentParser
import PCIMMIO

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a script of peeks, pokes, dumps and waits in one process.",
        discussion: """
            One command per line, with the same syntax as the subcommands:
              peek DEVICE BAR OFFSET|REGISTER [-w BITS] [-n COUNT] [--json] [--decode] [--wc] [--via PATH]
              poke DEVICE BAR OFFSET|REGISTER VALUE [-w BITS] [--mask MASK] [--verify] [--wc]
              poke DEVICE BAR REGISTER.FIELD=VALUE... [--verify] [--wc]
              dump DEVICE BAR [REGION] [-w BITS] [--format hex|raw|json] [--decode [--include-side-effects]] [--wc]
              wait DEVICE BAR OFFSET|REGISTER --mask MASK --value VALUE [-w BITS] [--timeout D] [--interval D] [--wc]
              wait DEVICE BAR --until REGISTER.FIELD=VALUE[,…] [--timeout D] [--interval D] [--wc]
              sleep DURATION          echo TEXT          set NAME VALUE   (then $NAME or ${NAME})
              # a word starting with # ends the line

            Every command also takes phys ADDRESS in place of DEVICE BAR OFFSET (/dev/mem), \
            and --via sysfs|vfio|devmem. \
            The whole script is parsed first: a syntax error runs nothing. Mappings stay open \
            between lines. An error stops the script and names its file and line.

            Examples:
              pcimmio run bringup.txt
              pcimmio run --dry-run bringup.txt
              printf 'peek 00:03.0 0 0\\n' | pcimmio run -
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Script file, or - for standard input.")
    var script: String

    @Flag(help: "Parse and check every line (devices, bounds, alignment) without touching any device.")
    var dryRun = false

    @Flag(help: "Continue past errors and report them all at the end.")
    var keepGoing = false

    @Option(help: ArgumentHelp("Access path for lines without their own --via: sysfs, vfio or devmem.", valueName: "path"))
    var via: String?

    @Flag(help: "Read each device's error bits (STATUS, Express DevSta, AER) around every line; fail at the first line that raised any.")
    var checkErrors = false

    @Flag(help: "Read, check and run one line at a time, flushing the output after each (for a co-process reading the answers).")
    var lineBuffered = false

    func run() throws {
        let name = script == "-" ? "<stdin>" : script
        if lineBuffered {
            guard !dryRun else { throw ValidationError("--dry-run checks the whole script before anything runs; --line-buffered runs each line as it arrives") }
            var input = try LineReader(path: script)
            defer { input.close() }
            let runner = ScriptRunner(script: Script(name: name), session: try settings().session(), output: standardOutput,
                                      flushEachLine: true)
            report(runner.runLines(from: &input, keepGoing: keepGoing))
            return
        }
        let parsed = try parse(name)
        let runner = ScriptRunner(script: parsed, session: try settings().session(), output: standardOutput)
        let failures = dryRun ? runner.check() : runner.run(keepGoing: keepGoing)
        if dryRun && failures.isEmpty {
            print("\(parsed.name): \(parsed.lines.count) command\(parsed.lines.count == 1 ? "" : "s") checked, no device touched")
        }
        report(failures)
    }

    /// The global settings with --via and --check-errors for the lines.
    private func settings() throws -> Settings {
        var settings = global.settings
        settings.via = try via.map { (text) throws(PCIMMIOError) in try AccessVia(parsing: text) }
        settings.checkErrors = checkErrors
        return settings
    }

    /// The whole script parsed; its text is released on return (a million lines are 25 MB).
    private func parse(_ name: String) throws -> Script {
        do {
            return try Script(name: name, text: readWholeFile(script))
        } catch let error as ScriptErrors {
            for failure in error.errors { printError(failure.description) }
            throw ExitCode(error.errors[0].exitCode)
        }
    }

    private func report(_ failures: [PCIMMIOError]) {
        for failure in failures { printError(failure.description) }
        if !failures.isEmpty {
            if keepGoing && !dryRun { printError("\(failures.count) line\(failures.count == 1 ? "" : "s") failed") }
            Self.exit(withError: ExitCode(failures[0].exitCode))
        }
    }
}
