// `caps --json` against `lspci -vvv` on the same fake tree, capability by capability: offsets,
// names, versions, and every decoded field lspci prints. Trees with real chains (captured from
// QEMU and a cloud VM, see Tests/Fixtures/trees/dumps) and hand-made ones for what QEMU lacks.
import Foundation
import Testing

/// One `Capabilities: [OFF( vN)?] TEXT` block of `lspci -vvv`, with its indented lines.
struct LspciCapability {
    let offset: Int
    let version: Int?
    let text: String
    var lines: [String] = []
    var extended: Bool { version != nil }

    /// The block's line starting with `prefix` (after the tabs), without the prefix.
    func line(_ prefix: String) -> String? {
        lines.first { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)).trimmingCharacters(in: .whitespaces) }
    }

    /// lspci's `NAME+`/`NAME-` flags in `text`.
    static func flags(_ text: String) -> [String: Bool] {
        var out: [String: Bool] = [:]
        for word in text.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\t" }) {
            guard let last = word.last, last == "+" || last == "-", word.count > 1 else { continue }
            out[String(word.dropLast())] = last == "+"
        }
        return out
    }
}

extension Lspci {
    /// slot -> capabilities, from `lspci -vvv -D` over the whole tree.
    static func capabilities(_ tree: URL) throws -> [String: [LspciCapability]] {
        let text = try runOK(tree, ["-vvv", "-D"]).out
        var result: [String: [LspciCapability]] = [:]
        let header = try NSRegularExpression(pattern: #"^\tCapabilities: \[([0-9a-f]+)(?: v([0-9]+))?\] (.*)$"#)
        for block in text.components(separatedBy: "\n\n") {
            let lines = block.split(separator: "\n").map(String.init)
            guard let first = lines.first, let slot = first.split(separator: " ").first else { continue }
            var caps: [LspciCapability] = []
            var inCapability = false
            for line in lines.dropFirst() {
                let range = NSRange(line.startIndex..., in: line)
                if let match = header.firstMatch(in: line, range: range) {
                    func group(_ i: Int) -> String? { Range(match.range(at: i), in: line).map { String(line[$0]) } }
                    caps.append(LspciCapability(offset: Int(group(1)!, radix: 16)!, version: group(2).flatMap { Int($0) },
                                                text: group(3)!))
                    inCapability = true
                } else if line.hasPrefix("\t\t") {
                    if inCapability { caps[caps.count - 1].lines.append(line.trimmingCharacters(in: .whitespaces)) }
                } else {
                    inCapability = false  // "Kernel driver in use:" and the like
                }
            }
            result[String(slot)] = caps
        }
        return result
    }
}

/// What the comparisons looked at, so a test that compared nothing fails instead of passing.
final class CapsCoverage: @unchecked Sendable {
    var counts: [String: Int] = [:]
    func saw(_ what: String) { counts[what, default: 0] += 1 }
}

@Suite("caps vs lspci -vvv")
struct CapsOracleTests {
    static let fixtures = ["caps", "caps-edge"] + E2E.fixtureNames

    @Test("caps --json agrees with lspci -vvv on every function", arguments: fixtures)
    func capsMatchLspci(fixture: String) throws {
        let tree = try sharedTree(fixture)
        let oracle = try Lspci.capabilities(tree)
        #expect(!oracle.isEmpty)
        let coverage = CapsCoverage()
        for (slot, want) in oracle.sorted(by: { $0.key < $1.key }) {
            let result = try pcimmioOK(["caps", slot, "--json"], sysfs: tree)
            guard let got = try JSONSerialization.jsonObject(with: result.stdout) as? [[String: Any]] else {
                throw E2EFailure("caps --json is not an array of objects: \(result)")
            }
            try compare(got, want, slot: slot, coverage: coverage)
        }
        // Every fixture with capabilities must have had some compared; the chain fixtures
        // must have exercised every decoder against lspci.
        if fixture == "caps" || fixture == "caps-edge" {
            let needed = fixture == "caps"
                ? ["offset", "Express", "LnkSta", "MSI", "MSI enabled", "MSI-X", "MSI-X enabled", "Power Management", "AER"]
                : ["offset", "Express", "LnkSta", "LnkSta downgraded", "D3", "MSI", "MSI-X", "AER", "AER status set",
                   "AER mask set", "DevSta error set", "Resizable BAR", "loop", "pointer into header", "ID 0xff",
                   "extended loop", "extended pointer low"]
            for what in needed {
                #expect((coverage.counts[what] ?? 0) > 0, "\(fixture): nothing compared for \(what): \(coverage.counts)")
            }
        }
    }

    private func compare(_ got: [[String: Any]], _ want: [LspciCapability], slot: String, coverage: CapsCoverage) throws {
        let where_ = "\(slot)"
        var wanted = want[...]
        for cap in got {
            guard let offset = cap["offset"] as? Int, let extended = cap["extended"] as? Bool, let name = cap["name"] as? String else {
                throw E2EFailure("\(where_): capability without offset/extended/name: \(cap)")
            }
            #expect(cap["id"] is Int || cap["broken"] != nil, "\(where_) [\(hex(UInt64(offset)))]: id is not a number")
            if let broken = cap["broken"] as? String {
                // lspci stops at a loop or an ID of 0xff the same way; a pointer into the
                // header it follows (and prints whatever is there), an extended pointer below
                // 0x100 it reads as an empty header. Either way nothing of ours may follow.
                let next = wanted.first.flatMap { $0.extended == extended ? $0 : nil }
                if name == "<chain looped>" {
                    coverage.saw(extended ? "extended loop" : "loop")
                    #expect(next?.offset == offset && next?.text == "<chain looped>", "\(where_): lspci shows \(String(describing: next)) where caps has a loop at \(offset)")
                } else if broken.contains("reads ID 0xff") {
                    coverage.saw("ID 0xff")
                    #expect(next?.offset == offset && next?.text == "<chain broken>", "\(where_): lspci shows \(String(describing: next))")
                } else {
                    coverage.saw(extended ? "extended pointer low" : "pointer into header")
                    #expect(offset < (extended ? 0x100 : 0x40), "\(where_): pointer \(offset) reported as into the header")
                    if let next { #expect(next.offset == offset, "\(where_): lspci followed to \(next.offset), caps stopped at \(offset)") }
                }
                // Skip what lspci printed of the rest of that chain.
                while let first = wanted.first, first.extended == extended { wanted.removeFirst() }
                continue
            }
            guard let lspci = wanted.popFirst() else {
                Issue.record("\(where_): caps shows [\(String(offset, radix: 16))] \(name), lspci shows nothing more")
                continue
            }
            coverage.saw("offset")
            #expect(lspci.offset == offset && lspci.extended == extended,
                    "\(where_): caps [\(String(offset, radix: 16))] \(name) where lspci has [\(String(lspci.offset, radix: 16))] \(lspci.text)")
            guard lspci.offset == offset else { continue }
            // lspci prints the name, then nothing, details after ':', '(', 'version' or 'vN',
            // or a serial number: a name that is only the start of lspci's longer one fails.
            let rest = lspci.text.hasPrefix(name) ? String(lspci.text.dropFirst(name.count)) : "<different>"
            #expect(rest.range(of: #"^(|:.*| \(.*| version \d+| v\d.*| [0-9a-f]{2}-.*)$"#, options: .regularExpression) != nil,
                    "\(where_) [\(String(offset, radix: 16))]: caps names it '\(name)', lspci '\(lspci.text)'")
            if extended { #expect(cap["version"] as? Int == lspci.version, "\(where_) [\(String(offset, radix: 16))]: version") }
            try compareFields(cap, lspci, name: name, at: "\(where_) [\(String(offset, radix: 16))] \(name)", coverage: coverage)
        }
        // Whatever lspci still has must be the end of a chain we reported broken.
        #expect(wanted.isEmpty, "\(where_): lspci shows more capabilities than caps: \(wanted.map { "[\(String($0.offset, radix: 16))] \($0.text)" })")
    }

    private func compareFields(_ cap: [String: Any], _ lspci: LspciCapability, name: String, at: String, coverage: CapsCoverage) throws {
        func number(_ key: String) -> Int? { cap[key] as? Int }
        func string(_ key: String) -> String? { cap[key] as? String }
        func bool(_ key: String) -> Bool? { cap[key] as? Bool }
        func matches(_ pattern: String, _ text: String?) -> [String]? {
            guard let text, let regex = try? NSRegularExpression(pattern: pattern),
                  let m = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) else { return nil }
            return (1..<m.numberOfRanges).map { Range(m.range(at: $0), in: text).map { String(text[$0]) } ?? "" }
        }
        switch name {
        case "Express":
            coverage.saw("Express")
            let title = matches(#"^Express \(v(\d+)\) (.*), MSI ([0-9a-f]{2})$"#, lspci.text)
            #expect(title?[0] == number("version").map(String.init), "\(at): version; lspci '\(lspci.text)'")
            #expect(title?[1].hasPrefix(string("deviceType") ?? "?") == true, "\(at): type \(string("deviceType") ?? "nil"); lspci '\(lspci.text)'")
            let devCap = matches(#"^MaxPayload (\d+) bytes"#, lspci.line("DevCap:"))
            #expect(devCap?[0] == number("maxPayloadSupported").map(String.init), "\(at): DevCap MaxPayload")
            let devCtl = matches(#"^MaxPayload (\d+) bytes, MaxReadReq (\d+) bytes$"#, lspci.lines.first { $0.hasPrefix("MaxPayload") })
            #expect(devCtl?[0] == number("maxPayload").map(String.init), "\(at): DevCtl MaxPayload")
            #expect(devCtl?[1] == number("maxReadRequest").map(String.init), "\(at): MaxReadReq")
            let wantStatus = LspciCapability.flags(lspci.line("DevSta:") ?? "")
            let gotStatus = cap["deviceStatus"] as? [String: Bool] ?? [:]
            #expect(!wantStatus.isEmpty && wantStatus == gotStatus, "\(at): DevSta lspci \(wantStatus), caps \(gotStatus)")
            if gotStatus.values.contains(true) { coverage.saw("DevSta error set") }
            let lnkCap = matches(#"Speed ([^,]+), Width x(\d+)"#, lspci.line("LnkCap:"))
            let lnkSta = matches(#"^Speed ([^ ,]+)( \([a-z]+\))?, Width x(\d+)( \([a-z]+\))?$"#, lspci.line("LnkSta:"))
            #expect(lnkCap?[0] == string("linkCapabilitySpeed") && lnkCap?[1] == number("linkCapabilityWidth").map(String.init),
                    "\(at): LnkCap lspci \(String(describing: lnkCap)), caps \(String(describing: string("linkCapabilitySpeed"))) x\(String(describing: number("linkCapabilityWidth")))")
            #expect(lnkSta?[0] == string("linkStatusSpeed") && lnkSta?[2] == number("linkStatusWidth").map(String.init),
                    "\(at): LnkSta lspci \(String(describing: lnkSta)), caps \(String(describing: string("linkStatusSpeed"))) x\(String(describing: number("linkStatusWidth")))")
            if lnkSta != nil { coverage.saw("LnkSta") }
            if lnkSta?[1] == " (downgraded)" { coverage.saw("LnkSta downgraded") }
        case "Power Management":
            coverage.saw("Power Management")
            #expect(lspci.text == "Power Management version \(number("version") ?? -1)", "\(at): version; lspci '\(lspci.text)'")
            let state = matches(#"^D(\d) "#, lspci.line("Status:"))?[0]
            let ours = string("powerState")
            #expect(state != nil && (ours == "D\(state!)" || (state == "3" && ours == "D3hot")), "\(at): D state lspci D\(state ?? "?"), caps \(ours ?? "nil")")
            if state == "3" { coverage.saw("D3") }
        case "MSI":
            coverage.saw("MSI")
            let title = matches(#"^MSI: Enable([+-]) Count=(\d+)/(\d+) Maskable([+-]) 64bit([+-])$"#, lspci.text)
            #expect(title != nil, "\(at): cannot read lspci's '\(lspci.text)'")
            if let title {
                #expect(bool("enabled") == (title[0] == "+") && number("vectorsEnabled") == Int(title[1])
                        && number("vectorsCapable") == Int(title[2]) && bool("maskable") == (title[3] == "+")
                        && bool("is64Bit") == (title[4] == "+"), "\(at): lspci '\(lspci.text)', caps \(cap)")
                if title[0] == "+" { coverage.saw("MSI enabled") }
            }
        case "MSI-X":
            coverage.saw("MSI-X")
            let title = matches(#"^MSI-X: Enable([+-]) Count=(\d+) Masked([+-])$"#, lspci.text)
            let table = matches(#"^BAR=(\d) offset=([0-9a-f]{8})$"#, lspci.line("Vector table:"))
            let pba = matches(#"^BAR=(\d) offset=([0-9a-f]{8})$"#, lspci.line("PBA:"))
            #expect(title != nil && table != nil && pba != nil, "\(at): cannot read lspci's block \(lspci)")
            if let title, let table, let pba {
                #expect(bool("enabled") == (title[0] == "+") && number("tableSize") == Int(title[1]) && bool("functionMask") == (title[2] == "+"),
                        "\(at): lspci '\(lspci.text)', caps \(cap)")
                #expect(number("tableBAR") == Int(table[0]) && number("tableOffset") == Int(table[1], radix: 16), "\(at): vector table")
                #expect(number("pbaBAR") == Int(pba[0]) && number("pbaOffset") == Int(pba[1], radix: 16), "\(at): PBA")
                if title[0] == "+" { coverage.saw("MSI-X enabled") }
            }
        case "Advanced Error Reporting":
            coverage.saw("AER")
            let registers: [(String, String, String)] = [
                ("UESta:", "uncorrectableStatus", "uncorrectable"), ("UEMsk:", "uncorrectableMask", "uncorrectable"),
                ("CESta:", "correctableStatus", "correctable"), ("CEMsk:", "correctableMask", "correctable"),
            ]
            for (line, key, table) in registers {
                let want = LspciCapability.flags(lspci.line(line) ?? "")
                #expect(want.count == (table == "correctable" ? 6 : 12), "\(at): lspci \(line) \(want)")
                let names = Dictionary(uniqueKeysWithValues: (table == "correctable" ? AERBits.correctable : AERBits.uncorrectable))
                guard let value = number(key) else { Issue.record("\(at): no \(key)"); continue }
                for (flagName, set) in want {
                    guard let bitIndex = names[flagName] else { Issue.record("\(at): lspci flag \(flagName) unknown to the test"); continue }
                    #expect((value >> bitIndex & 1 == 1) == set, "\(at): \(line) \(flagName) lspci \(set ? "+" : "-"), caps \(key)=\(hex(UInt64(value)))")
                }
                if want.values.contains(true) { coverage.saw(line.hasSuffix("Sta:") ? "AER status set" : "AER mask set") }
            }
            // The names caps lists are the set bits of the numbers it reports.
            let listed = Set(cap["uncorrectableErrors"] as? [String] ?? [])
            let fromNumber = Set(AERBits.uncorrectable.filter { (number("uncorrectableStatus") ?? 0) >> $0.1 & 1 == 1 }.map(\.0))
            #expect(fromNumber.isSubset(of: listed), "\(at): uncorrectableErrors \(listed) vs status bits \(fromNumber)")
        case "Physical Resizable BAR", "Virtual Resizable BAR":
            coverage.saw("Resizable BAR")
            let bars = cap["bars"] as? [[String: Any]] ?? []
            #expect(bars.count == lspci.lines.count, "\(at): \(bars.count) BARs, lspci \(lspci.lines)")
            for (entry, line) in zip(bars, lspci.lines) {
                let parts = matches(#"^BAR (\d): current size: (\w+)(?:, supported: (.*))?$"#, line)
                #expect(parts?[0] == (entry["bar"] as? Int).map(String.init), "\(at): BAR index; lspci '\(line)'")
                #expect(parts?[1] == (entry["currentSize"] as? UInt64).map(sizeText), "\(at): current size; lspci '\(line)'")
                let supported = (entry["supportedSizes"] as? [UInt64] ?? []).map(sizeText).joined(separator: " ")
                #expect((parts?[2] ?? "") == supported, "\(at): supported sizes; lspci '\(line)', caps '\(supported)'")
            }
        default:
            break
        }
    }

    /// lspci's Resizable BAR units (1MB, 256MB, 8GB, 256TB).
    private func sizeText(_ bytes: UInt64) -> String {
        let code = bytes.trailingZeroBitCount - 20
        return "\(1 << (code % 10))\(["MB", "GB", "TB", "PB", "EB"][code / 10])"
    }

    @Test("caps prints one line per capability and broken link, each as [OFFSET], in JSON's order")
    func textMatchesJSON() throws {
        let tree = try sharedTree("caps-edge")
        for slot in ["0000:00:1c.0", "0000:02:00.0", "0000:00:0a.0", "0000:00:0e.0"] {
            let text = try pcimmioOK(["caps", slot], sysfs: tree).outLines.filter { !$0.hasPrefix(" ") }
            let json = try JSONSerialization.jsonObject(with: try pcimmioOK(["caps", slot, "--json"], sysfs: tree).stdout) as? [[String: Any]] ?? []
            let offsets = text.compactMap { line in line.split(separator: "]").first.flatMap { Int($0.dropFirst(), radix: 16) } }
            #expect(offsets == json.compactMap { $0["offset"] as? Int }, "\(slot): \(text)")
        }
    }

    @Test("caps --all lists every function with the same capabilities as caps DEVICE")
    func allMatchesOneByOne() throws {
        let tree = try sharedTree("caps")
        let all = try JSONSerialization.jsonObject(with: try pcimmioOK(["caps", "--all", "--json"], sysfs: tree).stdout) as? [[String: Any]] ?? []
        let slots = try Lspci.slots(tree, []) ?? []
        #expect(all.compactMap { $0["slot"] as? String } == slots)
        for entry in all {
            let slot = entry["slot"] as? String ?? "?"
            let one = try JSONSerialization.jsonObject(with: try pcimmioOK(["caps", slot, "--json"], sysfs: tree).stdout) as? NSArray
            #expect((entry["capabilities"] as? NSArray) == one, "\(slot)")
        }
        let text = try pcimmioOK(["caps", "--all"], sysfs: tree).out
        #expect(text.components(separatedBy: "\n\n").count == slots.count)
    }

    @Test("caps: a missing or unknown DEVICE is one clear error")
    func badInput() throws {
        let tree = try sharedTree("caps")
        try expectPcimmioFails(["caps"], sysfs: tree, mentions: ["DEVICE"])
        try expectPcimmioFails(["caps", "00:1e.0"], sysfs: tree, mentions: ["00:1e.0"])
        try expectPcimmioFails(["caps", "00:02.0", "--all"], sysfs: tree, mentions: ["--all"])
    }
}

/// AER bit positions by lspci's flag names (PCIe Base Specification 7.8.4).
enum AERBits {
    static let uncorrectable: [(String, Int)] = [
        ("DLP", 4), ("SDES", 5), ("TLP", 12), ("FCP", 13), ("CmpltTO", 14), ("CmpltAbrt", 15), ("UnxCmplt", 16),
        ("RxOF", 17), ("MalfTLP", 18), ("ECRC", 19), ("UnsupReq", 20), ("ACSViol", 21),
    ]
    static let correctable: [(String, Int)] = [
        ("RxErr", 0), ("BadTLP", 6), ("BadDLLP", 7), ("Rollover", 8), ("Timeout", 12), ("AdvNonFatalErr", 13),
    ]
}
