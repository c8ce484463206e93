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

    func run() throws {
        let text = try readWholeFile(script)
        let parsed: Script
        do {
            parsed = try Script(name: script == "-" ? "<stdin>" : script, text: text)
        } catch {
            for failure in error.errors { printError(failure.description) }
            throw ExitCode(error.errors[0].exitCode)
        }
        var settings = global.settings
        settings.via = try via.map { (text) throws(PCIMMIOError) in try AccessVia(parsing: text) }
        settings.checkErrors = checkErrors
        let runner = ScriptRunner(script: parsed, session: try settings.session())
        let failures = dryRun ? runner.check() : runner.run(keepGoing: keepGoing)
        for failure in failures { printError(failure.description) }
        if dryRun && failures.isEmpty {
            print("\(parsed.name): \(parsed.lines.count) command\(parsed.lines.count == 1 ? "" : "s") checked, no device touched")
        }
        if !failures.isEmpty {
            if keepGoing && !dryRun { printError("\(failures.count) line\(failures.count == 1 ? "" : "s") failed") }
            throw ExitCode(failures[0].exitCode)
        }
    }
}
