// poke on private trees: the whole resource file before/after is the oracle.
import Foundation
import Testing

@Suite("Pokes change exactly the addressed bytes")
struct PokeTests {
    static let slot = "0000:00:03.0"   // basic: BAR0 4 KiB mem32 (seeded), BAR1 256-byte I/O

    /// Whole file before, poke, whole file after; everything but the register must be unchanged.
    private func expectPoke(tree: URL, slot: String = slot, bar: Int, file: String? = nil, offset: UInt64,
                            value: UInt64, width: Int, extra: [String] = [],
                            expected: (_ old: UInt64) -> UInt64,
                            sourceLocation: SourceLocation = #_sourceLocation) throws {
        let path = resourceFile(tree, slot, file ?? "resource\(bar)")
        let before = try readWholeFile(path)
        let start = Int(offset), end = start + width / 8
        let old = littleEndian(before[start..<end])
        try pcimmioWriteOK(["poke", slot, "\(bar)", hex(offset), hex(value), "-w", "\(width)"] + extra, sysfs: tree)
        var want = before
        want.replaceSubrange(start..<end, with: littleEndianBytes(expected(old), width: width))
        let after = try readWholeFile(path)
        #expect(after.count == before.count, "file size changed", sourceLocation: sourceLocation)
        let changed = zip(after, want).enumerated().filter { $0.element.0 != $0.element.1 }.map { hex(UInt64($0.offset)) }
        #expect(after == want, "poke \(hex(value)) -w \(width) at \(hex(offset)): wrong bytes at \(changed.prefix(16))",
                sourceLocation: sourceLocation)
    }

    @Test("a poke at each width changes exactly the addressed bytes of a memory BAR", arguments: accessWidths)
    func pokeMemory(width: Int) throws {
        try withPrivateTree("basic") { tree in
            var rng = SeededRandom(state: UInt64(width))
            let w = UInt64(width / 8)
            for offset in [0, w, 0x100 + 3 * w, 0x1000 - w] {
                let value = width == 64 ? rng.next() : rng.next() & ((1 << UInt64(width)) - 1)
                try expectPoke(tree: tree, bar: 0, offset: offset, value: value, width: width) { _ in value }
            }
        }
    }

    @Test("a poke at each width through an I/O-port BAR (pwrite) lands on the right bytes", arguments: [8, 16, 32])
    func pokeIOPort(width: Int) throws {
        try withPrivateTree("basic") { tree in
            let path = resourceFile(tree, Self.slot, "resource1")
            try writeBytes(path, offset: 0, randomBytes(0x100, seed: 77))
            let w = UInt64(width / 8)
            for (i, offset) in [0, w, 0x40 + w, 0x100 - w].enumerated() {
                let value = (0xA1B2_C3D4 &+ UInt64(i) &* 0x1111_1111) & ((1 << UInt64(width)) - 1)
                try expectPoke(tree: tree, bar: 1, offset: offset, value: value, width: width) { _ in value }
                let back = try pcimmioOK(["peek", Self.slot, "1", hex(offset), "-w", "\(width)"], sysfs: tree)
                #expect(back.out == hexRegister(value, width: width) + "\n")
            }
        }
    }

    @Test("a poke to a 16 GiB BAR near its end writes the right bytes of the sparse file")
    func pokeLargeBAR() throws {
        try withPrivateTree("large-bar") { tree in
            let slot = "0000:01:00.0"
            let path = resourceFile(tree, slot, "resource1")
            let offset: UInt64 = 0x3_ffff_ffe8   // the last 64-bit register but one
            let window = offset - 0x18          // 0x30 bytes up to the end of the file
            let before = try readBytes(path, offset: window, count: 0x30)
            let result = try pcimmioWriteOK(["poke", slot, "1", hex(offset), "0x0123456789abcdef", "-w", "64"], sysfs: tree)
            #expect(result.errLines == ["pcimmio: warning: 0000:01:00.0 is bound to nvidia: writing its registers behind the driver's back can confuse the driver or the device (pcimmio unbind 0000:01:00.0, or bind it to vfio-pci)"])
            var want = before
            want.replaceSubrange(0x18..<0x20, with: littleEndianBytes(0x0123_4567_89ab_cdef, width: 64))
            #expect((try readBytes(path, offset: window, count: 0x30)) == want)
            #expect((try readBytes(path, offset: 0, count: 0x1000)) == (0..<0x1000).map { patternByte(UInt64($0)) })
            #expect((try fileStat(path)).size == 0x4_0000_0000)
        }
    }

    @Test("--mask changes only the masked bits", arguments: accessWidths)
    func pokeMask(width: Int) throws {
        try withPrivateTree("basic") { tree in
            let all: UInt64 = width == 64 ? .max : (1 << UInt64(width)) - 1
            let mask = 0x5A5A_F00F_0FF0_A5A5 & all
            let value = 0x1234_5678_9ABC_DEF0 & mask
            try expectPoke(tree: tree, bar: 0, offset: 0x40, value: value, width: width,
                           extra: ["--mask", hex(mask)]) { old in (old & ~mask) | value }
            // On the I/O BAR too (one pread, one pwrite).
            if width <= 32 {
                try writeBytes(resourceFile(tree, Self.slot, "resource1"), offset: 0, randomBytes(0x100, seed: 5))
                try expectPoke(tree: tree, bar: 1, offset: 0x20, value: value, width: width,
                               extra: ["--mask", hex(mask)]) { old in (old & ~mask) | value }
            }
        }
    }

    @Test("--verify succeeds on a normal file")
    func pokeVerify() throws {
        try withPrivateTree("basic") { tree in
            try expectPoke(tree: tree, bar: 0, offset: 0x80, value: 0xcafef00d, width: 32, extra: ["--verify"]) { _ in 0xcafef00d }
            try expectPoke(tree: tree, bar: 0, offset: 0x84, value: 0x0f, width: 8, extra: ["--verify", "--mask", "0x0f"]) { old in
                (old & 0xf0) | 0x0f
            }
        }
    }

    @Test("--dry-run leaves bytes and mtime alone and prints the write", arguments: [false, true])
    func dryRun(masked: Bool) throws {
        try withPrivateTree("basic") { tree in
            let path = resourceFile(tree, Self.slot, "resource0")
            try setOldTimestamp(path)
            let before = try readWholeFile(path)
            let statBefore = try fileStat(path)
            let trace = tree.deletingLastPathComponent().appendingPathComponent("trace.jsonl").path
            let result = try pcimmioOK(["--trace", trace, "poke", Self.slot, "0", "0x24", "0xab", "-w", "8", "--dry-run"]
                                       + (masked ? ["--mask", "0xff"] : []), sysfs: tree)
            #expect((try readWholeFile(path)) == before)
            #expect((try fileStat(path)) == statBefore, "mtime or size changed by a dry run")
            #expect(result.out.contains("0xab"), "dry run should print the value: \(result)")
            #expect(result.out.contains("0x24"), "dry run should print the offset: \(result)")
            #expect((try readTrace(trace)).isEmpty, "a dry run accesses nothing, so traces nothing")
        }
    }

    @Test("--wc on a prefetchable BAR writes resourceN_wc, not resourceN; peek --wc reads it")
    func writeCombining() throws {
        try withPrivateTree("basic") { tree in
            let slot = "0000:00:02.0"   // BAR4: 64-bit prefetchable, resource4 + resource4_wc
            let plain = resourceFile(tree, slot, "resource4")
            let wc = plain + "_wc"
            try writeBytes(wc, offset: 0, randomBytes(0x4000, seed: 41))
            let plainBefore = try readWholeFile(plain)
            try expectPoke(tree: tree, slot: slot, bar: 4, file: "resource4_wc", offset: 0x100,
                           value: 0x1122_3344_5566_7788, width: 64, extra: ["--wc"]) { _ in 0x1122_3344_5566_7788 }
            #expect((try readWholeFile(plain)) == plainBefore, "--wc poke touched resource4")

            let viaWC = try pcimmioOK(["peek", slot, "4", "0x200", "-w", "32", "--wc"], sysfs: tree)
            #expect(viaWC.out == hexRegister(try fileRegister(wc, offset: 0x200, width: 32), width: 32) + "\n")
            let viaPlain = try pcimmioOK(["peek", slot, "4", "0x200", "-w", "32"], sysfs: tree)
            #expect(viaPlain.out == hexRegister(try fileRegister(plain, offset: 0x200, width: 32), width: 32) + "\n")
        }
    }

    @Test("--trace records one line per access with op, offset, width and value")
    func trace() throws {
        try withPrivateTree("basic") { tree in
            let path = resourceFile(tree, Self.slot, "resource0")
            let traceDir = tree.deletingLastPathComponent()
            func traced(_ name: String, _ args: [String]) throws -> [TraceLine] {
                let file = traceDir.appendingPathComponent(name).path
                try pcimmioOK(["--trace", file] + args, sysfs: tree)
                return try readTrace(file)
            }
            // peek -n 4: four reads at consecutive offsets, values from the file.
            let peeks = try traced("peek", ["peek", Self.slot, "0", "0x30", "-w", "16", "-n", "4"])
            #expect(peeks.count == 4)
            for (i, line) in peeks.enumerated() {
                let offset = 0x30 + UInt64(i) * 2
                #expect(line.op == "read" && line.device == Self.slot && line.bar == 0 && line.width == 16)
                #expect(line.offset == offset)
                #expect(line.value == hexRegister(try fileRegister(path, offset: offset, width: 16), width: 16))
            }
            // poke --mask: one read of the old value, one write of the new.
            let old = try fileRegister(path, offset: 0x60, width: 32)
            let pokes = try traced("poke", ["poke", Self.slot, "0", "0x60", "0x00a00000", "--mask", "0x00f00000"])
            #expect(pokes.map(\.op) == ["read", "write"])
            #expect(pokes.allSatisfy { $0.offset == 0x60 && $0.width == 32 && $0.bar == 0 && $0.device == Self.slot })
            #expect(pokes.first?.value == hexRegister(old, width: 32))
            #expect(pokes.last?.value == hexRegister((old & ~0x00f0_0000) | 0x00a0_0000, width: 32))
            #expect(pokes.last?.value == hexRegister(try fileRegister(path, offset: 0x60, width: 32), width: 32))
            // dump: one read per register.
            let dumps = try traced("dump", ["dump", Self.slot, "0", "0x100+0x20", "-w", "64", "--format", "raw"])
            #expect(dumps.map(\.offset) == [0x100, 0x108, 0x110, 0x118])
            #expect(dumps.allSatisfy { $0.op == "read" && $0.width == 64 })
            // list and bars touch no registers.
            #expect((try traced("list", ["list"])).isEmpty)
            #expect((try traced("bars", ["bars", Self.slot])).isEmpty)
        }
    }
}
