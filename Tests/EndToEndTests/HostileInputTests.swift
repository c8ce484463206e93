import Foundation
import Testing

/// Issue 22: what a mutational fuzzer found, each reproducer kept here. Every one exited by a
/// signal (an arithmetic trap or an allocation failure); each must now be a clean result or a
/// one-line error.
@Suite struct HostileInputTests {
    /// Exits normally (no signal), non-zero, with one `pcimmio:` line naming `mentions`.
    func refused(_ arguments: [String], sysfs: URL?, mentions: [String] = [], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let result = try pcimmio(arguments, sysfs: sysfs)
        #expect(result.exitedNormally, "killed by a signal: \(arguments) \(result)", sourceLocation: sourceLocation)
        #expect(result.status != 0 && result.errLines.count == 1, "\(arguments) \(result)", sourceLocation: sourceLocation)
        for word in mentions {
            #expect(result.err.contains(word), "\(arguments): \(result.err)", sourceLocation: sourceLocation)
        }
    }

    /// Group A: a `resource` line spanning all 2^64 addresses, and one whose BAR does not start
    /// on a page and runs past its file.
    @Test func aResourceTableOfAllAddressesIsNoTrap() throws {
        try withPrivateTree("edu") { tree in
            let table = deviceDir(tree, "0000:00:02.0").appendingPathComponent("resource").path
            var lines = try String(contentsOfFile: table, encoding: .utf8).split(separator: "\n").map(String.init)
            lines[0] = "0x0000000000000000 0xffffffffffffffff 0x0000000000040200"
            try (lines.joined(separator: "\n") + "\n").write(toFile: table, atomically: true, encoding: .utf8)
            let script = tree.appendingPathComponent("s.run").path
            try "peek 00:02.0 0 0\n".write(toFile: script, atomically: true, encoding: .utf8)
            for command in [["peek", "00:02.0", "0", "0"], ["dump", "00:02.0", "0", "0+16"], ["watch", "00:02.0", "0", "0+4", "--count", "1"],
                            ["run", script], ["snapshot", "00:02.0", "--region", "0:0+4"]] {
                try refused(command, sysfs: tree, mentions: ["size 0"])
            }
            for command in [["caps", "00:02.0"], ["config", "00:02.0", "COMMAND"], ["bars", "00:02.0"]] {
                let result = try pcimmio(command, sysfs: tree)
                #expect(result.exitedNormally && result.status == 0, "\(command) \(result)")
            }
            lines[0] = "0x0000000000000800 0xffffffffffffffff 0x0000000000040200"
            try (lines.joined(separator: "\n") + "\n").write(toFile: table, atomically: true, encoding: .utf8)
            try refused(["peek", "00:02.0", "0", "0xffffc"], sysfs: tree, mentions: ["shorter than the BAR"])
        }
    }
}

extension HostileInputTests {
    /// Group B: numbers past Int in a snapshot file.
    @Test func snapshotNumbersPastIntAreBadInput() throws {
        try withPrivateTree("basic") { tree in
            let good = tree.appendingPathComponent("a.json").path
            try pcimmioOK(["snapshot", "00:03.0", "--region", "0:0x40+8", "-o", good], sysfs: tree)
            let text = try String(contentsOfFile: good, encoding: .utf8)
            let time = text.range(of: #""time": [0-9]+"#, options: .regularExpression)!
            let cases = [
                text.replacingCharacters(in: time, with: "\"time\": 9223372036854775808"),
                text.replacingOccurrences(of: "\"width\": 32", with: "\"width\": 9223372036854775808"),
                text.replacingOccurrences(of: "\"bar\": 0", with: "\"bar\": 9223372036854775808"),
                text.replacingOccurrences(of: "\"width\": 32", with: "\"width\": 18446744073709551615"),
            ]
            for (index, bad) in cases.enumerated() {
                let file = tree.appendingPathComponent("bad\(index).json").path
                try bad.write(toFile: file, atomically: true, encoding: .utf8)
                #expect(bad != text, "case \(index) changed nothing")
                try refused(["diff", good, file], sysfs: tree, mentions: ["not a pcimmio snapshot"])
                #expect(try pcimmio(["diff", good, file], sysfs: tree).status == 2)
            }
        }
    }
}

extension HostileInputTests {
    /// Group E: `set a $a$a` 31 times would be 2^31 bytes; the expansion stops at its limit,
    /// with the file and line, in --dry-run too.
    @Test func doublingAVariableStopsAtTheLineLimit() throws {
        let tree = try sharedTree("edu")
        let dir = try makeTempDir("doubling")
        defer { try? FileManager.default.removeItem(at: dir) }
        let script = dir.appendingPathComponent("d.run").path
        try ("set a x\n" + String(repeating: "set a $a$a\n", count: 31) + "echo $a\n").write(toFile: script, atomically: true, encoding: .utf8)
        for extra in [[], ["--dry-run"]] {
            // Every line past the limit is reported, as every parse error of a script is.
            let result = try pcimmio(["run", script] + extra, sysfs: tree)
            #expect(result.exitedNormally && result.status == 2, "\(result)")
            #expect(result.errLines.first?.contains("d.run:17: the line is longer than 65536 bytes") == true, "\(result.errLines.first ?? "")")
            #expect(result.errLines.count == 16)
        }
    }
}

extension HostileInputTests {
    /// Group D: a snapshot of 4 M one-byte registers aborted at 1.6 GB; it is refused before
    /// anything is read.
    @Test func aSnapshotTooLargeIsRefusedBeforeReading() throws {
        let tree = try sharedTree("large-bar")
        try refused(["snapshot", "01:00.0", "--region", "0:0+4M:8"], sysfs: tree, mentions: ["at most 262144 registers", "dump --format raw"])
    }
}

extension HostileInputTests {
    /// Group F: streams that never end. `load` stops at what the BAR holds from OFFSET; scripts,
    /// maps and snapshots at the documented cap; a line-buffered script at one line's limit.
    @Test func endlessStreamsStopAtTheirLimits() throws {
        let tree = try sharedTree("edu")
        func fromZero(_ arguments: [String]) throws -> ProcessResult {
            try runProcess("/bin/sh", ["-c", "tree=$1; shift; exec \"$0\" --sysfs \"$tree\" \"$@\" < /dev/zero", try E2E.binary(), tree.path] + arguments,
                           environment: pcimmioEnvironment())
        }
        let load = try fromZero(["load", "00:02.0", "0", "0xff000", "-", "--dry-run"])
        #expect(load.exitedNormally && load.status == 2 && load.err.contains("more than 4096 bytes"), "\(load)")
        for arguments in [["run", "-"], ["map", "check", "-"], ["diff", "-", "live"], ["run", "--line-buffered", "-"]] {
            let result = try fromZero(arguments)
            #expect(result.exitedNormally && result.status != 0 && result.errLines.count == 1, "\(arguments) \(result)")
            #expect(result.err.contains("bytes"), "\(arguments) \(result)")
        }
    }
}

extension HostileInputTests {
    /// Group G: `map import` of numbers near 2^64 and arrays that multiply past memory. Each
    /// is reported at its line (exit 1), never a trap, never gigabytes.
    @Test(arguments: [
        ("svd", "<register><name>R</name><addressOffset>0</addressOffset><fields><field><name>F</name><bitOffset>0xffffffffffffffff</bitOffset><bitWidth>1</bitWidth></field></fields></register>", "goes past 64 bits"),
        ("svd", "<register><name>R</name><addressOffset>0</addressOffset><fields><field><name>F</name><bitOffset>1</bitOffset><bitWidth>0xffffffffffffffff</bitWidth></field></fields></register>", "goes past 64 bits"),
        ("svd", "<cluster><name>C</name><addressOffset>0xfffffffffffffff0</addressOffset><register><name>R</name><addressOffset>0x20</addressOffset></register></cluster>", "past 2^64"),
        ("svd", "<register><dim>5</dim><dimIncrement>0x4000000000000000</dimIncrement><name>R%s</name><addressOffset>0</addressOffset></register>", "past 2^64"),
        ("svd", "<register><dim>4</dim><dimIncrement>4</dimIncrement><dimIndex>0-200000000</dimIndex><name>R%s</name><addressOffset>0</addressOffset></register>", "dim says 4"),
        ("svd", "<cluster><dim>1048576</dim><dimIncrement>0x10000</dimIncrement><name>C%s</name><addressOffset>0</addressOffset><register><dim>1024</dim><dimIncrement>4</dimIncrement><name>R%s</name><addressOffset>0</addressOffset></register></cluster>", "more than 1048576 registers"),
        ("ipxact", "<register><name>R</name><addressOffset>0</addressOffset><size>32</size><field><name>F</name><bitOffset>0</bitOffset><bitWidth>18446744073709551615</bitWidth></field></register>", "goes past the register"),
        ("ipxact", "<register><name>R</name><addressOffset>0xfffffffffffffffc</addressOffset><size>32</size><dim>4</dim></register>", "past 2^64"),
        ("ipxact", "<register><name>R</name><addressOffset>0x8000000000000000</addressOffset><size>32</size></register>", "past 2^64"),
        ("ipxact", "<register><name>R</name><addressOffset>0</addressOffset><size>32</size><dim>1048576</dim><dim>1048576</dim></register>", "more than 1048576 elements"),
    ])
    func importedNumbersAndArraysAreChecked(_ format: String, _ body: String, _ mention: String) throws {
        let dir = try makeTempDir("import-hostile")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("in.xml").path
        let document = format == "svd"
            ? "<device><name>D</name><size>32</size><peripherals><peripheral><name>P</name><baseAddress>0</baseAddress><registers>\n\(body)\n</registers></peripheral></peripherals></device>\n"
            : "<ipxact:component xmlns:ipxact=\"http://www.accellera.org/XMLSchema/IPXACT/1685-2014\"><ipxact:name>C</ipxact:name><ipxact:memoryMaps><ipxact:memoryMap><ipxact:name>M</ipxact:name><ipxact:addressBlock><ipxact:name>B</ipxact:name><ipxact:baseAddress>0</ipxact:baseAddress><ipxact:range>0x1000</ipxact:range><ipxact:width>32</ipxact:width>\n\(body.replacingOccurrences(of: "<", with: "<ipxact:").replacingOccurrences(of: "<ipxact:/", with: "</ipxact:"))\n</ipxact:addressBlock>"
              + (body.contains("0x8000000000000000") ? "<ipxact:addressUnitBits>16</ipxact:addressUnitBits>" : "")
              + "</ipxact:memoryMap></ipxact:memoryMaps></ipxact:component>\n"
        try document.write(toFile: file, atomically: true, encoding: .utf8)
        let result = try pcimmio(["map", "import", file, "-o", dir.appendingPathComponent("out.json").path], sysfs: nil)
        #expect(result.exitedNormally && result.status == 1, "\(result)")
        #expect(result.err.contains(mention), "\(result.err)")
    }
}
