// snapshot and diff on the edu fixture with its map: an unchanged device diffs empty with
// exit 0; a poke of LIVENESS, a field poke and a COMMAND write show up by name with both
// values (fields decoded with their value names); live reads the device now; bad input is 2.
import Foundation
import Testing

@Suite struct SnapshotDiffTests {
    static let map = E2E.packageRoot.appendingPathComponent("Maps/qemu-edu.json").path

    @Test func anUnchangedDeviceDiffsEmptyAndChangesAreNamed() throws {
        try withPrivateTree("edu") { tree in
            let first = tree.appendingPathComponent("before.json").path
            let second = tree.appendingPathComponent("after.json").path
            try pcimmioOK(["--map", Self.map, "snapshot", "00:02.0", "-o", first], sysfs: tree)
            let snapshot = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: first))) as? [String: Any] ?? [:]
            let registers = snapshot["registers"] as? [[String: Any]] ?? []
            let config = snapshot["config"] as? String ?? ""
            #expect(registers.contains { $0["name"] as? String == "LIVENESS" })
            #expect(!registers.contains { $0["name"] as? String == "IRQ_RAISE" }, "write-only registers are skipped")
            #expect((snapshot["skipped"] as? [String])?.contains("IRQ_RAISE") == true)
            let configFile = try readWholeFile(deviceDir(tree, "0000:00:02.0").appendingPathComponent("config").path)
            #expect(config == configFile.prefix(config.count / 2).map { String(format: "%02x", $0) }.joined() && config.count >= 128)

            let same = try pcimmio(["--map", Self.map, "diff", first, "live"], sysfs: tree)
            #expect(same.status == 0 && same.out.isEmpty && same.err.isEmpty, "\(same)")

            try pcimmioOK(["--map", Self.map, "poke", "00:02.0", "0", "LIVENESS", "0x12345678"], sysfs: tree)
            try pcimmioOK(["--map", Self.map, "poke", "00:02.0", "0", "STATUS.IRQ_ON_DONE=OFF"], sysfs: tree)
            try pcimmioOK(["config", "00:02.0", "COMMAND=0x0007"], sysfs: tree)
            try pcimmioOK(["--map", Self.map, "snapshot", "00:02.0", "-o", second], sysfs: tree)
            let resource = resourceFile(tree, "0000:00:02.0", "resource0")
            let oldLiveness = littleEndian(patternBytes(4, 4))
            let oldStatus = littleEndian(try readBytes(resource, offset: 0x20, count: 4)) | 0x80
            let diff = try pcimmio(["--map", Self.map, "diff", first, second], sysfs: tree)
            #expect(diff.status == 1, "different: exit 1 \(diff)")
            #expect(diff.outLines == [
                "config 0x04 COMMAND: 0x0006 -> 0x0007",
                "LIVENESS @0x4 (BAR 0): \(hexRegister(oldLiveness, width: 32)) -> 0x12345678",
                "STATUS @0x20 (BAR 0): \(hexRegister(oldStatus, width: 32)) -> \(hexRegister(oldStatus & ~0x80, width: 32))",
                "    IRQ_ON_DONE [7]: 0x1 (ON) -> 0x0 (OFF)",
            ], "\(diff)")
            let json = try pcimmio(["--map", Self.map, "diff", first, "live", "--json"], sysfs: tree)
            let changes = try JSONSerialization.jsonObject(with: json.stdout) as? [[String: Any]] ?? []
            #expect(changes.count == 3 && changes[1]["place"] as? String == "LIVENESS @0x4 (BAR 0)")
        }
    }

    @Test func withoutAMapRegionsAreSnapshottedAndBadInputIsTwo() throws {
        try withPrivateTree("basic") { tree in
            let first = tree.appendingPathComponent("a.json").path
            try pcimmioOK(["snapshot", "00:03.0", "--region", "0:0x40+8", "--region", "0:0x80+4:8", "-o", first], sysfs: tree)
            try pcimmioOK(["poke", "00:03.0", "0", "0x81", "0x5a", "-w", "8"], sysfs: tree)
            let diff = try pcimmio(["diff", first, "live"], sysfs: tree)
            #expect(diff.status == 1)
            #expect(diff.outLines == ["@0x81 (BAR 0): \(hexRegister(UInt64(patternByte(0x81)), width: 8)) -> 0x5a"], "\(diff)")
            let missing = try pcimmio(["diff", first, tree.appendingPathComponent("none.json").path], sysfs: tree)
            #expect(missing.status == 2 && missing.errLines.count == 1)
            let notSnapshot = tree.appendingPathComponent("x.json").path
            try "{}".write(toFile: notSnapshot, atomically: true, encoding: .utf8)
            let bad = try pcimmio(["diff", first, notSnapshot], sysfs: tree)
            #expect(bad.status == 2 && bad.err.contains("not a pcimmio snapshot"), "\(bad)")
            let both = try pcimmio(["diff", "live", "live"], sysfs: tree)
            #expect(both.status == 2)
        }
    }
}
