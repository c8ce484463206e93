import Foundation
import PCIMMIO
import Testing

/// One syntax per register command (RegisterCommandSyntax): argument-parser's declarations,
/// the fast path, `run` lines and the `phys` reading must all say the same thing. (`-h` and
/// `--version` are argument-parser's own.)
@Suite struct SyntaxTableTests {
    /// A command's flags and options as argument-parser declares them, by the name the table
    /// uses (the short one where there is one: `-w`, not `--width`), `-h`/`--help` aside.
    static func declared(_ command: String) throws -> (flags: Set<String>, options: Set<String>, positional: Int) {
        let dump = try pcimmioOK([command, "--experimental-dump-help"], sysfs: nil).stdout
        let root = try #require(try JSONSerialization.jsonObject(with: dump) as? [String: Any])
        let arguments = try #require((root["command"] as? [String: Any])?["arguments"] as? [[String: Any]])
        var flags: Set<String> = [], options: Set<String> = [], positional = 0
        for argument in arguments {
            let names = argument["names"] as? [[String: String]] ?? []
            let short = names.first { $0["kind"] == "short" }.map { "-" + $0["name"]! }
            let long = names.first { $0["kind"] == "long" }.map { "--" + $0["name"]! }
            switch argument["kind"] as? String {
            case "positional": positional += 1
            case "flag": if let name = short ?? long, !["-h", "--version"].contains(name) { flags.insert(name) }
            case "option": options.insert(try #require(short ?? long))
            default: Issue.record("unknown kind in \(argument)")
            }
        }
        return (flags, options, positional)
    }

    @Test(arguments: RegisterCommandSyntax.all.map(\.name))
    func argumentParserDeclaresWhatTheTableSays(_ name: String) throws {
        let syntax = try #require(RegisterCommandSyntax.named(name))
        let declared = try Self.declared(name)
        #expect(declared.flags == Set(syntax.allCommandLineFlags), "\(name): flags")
        #expect(declared.options == Set(syntax.allCommandLineOptions), "\(name): options")
        // DEVICE, BAR, then one positional per operand (poke's values are one repeating one).
        #expect(declared.positional == 2 + min(syntax.mostOperands, name == "poke" ? 1 : .max), "\(name): positionals")
        for word in syntax.usage.split(separator: " ") where word.hasPrefix("[-") {
            let option = word.dropFirst().prefix { $0 != " " && $0 != "]" }
            #expect(syntax.flags.contains(String(option)) || syntax.options.contains(String(option)), "\(name): usage names \(option)")
        }
    }

    /// A script takes what the command line takes, less the command-line-only words, and
    /// refuses those with the command's usage.
    @Test(arguments: RegisterCommandSyntax.all.filter(\.scripted).map(\.name))
    func scriptLinesRefuseCommandLineOnlyWords(_ name: String) throws {
        let syntax = try #require(RegisterCommandSyntax.named(name))
        var devices: [String: DeviceSelector] = [:]
        for word in syntax.commandLineFlags + RegisterCommandSyntax.everyCommandLineFlag + RegisterCommandSyntax.globalFlags {
            #expect(throws: PCIMMIOError.usage("unknown option \(word) (usage: \(syntax.usage))")) {
                try ScriptStatement.parse([name, "00:02.0", "0", word], devices: &devices)
            }
        }
    }

    /// `phys ADDRESS` takes DEVICE BAR OFFSET's place in every register command, on both of
    /// the command line's paths: no BAR word is inserted anywhere.
    @Test func physTakesTheDeviceAndBARPlace() throws {
        for syntax in RegisterCommandSyntax.all {
            let operands = Array(repeating: "0x1000", count: syntax.fewestOperands)
            let words = ["phys"] + (operands.isEmpty ? ["0x1000"] : operands)
            let read = try syntax.target(words)
            #expect(read.place == .physical)
            #expect(Array(read.operands) == Array(words.dropFirst()), "\(syntax.name)")
        }
        #expect(throws: PCIMMIOError.usage("wrong number of arguments: 3 (usage: \(RegisterCommandSyntax.peek.usage); after phys, ADDRESS takes BAR and OFFSET's place)")) {
            try RegisterCommandSyntax.peek.target(["phys", "0x1000", "0x2000"])
        }
        // The same count error from argument-parser's path (--width=32 is not a fast-path spelling) and the fast path.
        for extra in [["--json"], ["--width=32"]] {
            let result = try pcimmio(["peek", "phys", "0x1000", "0x2000"] + extra, sysfs: nil)
            #expect(result.status == 2)
            #expect(result.err.contains("wrong number of arguments: 3"), "\(result)")
        }
    }
}

extension SyntaxTableTests {
    /// The executable splits `-w16` for these (CommandLineWords); they must be the table's.
    @Test func theShortOptionsWithValuesAreTheTables() {
        let table = Set(RegisterCommandSyntax.all.flatMap { $0.options + $0.commandLineOptions }.filter { !$0.hasPrefix("--") })
        #expect(table == ["-w", "-n", "-o"])
    }
}
