import ArgumentParser
import Glibc
import PCIMMIO

struct Pcimmio: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pcimmio",
        abstract: "Inspect PCI devices and access their BAR registers from Linux userspace.",
        discussion: """
            Global options (--sysfs, --trace, --map) may come before or after the command name. \
            Set PCIMMIO_SYSFS to point every command at a fake sysfs tree. \
            'pcimmio help COMMAND' (or man pcimmio-COMMAND) shows each command's options and examples.

            Examples:
              pcimmio list
              pcimmio bars 00:02.0
              pcimmio peek 00:02.0 bar0 0x10
              pcimmio --sysfs /tmp/tree peek 1234:11e8 0 STATUS
            """,
        version: pcimmioVersion,
        subcommands: [ListCommand.self, BarsCommand.self, PeekCommand.self, PokeCommand.self, DumpCommand.self,
                      WaitCommand.self, WatchCommand.self, RunCommand.self, MapCommand.self,
                      LoadCommand.self, FillCommand.self,
                      BindCommand.self, UnbindCommand.self, EnableCommand.self, ConfigCommand.self, CapsCommand.self,
                      SnapshotCommand.self, DiffCommand.self]
    )
}

@main
enum Main {
    static func main() {
        let arguments = CommandLineWords.splittingAttachedValues(hoistingGlobalOptions(Array(CommandLine.arguments.dropFirst())))
        do {
            if let command = FastPath.command(arguments) {
                try command()
                return
            }
            // argument-parser would take `-5` for an unknown option and blame something else.
            if let negative = arguments.dropFirst().first(where: { $0.count > 1 && $0.hasPrefix("-") && $0.dropFirst().first!.isNumber }) {
                throw PCIMMIOError.malformedNumber(what: "argument", text: negative)
            }
            let commands = Pcimmio.configuration.subcommands.map { $0._commandName } + ["help"]
            if let unknown = CommandLineWords.unknownCommand(arguments, commands: commands) { throw unknown }
            var command = try Pcimmio.parseAsRoot(arguments)
            try command.run()
        } catch let error as PCIMMIOError {
            printError(error.description)
            exit(error.exitCode)
        } catch let error as ExitCode {
            // The command already reported what went wrong.
            exit(error.rawValue)
        } catch {
            let code = Pcimmio.exitCode(for: error)
            guard code != .success else { Pcimmio.exit(withError: error) }
            // One line, not argument-parser's usage block: scripts log stderr.
            var message = Pcimmio.message(for: error).split(separator: "\n").first ?? "invalid arguments"
            if message.hasPrefix("Error: ") { message = message.dropFirst(7) }
            printError(message + " (see 'pcimmio help')")
            exit(2)  // bad input, like every other usage error (argument-parser would say 64)
        }
    }

    /// Commands whose subcommands take the options (`pcimmio --map F map check`).
    static let commandGroups = ["map"]

    /// `pcimmio --sysfs DIR list` means `pcimmio list --sysfs DIR`: every command declares the
    /// global options itself, so they are moved after the command name.
    static func hoistingGlobalOptions(_ arguments: [String]) -> [String] {
        var leading: [String] = []
        var index = 0
        while index < arguments.count, arguments[index].hasPrefix("--") {
            let argument = arguments[index]
            let name = argument.firstIndex(of: "=").map { String(argument[..<$0]) } ?? argument
            if RegisterCommandSyntax.globalFlags.contains(argument) {
                leading.append(argument)
                index += 1
                continue
            }
            guard RegisterCommandSyntax.globalOptions.contains(name) else { break }
            leading.append(argument)
            if !argument.contains("="), index + 1 < arguments.count {
                leading.append(arguments[index + 1])
                index += 1
            }
            index += 1
        }
        guard !leading.isEmpty, index < arguments.count else { return arguments }
        // `help` takes none of them: `pcimmio --sysfs DIR help peek` is `pcimmio help peek`.
        if arguments[index] == "help" { return Array(arguments[index...]) }
        // A command group (`map check`) takes them after its subcommand's name.
        var command = index + 1
        if commandGroups.contains(arguments[index]), command < arguments.count, !arguments[command].hasPrefix("-") { command += 1 }
        return Array(arguments[index..<command]) + leading + arguments[command...]
    }
}
