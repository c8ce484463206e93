// load, fill and multi-value poke on fake trees: the resource file's bytes are the oracle
// (exactly the range changes), memtool mw on a copy of the same file for several values, the
// round trip through dump --format raw, and bad input refused before anything is written.
import Foundation
import Testing

@Suite struct BulkWriteCommandTests {
    static let slot = "0000:00:03.0"   // basic: BAR0 4 KiB of pattern

    func randomBytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8.random(in: 0...255) } }

    @Test(arguments: [8, 16, 32, 64])
    func loadWritesExactlyTheFileAtTheOffset(_ width: Int) throws {
        try withPrivateTree("basic") { tree in
            let resource = resourceFile(tree, Self.slot, "resource0")
            let image = randomBytes(0x100)
            let file = tree.appendingPathComponent("image.bin").path
            try Data(image).write(to: URL(fileURLWithPath: file))
            let before = try readWholeFile(resource)
            try pcimmioOK(["load", "00:03.0", "0", "0x200", file, "-w", String(width), "--verify"], sysfs: tree)
            var want = before
            want.replaceSubrange(0x200..<0x300, with: image)
            #expect(try readWholeFile(resource) == want)
            let back = try pcimmioOK(["dump", "00:03.0", "0", "0x200+0x100", "--format", "raw", "-w", String(width)], sysfs: tree)
            #expect([UInt8](back.stdout) == image, "dump --format raw gives the file back")
        }
    }

    @Test func loadFromStandardInputAndTheRoundTrip() throws {
        try withPrivateTree("basic") { tree in
            let saved = tree.appendingPathComponent("saved.bin").path
            try pcimmioOK(["dump", "00:03.0", "0", "0+0x400", "--format", "raw", "-o", saved], sysfs: tree)
            let resource = resourceFile(tree, Self.slot, "resource0")
            let original = try readWholeFile(resource)
            try pcimmioOK(["fill", "00:03.0", "0", "0+0x400", "0"], sysfs: tree)
            #expect(try readBytes(resource, offset: 0, count: 0x400) == [UInt8](repeating: 0, count: 0x400))
            let result = try runProcess("/bin/sh", ["-c", "\"$0\" --sysfs \"$1\" load 00:03.0 0 0 - < \"$2\"", try E2E.binary(), tree.path, saved])
            #expect(result.status == 0 && result.err.isEmpty, "\(result)")
            #expect(try readWholeFile(resource) == original)
        }
    }

    @Test(arguments: [8, 16, 32, 64])
    func fillAndRampsLandOnTheRightBytes(_ width: Int) throws {
        try withPrivateTree("basic") { tree in
            let resource = resourceFile(tree, Self.slot, "resource0")
            let before = try readWholeFile(resource)
            let mask: UInt64 = width == 64 ? .max : (1 << UInt64(width)) - 1
            let start: UInt64 = (mask - 2) & 0xffff_ffff_ffff_fff0   // wraps at the width for 8 and 16 bits
            try pcimmioOK(["fill", "00:03.0", "0", "0x800+0x40", hex(start), "--increment", "3", "-w", String(width)], sysfs: tree)
            var want = before
            for index in 0..<(0x40 / (width / 8)) {
                let value = (start &+ UInt64(index) &* 3) & mask
                want.replaceSubrange(0x800 + index * width / 8..<0x800 + (index + 1) * width / 8, with: littleEndianBytes(value, width: width))
            }
            #expect(try readWholeFile(resource) == want)
        }
    }

    @Test func severalPokedValuesMatchMemtoolMw() throws {
        try withPrivateTree("basic") { ours in
            try withPrivateTree("basic") { theirs in
                let values = ["0x11223344", "0x55667788", "0x99aabbcc", "0x0"]
                try pcimmioOK(["poke", "00:03.0", "0", "0x40"] + values + ["--verify"], sysfs: ours)
                let memtool = try runProcess(try E2E.tool("memtool"), ["mw", "-l", "-d", resourceFile(theirs, Self.slot, "resource0"), "0x40"] + values)
                #expect(memtool.status == 0, "\(memtool)")
                #expect(try readWholeFile(resourceFile(ours, Self.slot, "resource0")) == readWholeFile(resourceFile(theirs, Self.slot, "resource0")))
                let dry = try pcimmioOK(["poke", "00:03.0", "0", "0x40", "1", "2", "--dry-run", "-w", "16"], sysfs: ours)
                #expect(dry.outLines == ["would write 0x0001 to 0000:00:03.0 BAR 0 offset 0x40 (16-bit)",
                                         "would write 0x0002 to 0000:00:03.0 BAR 0 offset 0x42 (16-bit)"])
            }
        }
    }

    @Test func badInputIsRefusedBeforeAnythingIsWritten() throws {
        try withPrivateTree("basic") { tree in
            let resource = resourceFile(tree, Self.slot, "resource0")
            let before = try readWholeFile(resource)
            let odd = tree.appendingPathComponent("odd.bin").path
            try Data([1, 2, 3]).write(to: URL(fileURLWithPath: odd))
            let big = tree.appendingPathComponent("big.bin").path
            try Data(count: 0x100).write(to: URL(fileURLWithPath: big))
            try expectPcimmioFails(["load", "00:03.0", "0", "0", odd], sysfs: tree, mentions: ["3 bytes", "multiple of 4"])
            try expectPcimmioFails(["load", "00:03.0", "0", "0xf80", big], sysfs: tree, mentions: ["past the end"])
            try expectPcimmioFails(["load", "00:03.0", "0", "0", tree.appendingPathComponent("missing.bin").path], sysfs: tree, mentions: ["No such file"])
            try expectPcimmioFails(["load", "00:03.0", "0", "0", big, "--wc"], sysfs: tree, mentions: ["--wc", "not prefetchable"])
            try expectPcimmioFails(["load", "00:03.0", "0", "2", big], sysfs: tree, mentions: ["not aligned"])
            try expectPcimmioFails(["fill", "00:03.0", "0", "0+0x2000", "1"], sysfs: tree, mentions: ["past the end"])
            try expectPcimmioFails(["fill", "00:03.0", "0", "0+0x10", "0x100", "-w", "8"], sysfs: tree, mentions: ["does not fit in 8 bits"])
            try expectPcimmioFails(["poke", "00:03.0", "0", "0xffc", "1", "2"], sysfs: tree, mentions: ["past the end"])
            try expectPcimmioFails(["poke", "00:03.0", "0", "0x0", "1", "0x1ff", "-w", "8"], sysfs: tree, mentions: ["does not fit"])
            let script = tree.appendingPathComponent("s.run").path
            try "fill 00:03.0 0 0+0x10 0x5\nload 00:03.0 0 0 \(odd)\n".write(toFile: script, atomically: true, encoding: .utf8)
            try expectPcimmioFails(["run", script], sysfs: tree, mentions: [":2:", "whole number"])
            #expect(try readWholeFile(resource) == before)
        }
    }

    /// A prefetchable BAR with resourceN_wc: the burst goes to the _wc file, then one read of
    /// the BAR's first register; the trace shows each store, or one summary line.
    @Test func writeCombiningLoadsGoThroughTheWCFileAndAreTraced() throws {
        try withPrivateTree("basic") { tree in
            let image = randomBytes(0x40)
            let file = tree.appendingPathComponent("image.bin").path
            try Data(image).write(to: URL(fileURLWithPath: file))
            let trace = tree.appendingPathComponent("trace.jsonl").path
            let result = try pcimmioWriteOK(["--trace", trace, "load", "00:02.0", "4", "0x100", file, "--wc"], sysfs: tree)
            #expect(result.stdout.isEmpty)
            #expect(try readBytes(resourceFile(tree, "0000:00:02.0", "resource4_wc"), offset: 0x100, count: 0x40) == image)
            let lines = try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n")
            #expect(lines.count == 17, "16 stores and the flush read: \(lines)")
            #expect(lines.prefix(16).allSatisfy { $0.contains("\"op\":\"write\"") } && lines[16].contains("\"op\":\"read\"") && lines[16].contains("\"offset\":0,"))
            let summary = tree.appendingPathComponent("summary.jsonl").path
            _ = try pcimmioWriteOK(["--trace", summary, "--trace-summary", "load", "00:02.0", "4", "0x100", file, "--wc", "--no-flush"], sysfs: tree)
            let summaryLines = try String(contentsOfFile: summary, encoding: .utf8).split(separator: "\n")
            #expect(summaryLines.count == 1 && summaryLines[0].contains("\"count\":16,\"bytes\":64"), "\(summaryLines)")
            // Only transfers are summarised: a peek of several registers still logs each one.
            let peeks = tree.appendingPathComponent("peeks.jsonl").path
            _ = try pcimmioOK(["--trace", peeks, "--trace-summary", "peek", "00:03.0", "0", "0", "-n", "3"], sysfs: tree)
            #expect(try String(contentsOfFile: peeks, encoding: .utf8).split(separator: "\n").count == 3)
        }
    }

    @Test func loadFillAndSeveralValuesRunInScripts() throws {
        try withPrivateTree("basic") { tree in
            let image = randomBytes(0x20)
            let file = tree.appendingPathComponent("image.bin").path
            try Data(image).write(to: URL(fileURLWithPath: file))
            let script = tree.appendingPathComponent("s.run").path
            try "load 00:03.0 0 0x100 \(file) --verify\nfill 00:03.0 0 0x200+8 0xab -w 8\npoke 00:03.0 0 0x300 5 6\npeek 00:03.0 0 0x300 -n 2\n"
                .write(toFile: script, atomically: true, encoding: .utf8)
            let run = try pcimmioOK(["run", script], sysfs: tree)
            #expect(run.outLines == ["0x00000005", "0x00000006"])
            let resource = resourceFile(tree, Self.slot, "resource0")
            #expect(try readBytes(resource, offset: 0x100, count: 0x20) == image)
            #expect(try readBytes(resource, offset: 0x200, count: 8) == [UInt8](repeating: 0xab, count: 8))
        }
    }
}
