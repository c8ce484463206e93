import Foundation
import Testing

/// `run`, `wait` and `watch` on private fake trees, with the resource file's bytes and the
/// trace as oracles.
@Suite struct ScriptingCommandTests {
    let slot = "0000:00:03.0"

    func script(_ dir: URL, _ text: String) throws -> String {
        let path = dir.appendingPathComponent("script-\(UUID().uuidString).txt").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func aScriptReadsAndWritesTheFileAndStopsAtTheLineThatFailsAtRunTime() throws {
        try withPrivateTree("basic") { tree in
            let file = resourceFile(tree, slot, "resource0")
            let trace = tree.appendingPathComponent("trace.jsonl").path
            let path = try script(tree, """
                set dev 00:03.0
                peek $dev 0 0x10
                poke $dev 0 0x20 0xa5 -w 8
                peek $dev 0 0x20 -w 8
                wait $dev 0 0x0 --mask 0xff --value 0x12 --timeout 0ms
                poke $dev 0 0x24 0xff -w 8
                """)
            let result = try pcimmio(["--trace", trace, "run", path], sysfs: tree)
            #expect(result.status == 1)
            #expect(result.outLines == [hexRegister(littleEndian(patternBytes(0x10, 4)), width: 32), "0xa5"])
            #expect(result.errLines.count == 1 && result.errLines[0].hasPrefix("pcimmio: \(path):5: timed out after 0s"), "\(result)")
            #expect(try readBytes(file, offset: 0x20, count: 1) == [0xa5])
            // Line 6 never ran.
            #expect(try readBytes(file, offset: 0x24, count: 1) == [patternByte(0x24)])
            #expect(try readTrace(trace).map { "\($0.op) \($0.offset) \($0.width)" } == ["read 16 32", "write 32 8", "read 32 8", "read 0 32"])
        }
    }

    @Test func aLineThatCannotWorkStopsTheScriptBeforeAnythingRuns() throws {
        try withPrivateTree("basic") { tree in
            let file = resourceFile(tree, slot, "resource0")
            let trace = tree.appendingPathComponent("trace.jsonl").path
            let path = try script(tree, "poke 00:03.0 0 0x20 0xa5 -w 8\npeek 00:03.0 0 0x1000\npeek 00:03.0 2 0x0\n")
            let result = try pcimmio(["--trace", trace, "run", path], sysfs: tree)
            #expect(result.status == 1)
            #expect(result.stdout.isEmpty)
            #expect(result.errLines == ["pcimmio: \(path):2: offset 0x1000 + 4 bytes is past the end of 0000:00:03.0 BAR 0 (size 0x1000; last valid offset for this access is 0xffc)",
                                        "pcimmio: \(path):3: 0000:00:03.0 has no BAR 2 (its BARs: 0, 1)"])
            #expect(try readBytes(file, offset: 0x20, count: 1) == [patternByte(0x20)])
            #expect(try readTrace(trace).isEmpty)
        }
    }

    @Test func keepGoingRunsEveryLineAndReportsEachFailure() throws {
        try withPrivateTree("basic") { tree in
            let path = try script(tree, "peek 00:03.0 0 0x1000\npeek 00:03.0 0 0x0\npeek 00:03.0 0 0x2\n")
            let result = try pcimmio(["run", "--keep-going", path], sysfs: tree)
            #expect(result.status != 0)
            #expect(result.outLines == ["0x18110a03"])
            try #require(result.errLines.count == 3, "\(result)")
            #expect(result.errLines[0].hasPrefix("pcimmio: \(path):1: "))
            #expect(result.errLines[1].hasPrefix("pcimmio: \(path):3: offset 0x2 is not aligned"))
            #expect(result.errLines[2] == "pcimmio: 2 lines failed")
        }
    }

    @Test func dryRunTouchesNothing() throws {
        try withPrivateTree("basic") { tree in
            let file = resourceFile(tree, slot, "resource0")
            try setOldTimestamp(file)
            let before = try fileStat(file)
            let bytes = try readWholeFile(file)
            let trace = tree.appendingPathComponent("trace.jsonl").path
            let path = try script(tree, "poke 00:03.0 0 0x0 0xffffffff\npoke 00:03.0 1 0x4 0x1 -w 16\npeek 00:03.0 0 0x4\n")
            let result = try pcimmio(["--trace", trace, "run", "--dry-run", path], sysfs: tree)
            #expect(result.status == 0, "\(result)")
            #expect(result.outLines == ["\(path): 3 commands checked, no device touched"])
            #expect(try readWholeFile(file) == bytes)
            #expect(try fileStat(file) == before)
            #expect(try readTrace(trace).isEmpty)
        }
    }

    @Test func dryRunFindsBoundsErrorsWithoutRunningAnything() throws {
        try withPrivateTree("basic") { tree in
            let file = resourceFile(tree, slot, "resource0")
            let path = try script(tree, "poke 00:03.0 0 0x0 0x1\npeek 00:03.0 0 0xffe -w 32\n")
            let result = try pcimmio(["run", "--dry-run", path], sysfs: tree)
            #expect(result.status != 0)
            #expect(result.errLines.count == 1 && result.errLines[0].contains("\(path):2: offset 0xffe"))
            #expect(try readBytes(file, offset: 0, count: 1) == [patternByte(0)])
        }
    }

    @Test func aSyntaxErrorAnywhereRunsNothing() throws {
        try withPrivateTree("basic") { tree in
            let file = resourceFile(tree, slot, "resource0")
            let path = try script(tree, "poke 00:03.0 0 0x0 0x1\npeek 00:03.0 0 0x0 --frob\n")
            let result = try pcimmio(["run", path], sysfs: tree)
            #expect(result.status != 0)
            #expect(result.stdout.isEmpty)
            #expect(result.errLines == ["pcimmio: \(path):2: unknown option --frob (usage: peek DEVICE BAR OFFSET|REGISTER [-w BITS] [-n COUNT] [--json] [--decode] [--wc] [--via PATH] [--big-endian])"])
            #expect(try readBytes(file, offset: 0, count: 1) == [patternByte(0)])
        }
    }

    @Test func scriptsComeFromStandardInput() throws {
        let tree = try sharedTree("basic")
        let input = tree.deletingLastPathComponent().appendingPathComponent("stdin-\(UUID().uuidString).txt")
        try Data("peek 00:03.0 0 0x0 -n 2\necho done\n".utf8).write(to: input)
        defer { try? FileManager.default.removeItem(at: input) }
        let result = try runProcess("/bin/sh", ["-c", "\"$0\" --sysfs \"$1\" run - < \"$2\"", try E2E.binary(), tree.path, input.path])
        #expect(result.status == 0)
        #expect(result.outLines == ["0x18110a03", "0x342d261f", "done"])
    }

    /// A file truncated while a script holds its mapping: the next access faults, and the
    /// script reports it as an error naming the line, device, BAR and offset.
    @Test func aFileTruncatedUnderALiveMappingIsAnErrorNotACrash() throws {
        try withPrivateTree("basic") { tree in
            let file = resourceFile(tree, slot, "resource0")
            let path = try script(tree, "peek 00:03.0 0 0x800\nsleep 400ms\npeek 00:03.0 0 0x800\n")
            let truncator = Thread {
                Thread.sleep(forTimeInterval: 0.2)
                truncate(file, 0)
            }
            truncator.start()
            let result = try pcimmio(["run", path], sysfs: tree)
            #expect(result.exitedNormally, "killed by a signal: \(result)")
            #expect(result.status == 1)
            #expect(result.outLines == [hexRegister(littleEndian(patternBytes(0x800, 4)), width: 32)])
            #expect(result.errLines.count == 1)
            #expect(result.errLines.first?.contains("\(path):3:") == true)
            #expect(result.errLines.first?.contains("accessing 0000:00:03.0 BAR 0 at offset 0x800") == true, "\(result)")
            #expect(!result.err.contains("Fatal error") && !result.err.contains("Backtrace"))
        }
    }

    @Test func waitSucceedsAtOnceOrTimesOutShowingTheLastValue() throws {
        let tree = try sharedTree("basic")
        let value = littleEndian(patternBytes(0x20, 4))
        let ok = try pcimmioOK(["wait", "00:03.0", "0", "0x20", "--mask", "0xff", "--value", hex(value & 0xff)], sysfs: tree)
        #expect(ok.outLines == [hexRegister(value, width: 32)])
        let started = Date()
        try expectPcimmioFails(["wait", "00:03.0", "0", "0x20", "--mask", "0xff", "--value", hex((value + 1) & 0xff), "--timeout", "150ms"],
                               sysfs: tree, mentions: ["timed out after 150ms", "last value \(hexRegister(value, width: 32))"])
        #expect(Date().timeIntervalSince(started) >= 0.15)
        try expectPcimmioFails(["wait", "00:03.0", "0", "0x20", "--mask", "0x0f", "--value", "0xf0"], sysfs: tree, mentions: ["outside", "never hold"])
        try expectPcimmioFails(["wait", "00:03.0", "0", "0x20", "--mask", "1", "--value", "1", "--timeout", "5"], sysfs: tree, mentions: ["'5' is not a duration"])
    }

    @Test func waitSeesAWriteMadeWhileItPolls() throws {
        try withPrivateTree("basic") { tree in
            let file = resourceFile(tree, slot, "resource0")
            let writer = Thread {
                Thread.sleep(forTimeInterval: 0.2)
                try? writeBytes(file, offset: 0x40, [0x5a])
            }
            writer.start()
            let result = try pcimmio(["wait", "00:03.0", "0", "0x40", "-w", "8", "--mask", "0xff", "--value", "0x5a", "--timeout", "3s"], sysfs: tree)
            #expect(result.status == 0, "\(result)")
            #expect(result.outLines == ["0x5a"])
        }
    }

    @Test func watchPrintsTheFirstSampleThenOnlyChanges() throws {
        try withPrivateTree("basic") { tree in
            let file = resourceFile(tree, slot, "resource0")
            let trace = tree.appendingPathComponent("trace.jsonl").path
            let writer = Thread {
                Thread.sleep(forTimeInterval: 0.25)
                try? writeBytes(file, offset: 0x4, [0x77])
            }
            writer.start()
            let result = try pcimmio(["--trace", trace, "watch", "00:03.0", "0", "0+8", "--interval", "100ms", "--count", "6"], sysfs: tree)
            #expect(result.status == 0, "\(result)")
            let first = littleEndian(patternBytes(0, 4)), second = littleEndian(patternBytes(4, 4))
            let changed = second & ~0xff | 0x77
            #expect(result.outLines.count == 3)
            #expect(result.outLines.first?.hasSuffix(" 0x0 \(hexRegister(first, width: 32))") == true)
            #expect(result.outLines.dropFirst().first?.hasSuffix(" 0x4 \(hexRegister(second, width: 32))") == true)
            #expect(result.outLines.last?.hasSuffix(" 0x4 \(hexRegister(second, width: 32)) -> \(hexRegister(changed, width: 32))") == true, "\(result)")
            // 6 samples of 2 registers, each one 32-bit read.
            let reads = try readTrace(trace)
            #expect(reads.count == 12 && reads.allSatisfy { $0.op == "read" && $0.width == 32 })
        }
    }
}

/// The seeded pattern's bytes at `offset`.
func patternBytes(_ offset: UInt64, _ count: Int) -> [UInt8] { (0..<UInt64(count)).map { patternByte(offset + $0) } }
