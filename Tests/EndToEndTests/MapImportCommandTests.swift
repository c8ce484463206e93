import Foundation
import PCIMMIO
import Testing

/// `pcimmio map import` as a user runs it: the map it writes passes `map check` and serves
/// peek by register name; what it cannot represent is FILE:LINE and a failure, or with
/// --keep-going a note naming what was left out.
@Suite struct MapImportCommandTests {
    static let fixtures = E2E.packageRoot.appendingPathComponent("Tests/Fixtures/import").path

    @Test func anSVDMapChecksCleanAndNamesRegistersForPeek() throws {
        let dir = try makeTempDir("svd")
        defer { try? FileManager.default.removeItem(at: dir) }
        let json = dir.appendingPathComponent("demo.json").path
        // The basic tree's 00:03.0 is 1b36:0005 with a 4K BAR 0.
        try pcimmioOK(["map", "import", Self.fixtures + "/demo.svd", "-o", json, "--device", "1b36:0005", "--bar", "UART1=0"], sysfs: nil)
        let checked = try pcimmioOK(["map", "check", json], sysfs: nil)
        #expect(checked.out == "\(json): ok, 11 registers (BAR 0) for 1b36:0005\n")
        let tree = try sharedTree("basic")
        let peeked = try pcimmioOK(["--map", json, "peek", "00:03.0", "0", "MATCHB"], sysfs: tree)
        let file = resourceFile(tree, "0000:00:03.0", "resource0")
        #expect(peeked.outLines.first?.hasPrefix(hexRegister(try fileRegister(file, offset: 0x14, width: 32), width: 32)) == true, "\(peeked)")
        #expect(try RegisterMapLoader.load(json).bases == [0: 0x4000_2000])
    }

    @Test func whatAMapCannotHoldIsReportedAtItsLineAndNothingIsWritten() throws {
        let dir = try makeTempDir("svd-bad")
        defer { try? FileManager.default.removeItem(at: dir) }
        let json = dir.appendingPathComponent("out.json").path
        let file = Self.fixtures + "/unrepresentable.svd"
        let result = try pcimmio(["map", "import", file, "-o", json], sysfs: nil)
        #expect(result.status == 1 && result.out.isEmpty)
        #expect(result.errLines == [
            "pcimmio: \(file):12: register WIDE is 24 bits wide: pcimmio registers are 8, 16, 32 or 64 bits",
            "pcimmio: \(file):13: register OVERLAP (0x2, 16-bit) overlaps GOOD (0x0, 32-bit, line 11)",
            "pcimmio: \(file):14: access 'read-clear' of register ODDACCESS is not one pcimmio can represent (read-write, read-only, write-only, writeOnce, read-writeOnce)",
            "pcimmio: \(file):20: field FIELDS.PAST bits 33:30 go past the register's 32 bits",
        ], "\(result)")
        #expect(!FileManager.default.fileExists(atPath: json))
    }

    @Test func keepGoingLeavesOutWhatItSaysAndWritesTheRest() throws {
        let dir = try makeTempDir("svd-keep")
        defer { try? FileManager.default.removeItem(at: dir) }
        let json = dir.appendingPathComponent("out.json").path
        let file = Self.fixtures + "/unrepresentable.svd"
        let result = try pcimmio(["map", "import", file, "-o", json, "--keep-going"], sysfs: nil)
        #expect(result.status == 0, "\(result)")
        #expect(result.errLines.count == 4 && result.errLines.allSatisfy { $0.hasPrefix("pcimmio: \(file):") })
        #expect(result.errLines[0].hasSuffix("; dropped register WIDE"))
        #expect(result.errLines[3].hasSuffix("; dropped field FIELDS.PAST"))
        let map = try RegisterMapLoader.load(json)
        #expect(map.registers.map(\.name) == ["GOOD", "FIELDS"])
        #expect(map.register(named: "FIELDS", bar: 0)?.fields.map(\.name) == ["OK"])
    }

    @Test func badInputIsOneLine() throws {
        let dir = try makeTempDir("import-bad")
        defer { try? FileManager.default.removeItem(at: dir) }
        let broken = dir.appendingPathComponent("broken.xml").path
        try Data("<device>\n  <name>X</name>\n  <peripherals>\n</device>\n".utf8).write(to: URL(fileURLWithPath: broken))
        try expectPcimmioFails(["map", "import", broken], sysfs: nil, mentions: ["broken.xml:5:", "not well-formed"])
        let other = dir.appendingPathComponent("other.xml").path
        try Data("<html/>\n".utf8).write(to: URL(fileURLWithPath: other))
        try expectPcimmioFails(["map", "import", other], sysfs: nil, mentions: ["other.xml:1:", "--format"])
        try expectPcimmioFails(["map", "import", Self.fixtures + "/demo.svd", "--bar", "NOPE=1"], sysfs: nil, mentions: ["no block NOPE", "UART0"])
        let usage = try pcimmio(["map", "import", Self.fixtures + "/demo.svd", "--device", "12345"], sysfs: nil)
        #expect(usage.status == 2 && usage.errLines.count == 1, "\(usage)")
    }

    @Test func aMissingFileSaysSoInOneLine() throws {
        let result = try pcimmio(["map", "import", "/nonexistent/chip.svd"], sysfs: nil)
        #expect(result.status == 1 && result.out.isEmpty)
        #expect(result.errLines == ["pcimmio: /nonexistent/chip.svd:0: cannot read the file: No such file or directory"])
    }

    @Test func globalOptionsBeforeMapReachItsSubcommands() throws {
        let map = E2E.packageRoot.appendingPathComponent("Maps/qemu-edu.json").path
        let tree = try sharedTree("basic")
        // As an alias `pcimmio --sysfs DIR` would write them: before the command group's name.
        let checked = try runProcess(try E2E.binary(), ["--sysfs", tree.path, "--map", map, "map", "check"], environment: pcimmioEnvironment())
        #expect(checked.status == 0 && checked.out == "\(map): ok, 11 registers (BAR 0) for 1234:11e8\n", "\(checked)")
        let nothing = try pcimmio(["map", "check"], sysfs: nil)
        #expect(nothing.status == 2 && nothing.errLines.count == 1 && nothing.err.contains("missing a map file"), "\(nothing)")
    }
}
