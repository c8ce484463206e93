// peek and dump against the bytes of the resource files and against memtool reading them.
import Foundation
import Testing

/// A BAR of a fixture whose resource file holds known bytes.
struct SeededBAR: Sendable, CustomTestStringConvertible {
    let fixture: String
    let slot: String
    let bar: Int
    let size: UInt64
    var wc = false
    var file: String { "resource\(bar)" + (wc ? "_wc" : "") }
    var testDescription: String { "\(fixture) \(slot) \(file)" }
    var extraArgs: [String] { wc ? ["--wc"] : [] }

    /// Offsets worth probing at a width: the start, inside the seeded 4 KiB, its boundary, the end.
    func offsets(width: Int) -> [UInt64] {
        let w = UInt64(width / 8)
        return [0, w, 0x2a8, 0xff8, 0x1000, size - w]
            .filter { $0 % w == 0 && $0 + w <= size }
            .reduce(into: [UInt64]()) { if !$0.contains($1) { $0.append($1) } }
    }
}

let seededBARs: [SeededBAR] = [
    SeededBAR(fixture: "basic", slot: "0000:00:03.0", bar: 0, size: 0x1000),
    SeededBAR(fixture: "domain", slot: "0001:01:00.0", bar: 0, size: 0x4000),
    SeededBAR(fixture: "edge", slot: "0000:00:05.0", bar: 0, size: 0x10000),
    SeededBAR(fixture: "large-bar", slot: "0000:01:00.0", bar: 1, size: 0x4_0000_0000),
    SeededBAR(fixture: "large-bar", slot: "0000:01:00.0", bar: 1, size: 0x4_0000_0000, wc: true),
]

let accessWidths = [8, 16, 32, 64]

@Suite("Values vs file bytes and memtool")
struct MemtoolOracleTests {
    @Test("the fixture's seed pattern is where the fixture says (guards the other oracles)", arguments: seededBARs)
    func seedIsPresent(bar: SeededBAR) throws {
        let path = resourceFile(try sharedTree(bar.fixture), bar.slot, bar.file)
        let bytes = try readBytes(path, offset: 0, count: 0x1000)
        #expect(bytes == (0..<0x1000).map { patternByte(UInt64($0)) })
    }

    @Test("peek at every width equals the file's little-endian bytes and memtool",
          arguments: seededBARs, accessWidths)
    func peekMatchesBytesAndMemtool(bar: SeededBAR, width: Int) throws {
        let tree = try sharedTree(bar.fixture)
        let path = resourceFile(tree, bar.slot, bar.file)
        for offset in bar.offsets(width: width) {
            let result = try pcimmioOK(["peek", bar.slot, "\(bar.bar)", hex(offset), "-w", "\(width)"] + bar.extraArgs,
                                       sysfs: tree)
            let fromFile = try fileRegister(path, offset: offset, width: width)
            let fromMemtool = try Memtool.read(path, width: width, start: offset, size: UInt64(width / 8))
            #expect(fromMemtool == [Register(offset: offset, value: fromFile)], "memtool disagrees with the file bytes")
            #expect(result.out == hexRegister(fromFile, width: width) + "\n",
                    "peek \(hex(offset)) -w \(width): got \(result.out.debugDescription), file/memtool \(hexRegister(fromFile, width: width))")
        }
    }

    @Test("peek -n returns consecutive registers (text and --json)", arguments: accessWidths)
    func peekCount(width: Int) throws {
        let bar = seededBARs[1]
        let tree = try sharedTree(bar.fixture)
        let path = resourceFile(tree, bar.slot, bar.file)
        let start: UInt64 = 0x40
        let count = 7
        let want = try fileRegisters(path, width: width, start: start, size: UInt64(count * width / 8))
        let text = try pcimmioOK(["peek", bar.slot, "bar\(bar.bar)", hex(start), "-w", "\(width)", "-n", "\(count)"],
                                 sysfs: tree)
        #expect(text.outLines == want.map { hexRegister($0.value, width: width) })

        struct Peek: Decodable {
            struct Reg: Decodable { let offset: UInt64; let value: String }
            let device: String, bar: Int, width: Int, registers: [Reg]
        }
        let json = try decodeJSON(Peek.self, from: try pcimmioOK(
            ["peek", bar.slot, "\(bar.bar)", hex(start), "-w", "\(width)", "-n", "\(count)", "--json"], sysfs: tree))
        #expect(json.device == bar.slot && json.bar == bar.bar && json.width == width)
        // Values are hex strings of the width's digits (issue 21: exact in every JSON reader).
        #expect(json.registers.map(\.offset) == want.map(\.offset))
        #expect(json.registers.map(\.value) == want.map { hexRegister($0.value, width: width) })
    }

    static let regions: [(spec: String, start: UInt64, size: UInt64)] = [
        ("0+0x40", 0, 0x40), ("0x10+0x20", 0x10, 0x20), ("0xfe0-0x101f", 0xfe0, 0x40), ("0x80", 0x80, 0x100),
    ]

    @Test("dump --format hex equals memtool md and the bytes, at each width", arguments: seededBARs, accessWidths)
    func dumpHexMatchesMemtool(bar: SeededBAR, width: Int) throws {
        let tree = try sharedTree(bar.fixture)
        let path = resourceFile(tree, bar.slot, bar.file)
        for region in Self.regions where region.start + region.size <= bar.size {
            let result = try pcimmioOK(["dump", bar.slot, "\(bar.bar)", region.spec, "-w", "\(width)"] + bar.extraArgs,
                                       sysfs: tree)
            let got = try parseHexDump(result.out, width: width, start: region.start, size: region.size, source: "pcimmio dump")
            let memtool = try Memtool.read(path, width: width, start: region.start, size: region.size)
            let bytes = try fileRegisters(path, width: width, start: region.start, size: region.size)
            #expect(memtool == bytes, "memtool disagrees with the file bytes")
            #expect(got == memtool, "dump \(region.spec) -w \(width) differs from memtool md")
        }
    }

    @Test("dump at the very end of a BAR equals memtool", arguments: accessWidths)
    func dumpEndOfLargeBAR(width: Int) throws {
        let bar = seededBARs[3]
        let tree = try sharedTree(bar.fixture)
        let path = resourceFile(tree, bar.slot, bar.file)
        let start = bar.size - 0x30
        let result = try pcimmioOK(["dump", bar.slot, "\(bar.bar)", "\(hex(start))+0x30", "-w", "\(width)"], sysfs: tree)
        let got = try parseHexDump(result.out, width: width, start: start, size: 0x30, source: "pcimmio dump")
        #expect(got == (try Memtool.read(path, width: width, start: start, size: 0x30)))
    }

    @Test("dump --format raw is exactly the file's bytes", arguments: seededBARs, accessWidths)
    func dumpRawIsFileBytes(bar: SeededBAR, width: Int) throws {
        let tree = try sharedTree(bar.fixture)
        let path = resourceFile(tree, bar.slot, bar.file)
        for region in Self.regions where region.start + region.size <= bar.size {
            let result = try pcimmioOK(["dump", bar.slot, "\(bar.bar)", region.spec, "-w", "\(width)", "--format", "raw"]
                                       + bar.extraArgs, sysfs: tree)
            #expect([UInt8](result.stdout) == (try readBytes(path, offset: region.start, count: Int(region.size))),
                    "raw dump \(region.spec) -w \(width)")
        }
    }

    @Test("dump without a region covers 0+0x100, clipped to a smaller BAR; -o writes the same bytes",
          arguments: [("basic", "0000:00:03.0", 0, 0x100), ("basic", "0000:00:01.0", 1, 0x40),
                      ("basic", "0000:00:1f.2", 4, 0x20), ("edge", "0000:00:05.0", 0, 0x100)])
    func dumpDefaultRegion(fixture: String, slot: String, bar: Int, expectedSize: Int) throws {
        let tree = try sharedTree(fixture)
        let path = resourceFile(tree, slot, "resource\(bar)")
        let want = try readBytes(path, offset: 0, count: expectedSize)
        let result = try pcimmioOK(["dump", slot, "\(bar)", "--format", "raw", "-w", "8"], sysfs: tree)
        #expect([UInt8](result.stdout) == want)

        let scratch = try makeTempDir("dump-o")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let out = scratch.appendingPathComponent("regs.bin").path
        let written = try pcimmioOK(["dump", slot, "\(bar)", "--format", "raw", "-w", "8", "-o", out], sysfs: tree)
        #expect(written.stdout.isEmpty)
        #expect((try readWholeFile(out)) == want)
    }

    @Test("dump --format json: offset, width and values equal the bytes", arguments: accessWidths)
    func dumpJSON(width: Int) throws {
        struct Dump: Decodable { let device: String; let bar: Int; let offset: UInt64; let width: Int; let values: [String] }
        // The second region crosses the end of the seeded 4 KiB of the 16 GiB BAR.
        for (bar, start) in [(seededBARs[0], UInt64(0xfa0)), (seededBARs[3], UInt64(0xfc0))] {
            let tree = try sharedTree(bar.fixture)
            let path = resourceFile(tree, bar.slot, bar.file)
            let result = try pcimmioOK(["dump", bar.slot, "\(bar.bar)", "\(hex(start))+0x60", "-w", "\(width)",
                                        "--format", "json"], sysfs: tree)
            let dump = try decodeJSON(Dump.self, from: result)
            #expect(dump.device == bar.slot && dump.bar == bar.bar && dump.offset == start && dump.width == width)
            #expect(dump.values == (try fileRegisters(path, width: width, start: start, size: 0x60)).map { hexRegister($0.value, width: width) })
        }
    }

    @Test("peek and dump read random bytes written into a private tree's files (memory and I/O BARs)",
          arguments: accessWidths)
    func randomContent(width: Int) throws {
        try withPrivateTree("basic") { tree in
            let slot = "0000:00:03.0"
            for (bar, size) in [(0, 0x1000), (1, 0x100)] where !(bar == 1 && width == 64) {
                let path = resourceFile(tree, slot, "resource\(bar)")
                try writeBytes(path, offset: 0, randomBytes(size, seed: UInt64(width * 10 + bar)))
                let w = UInt64(width / 8)
                for offset in [0, w, 0x18, UInt64(size) / 2 + w, UInt64(size) - w] {
                    let result = try pcimmioOK(["peek", slot, "\(bar)", hex(offset), "-w", "\(width)"], sysfs: tree)
                    let want = try fileRegister(path, offset: offset, width: width)
                    #expect(result.out == hexRegister(want, width: width) + "\n", "BAR \(bar) offset \(hex(offset))")
                    #expect((try Memtool.read(path, width: width, start: offset, size: w)).map(\.value) == [want])
                }
                let raw = try pcimmioOK(["dump", slot, "\(bar)", "0-\(hex(UInt64(size) - 1))", "-w", "\(width)",
                                         "--format", "raw"], sysfs: tree)
                #expect([UInt8](raw.stdout) == (try readWholeFile(path)), "raw dump of BAR \(bar)")
            }
        }
    }
}
