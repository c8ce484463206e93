// --big-endian against the resource file's bytes at every width: a peek prints the bytes in
// memory order as one number, a poke stores the value's most significant byte first, a hex
// dump prints the values swapped and keeps the ASCII column in memory order.
import Foundation
import Testing

@Suite struct ByteOrderTests {
    static let slot = "0000:00:03.0"

    @Test(arguments: [8, 16, 32, 64])
    func peekPokeAndDumpSwapEachRegister(_ width: Int) throws {
        try withPrivateTree("basic") { tree in
            let resource = resourceFile(tree, Self.slot, "resource0")
            let bytes = try readBytes(resource, offset: 0x40, count: width / 8)
            let bigEndianValue = bytes.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            let peek = try pcimmioOK(["peek", "00:03.0", "0", "0x40", "-w", String(width), "--big-endian"], sysfs: tree)
            #expect(peek.outLines == [hexRegister(bigEndianValue, width: width)])
            let value: UInt64 = 0x0102_0304_0506_0708 >> UInt64(64 - width)
            try pcimmioOK(["poke", "00:03.0", "0", "0x80", hex(value), "-w", String(width), "--big-endian", "--verify"], sysfs: tree)
            #expect(try readBytes(resource, offset: 0x80, count: width / 8) == Array([1, 2, 3, 4, 5, 6, 7, 8].prefix(width / 8)))
            let dump = try pcimmioOK(["dump", "00:03.0", "0", "0x80+16", "-w", String(width), "--big-endian"], sysfs: tree)
            let line = dump.outLines.first ?? ""
            #expect(line.hasPrefix("00000080: " + hexRegister(value, width: width).dropFirst(2)), "\(line)")
            let memoryOrder = try readBytes(resource, offset: 0x80, count: 16).map { $0 >= 0x20 && $0 < 0x7f ? Character(UnicodeScalar($0)) : "." }
            #expect(line.hasSuffix(String(memoryOrder)), "the ASCII column keeps memory order: \(line)")
            let raw = try pcimmioOK(["dump", "00:03.0", "0", "0x80+16", "-w", String(width), "--big-endian", "--format", "raw"], sysfs: tree)
            #expect([UInt8](raw.stdout) == (try readBytes(resource, offset: 0x80, count: 16)), "raw stays memory order")
        }
    }

    @Test func scriptsTakeTheFlagPerLine() throws {
        try withPrivateTree("basic") { tree in
            let script = tree.appendingPathComponent("s.run").path
            try "poke 00:03.0 0 0x20 0x11223344 --big-endian\npeek 00:03.0 0 0x20\npeek 00:03.0 0 0x20 --big-endian\n"
                .write(toFile: script, atomically: true, encoding: .utf8)
            let run = try pcimmioOK(["run", script], sysfs: tree)
            #expect(run.outLines == ["0x44332211", "0x11223344"])
        }
    }

    /// `"byteOrder": "big"` on a register (or its whole map) swaps that register's values, by
    /// name, in one-shot commands and scripts alike; other registers stay little-endian.
    @Test func aMapCanSayARegisterIsBigEndian() throws {
        try withPrivateTree("basic") { tree in
            let map = tree.appendingPathComponent("map.json").path
            try """
                { "devices": ["1b36:0005"], "bars": { "0": [
                  { "name": "BE", "offset": "0x40", "byteOrder": "big" },
                  { "name": "LE", "offset": "0x44" } ] } }
                """.write(toFile: map, atomically: true, encoding: .utf8)
            let resource = resourceFile(tree, Self.slot, "resource0")
            let be = try readBytes(resource, offset: 0x40, count: 4).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            let le = try readBytes(resource, offset: 0x44, count: 4).reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            let peek = try pcimmioOK(["--map", map, "peek", "00:03.0", "0", "BE"], sysfs: tree)
            #expect(peek.outLines.first?.hasPrefix(hexRegister(be, width: 32)) == true, "\(peek)")
            let script = tree.appendingPathComponent("s.run").path
            try "poke 00:03.0 0 BE 0x11223344\npeek 00:03.0 0 BE\npeek 00:03.0 0 LE\n".write(toFile: script, atomically: true, encoding: .utf8)
            let run = try pcimmioOK(["--map", map, "run", script], sysfs: tree)
            #expect(run.outLines == ["0x11223344", hexRegister(le, width: 32)], "\(run)")
            #expect(try readBytes(resource, offset: 0x40, count: 4) == [0x11, 0x22, 0x33, 0x44])
            try #"{ "devices": ["1b36:0005"], "byteOrder": "middle", "bars": { "0": [] } }"#.write(toFile: map, atomically: true, encoding: .utf8)
            try expectPcimmioFails(["map", "check", map], sysfs: nil, mentions: ["byteOrder", "\"big\" or \"little\""])
        }
    }
}
