import Foundation
import Testing

/// Help texts wrap at any terminal width: argument-parser keeps every line break of a
/// discussion and wraps each line by itself, so a paragraph must be one line (a break inside a
/// sentence prints as a ragged short line at every width). Example lines stay lines of their
/// own, and every command shows at least one real example.
@Suite struct HelpTextTests {
    struct Command {
        let path: [String]
        let discussion: String
        let helps: [String]
    }

    /// Every command in `--experimental-dump-help` (the data the man pages are made from).
    static func commands() throws -> [Command] {
        let dump = try pcimmioOK(["--experimental-dump-help"], sysfs: nil).stdout
        let root = try #require(try JSONSerialization.jsonObject(with: dump) as? [String: Any])
        var found: [Command] = []
        func walk(_ command: [String: Any], _ path: [String]) {
            let helps = (command["arguments"] as? [[String: Any]] ?? []).compactMap { $0["abstract"] as? String }
            found.append(Command(path: path, discussion: command["discussion"] as? String ?? "", helps: helps))
            for sub in command["subcommands"] as? [[String: Any]] ?? [] where sub["commandName"] as? String != "help" {
                walk(sub, path + [sub["commandName"] as! String])
            }
        }
        walk(root["command"] as! [String: Any], [])
        return found
    }

    @Test func discussionParagraphsAreWholeLines() throws {
        let commands = try Self.commands()
        #expect(commands.count >= 14)
        for command in commands {
            for line in command.discussion.split(separator: "\n") where !line.hasPrefix(" ") {
                // A paragraph ends a sentence, or introduces the indented lines after it.
                #expect(line.hasSuffix(".") || line.hasSuffix(":") || line.hasSuffix(")"),
                        "pcimmio \(command.path.joined(separator: " ")): a line break inside a sentence: \(line)")
            }
            for help in command.helps {
                #expect(!help.contains("\n"), "pcimmio \(command.path.joined(separator: " ")): option help with a line break: \(help)")
            }
        }
    }

    @Test func everyCommandHasARealExample() throws {
        for command in try Self.commands() {
            let lines = command.discussion.split(separator: "\n", omittingEmptySubsequences: false)
            let start = try #require(lines.firstIndex { $0 == "Examples:" || $0 == "Example:" },
                                     "pcimmio \(command.path.joined(separator: " ")) has no examples")
            let examples = lines[(start + 1)...].filter { !$0.isEmpty }
            #expect(!examples.isEmpty)
            for example in examples {
                #expect(example.hasPrefix("  "), "an example is its own indented line: \(example)")
                // The command itself (global options may stand between pcimmio and its name).
                let words = example.split(separator: " ").map(String.init)
                #expect(words.contains("pcimmio") && command.path.allSatisfy(words.contains),
                        "pcimmio \(command.path.joined(separator: " ")): example does not run the command: \(example)")
            }
        }
    }

    @Test func helpWrapsCleanlyAtNarrowAndWideTerminals() throws {
        for columns in ["40", "80", "200"] {
            let result = try runProcess(try E2E.binary(), ["help", "peek"], environment: pcimmioEnvironment(extra: ["COLUMNS": columns]))
            #expect(result.status == 0)
            let width = Int(columns)!
            // argument-parser does not wrap its own usage line.
            for line in result.outLines where !line.hasPrefix("USAGE:") {
                // Long words (an unbreakable token) are the only lines allowed past the width.
                #expect(line.count <= width || !line.trimmingCharacters(in: .whitespaces).contains(" "),
                        "COLUMNS=\(columns): \(line)")
            }
            // The sentence the issue quotes reads on, whatever the width.
            let text = result.out.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
            #expect(text.contains("so v=$(pcimmio peek …) works in scripts."), "COLUMNS=\(columns)")
        }
    }

    @Test func versionIsOneLine() throws {
        let result = try pcimmioOK(["--version"], sysfs: nil)
        #expect(result.outLines.count == 1)
        #expect(result.out.range(of: #"^[0-9]+\.[0-9]+\.[0-9]+\n$"#, options: .regularExpression) != nil)
    }
}
