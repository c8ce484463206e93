import Foundation
import Testing

/// Register maps against the edu fixture, with the resource file and the trace as oracles.
@Suite struct RegisterMapCommandTests {
    let maps = E2E.packageRoot.appendingPathComponent("Maps").path
    var map: String { maps + "/qemu-edu.json" }
    let slot = "0000:00:02.0"

    @Test func aNamedRegisterIsOneAccessOfItsOwnWidthAtItsOffset() throws {
        let tree = try sharedTree("edu")
        let file = resourceFile(tree, slot, "resource0")
        let dir = try makeTempDir("map-trace")
        defer { try? FileManager.default.removeItem(at: dir) }
        let trace = dir.appendingPathComponent("trace.jsonl").path
        let result = try runProcess(try E2E.binary(), ["--sysfs", tree.path, "--trace", trace, "peek", "00:02.0", "0", "DMA_CMD"],
                                    environment: pcimmioEnvironment(extra: ["PCIMMIO_MAPS": maps]))
        #expect(result.status == 0, "\(result)")
        #expect(result.outLines == [hexRegister(try fileRegister(file, offset: 0x98, width: 64), width: 64)])
        #expect(try readTrace(trace).map { "\($0.op) \($0.offset) \($0.width)" } == ["read 152 64"])
    }

    @Test func withoutAMapANameIsAClearError() throws {
        let tree = try sharedTree("edu")
        let result = try runProcess(try E2E.binary(), ["--sysfs", tree.path, "peek", "00:02.0", "0", "STATUS"],
                                    environment: pcimmioEnvironment(extra: ["PCIMMIO_MAPS": "/nonexistent"]))
        expectCleanFailure(result, mentions: ["no register map", "1234:11e8", "--map"])
    }

    @Test func peekWithAMapDecodesFieldsAndTheirMeanings() throws {
        let tree = try sharedTree("edu")
        let status = try fileRegister(resourceFile(tree, slot, "resource0"), offset: 0x20, width: 32)
        let result = try pcimmioOK(["--map", map, "peek", "00:02.0", "0", "STATUS", "--decode"], sysfs: tree)
        #expect(result.outLines.first == "\(hexRegister(status, width: 32))  STATUS @0x20 (32-bit, rw)")
        let irq = (status >> 7) & 1, busy = status & 1
        #expect(result.outLines.contains("    IRQ_ON_DONE [7] = 0x\(irq) (\(irq == 1 ? "ON" : "OFF"))"))
        #expect(result.outLines.contains("    COMPUTING   [0] = 0x\(busy) (\(busy == 1 ? "BUSY" : "IDLE"))"))
    }

    @Test func fieldsOfOneRegisterAreOneReadAndOneWriteOfOnlyTheirBits() throws {
        try withPrivateTree("edu") { tree in
            let file = resourceFile(tree, slot, "resource0")
            let trace = tree.appendingPathComponent("trace.jsonl").path
            let before = try readWholeFile(file)
            let old = try fileRegister(file, offset: 0x98, width: 64)
            try pcimmioOK(["--map", map, "--trace", trace, "poke", "00:02.0", "0", "DMA_CMD.DIRECTION=RAM_TO_EDU", "DMA_CMD.IRQ=1"], sysfs: tree)
            let expected = old & ~0x6 | 0x4
            #expect(try fileRegister(file, offset: 0x98, width: 64) == expected)
            var after = try readWholeFile(file)
            after.replaceSubrange(0x98..<0xa0, with: before[0x98..<0xa0])
            #expect(after == before, "bytes outside DMA_CMD changed")
            #expect(try readTrace(trace).map { "\($0.op) \($0.offset) \($0.width) \($0.value)" }
                    == ["read 152 64 \(hexRegister(old, width: 64))", "write 152 64 \(hexRegister(expected, width: 64))"])
        }
    }

    @Test func fieldMistakesAreRefusedBeforeAnyAccess() throws {
        try withPrivateTree("edu") { tree in
            let file = resourceFile(tree, slot, "resource0")
            let before = try readWholeFile(file)
            let cases: [([String], [String])] = [
                (["STATUS.IRQ_ON_DONE=2"], ["does not fit", "1 bit"]),
                (["STATUS.COMPUTING=1"], ["ro", "cannot be written"]),
                (["STATUS.NOPE=1"], ["no field NOPE", "COMPUTING"]),
                (["STATUS.IRQ_ON_DONE=1", "DMA_CMD.IRQ=1"], ["one register"]),
                (["NOPE.X=1"], ["no register NOPE"]),
                (["IRQ_STATUS", "0x1"], ["IRQ_STATUS is ro"]),
            ]
            for (write, mentions) in cases {
                try expectPcimmioFails(["--map", map, "poke", "00:02.0", "0"] + write, sysfs: tree, mentions: mentions)
            }
            try expectPcimmioFails(["--map", map, "peek", "00:02.0", "0", "STATUS", "-w", "16"], sysfs: tree, mentions: ["32-bit register"])
            #expect(try readWholeFile(file) == before)
        }
    }

    @Test func dumpWithAMapSkipsWriteOnlyRegistersAndReadsEachOnceAtItsWidth() throws {
        let tree = try sharedTree("edu")
        let file = resourceFile(tree, slot, "resource0")
        let dir = try makeTempDir("map-dump")
        defer { try? FileManager.default.removeItem(at: dir) }
        let trace = dir.appendingPathComponent("trace.jsonl").path
        let result = try pcimmioOK(["--map", map, "--trace", trace, "dump", "00:02.0", "0", "0+0x100", "--decode"], sysfs: tree)
        #expect(result.outLines.contains("skipped IRQ_RAISE @0x60 (wo: write-only)"))
        #expect(result.outLines.contains("skipped IRQ_ACK @0x64 (wo: write-only)"))
        let count = hexRegister(try fileRegister(file, offset: 0x90, width: 64), width: 64)
        #expect(result.outLines.contains { $0.hasPrefix("\(count)  DMA_COUNT @0x90") })
        let accesses = try readTrace(trace).map { "\($0.op) \(hex($0.offset)) \($0.width)" }
        #expect(accesses == ["read 0x0 32", "read 0x4 32", "read 0x8 32", "read 0x20 32", "read 0x24 32",
                             "read 0x80 64", "read 0x88 64", "read 0x90 64", "read 0x98 64"])
    }

    @Test func includeSideEffectsReadsWriteOnlyRegistersToo() throws {
        let tree = try sharedTree("edu")
        let dir = try makeTempDir("map-side")
        defer { try? FileManager.default.removeItem(at: dir) }
        let trace = dir.appendingPathComponent("trace.jsonl").path
        let result = try pcimmioOK(["--map", map, "--trace", trace, "dump", "00:02.0", "0", "0x60+8", "--decode", "--include-side-effects"], sysfs: tree)
        #expect(!result.out.contains("skipped"))
        #expect(try readTrace(trace).map { "\($0.op) \(hex($0.offset)) \($0.width)" } == ["read 0x60 32", "read 0x64 32"])
    }

    @Test func watchWithAMapNamesEachRegister() throws {
        let tree = try sharedTree("edu")
        let file = resourceFile(tree, slot, "resource0")
        let result = try pcimmioOK(["--map", map, "watch", "00:02.0", "0", "0+8", "--count", "1"], sysfs: tree)
        #expect(result.outLines == ["+0.000s 0x0 ID \(hexRegister(try fileRegister(file, offset: 0, width: 32), width: 32))",
                                    "+0.000s 0x4 LIVENESS \(hexRegister(try fileRegister(file, offset: 4, width: 32), width: 32))"])
    }

    /// A read-to-clear register: dump skips it, read-modify-write and --verify refuse it,
    /// and a write of the whole register goes ahead without reading.
    @Test func readToClearRegistersAreNeverReadUnlessAsked() throws {
        try withPrivateTree("edu") { tree in
            let file = resourceFile(tree, slot, "resource0")
            let rcMap = tree.appendingPathComponent("rc.json")
            try Data("""
                { "devices": ["1234:11e8"], "bars": { "0": [
                  { "name": "EVENTS", "offset": "0x40", "access": "rc", "fields": [
                    { "name": "DONE", "bits": "0" }, { "name": "ERROR", "bits": "1" } ] },
                  { "name": "CTRL", "offset": "0x44" } ] } }
                """.utf8).write(to: rcMap)
            let trace = tree.appendingPathComponent("trace.jsonl").path
            let dump = try pcimmioOK(["--map", rcMap.path, "--trace", trace, "dump", "00:02.0", "0", "0x40+8", "--decode"], sysfs: tree)
            #expect(dump.outLines.first == "skipped EVENTS @0x40 (rc: reading it has side effects; --include-side-effects reads it)")
            try expectPcimmioFails(["--map", rcMap.path, "poke", "00:02.0", "0", "EVENTS.DONE=1"], sysfs: tree,
                                   mentions: ["EVENTS is rc", "read-modify-write"])
            try expectPcimmioFails(["--map", rcMap.path, "poke", "00:02.0", "0", "EVENTS", "0x3", "--verify"], sysfs: tree,
                                   mentions: ["EVENTS is rc", "--verify"])
            try pcimmioOK(["--map", rcMap.path, "--trace", trace, "poke", "00:02.0", "0", "EVENTS", "0x3"], sysfs: tree)
            #expect(try fileRegister(file, offset: 0x40, width: 32) == 0x3)
            #expect(try readTrace(trace).map { "\($0.op) \(hex($0.offset))" } == ["read 0x44", "write 0x40"])
        }
    }

    @Test func waitUntilAFieldHolds() throws {
        let tree = try sharedTree("edu")
        let status = try fileRegister(resourceFile(tree, slot, "resource0"), offset: 0x20, width: 32)
        let irq = (status >> 7) & 1
        let ok = try pcimmioOK(["--map", map, "wait", "00:02.0", "0", "--until", "STATUS.IRQ_ON_DONE=\(irq)"], sysfs: tree)
        #expect(ok.outLines == [hexRegister(status, width: 32)])
        try expectPcimmioFails(["--map", map, "wait", "00:02.0", "0", "--until", "STATUS.IRQ_ON_DONE=\(1 - irq)", "--timeout", "20ms"],
                               sysfs: tree, mentions: ["timed out", "STATUS.IRQ_ON_DONE=\(1 - irq) (last IRQ_ON_DONE=0x\(irq)", "last value"])
    }

    @Test func mapCheckReportsEachMistakeAtItsLine() throws {
        let dir = try makeTempDir("map-check")
        defer { try? FileManager.default.removeItem(at: dir) }
        let bad = dir.appendingPathComponent("bad.json")
        try Data("""
            {
              "devices": ["1234:11e8"],
              "bars": { "0": [
                { "name": "A", "offset": "0x0" },
                { "name": "B", "offset": "0x2", "width": 16 },
                { "name": "C", "offset": "0x9" },
                { "name": "A", "offset": "0x10", "fields": [ { "name": "F", "bits": "40:33" } ] }
              ] }
            }
            """.utf8).write(to: bad)
        let result = try pcimmio(["map", "check", bad.path], sysfs: nil)
        #expect(result.status == 1)
        #expect(result.errLines.map { $0.split(separator: ":").dropFirst(2).first.map(String.init) ?? "" } == ["5", "6", "7", "7"], "\(result)")
        let good = try pcimmioOK(["map", "check", map], sysfs: nil)
        #expect(good.outLines == ["\(map): ok, 11 registers (BAR 0) for 1234:11e8"])
    }
}
