// Decisions that used to be made in several places and disagreed (issue 17), each made once
// now: a register's byte order, tracing of config accesses, the exit status of a refused
// write, what `phys` output says about its BAR. Oracles: the resource and config files' bytes.
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite struct OneDecisionTests {
    static let slot = "0000:00:03.0"

    /// A map of the basic tree's 1b36:0005 whose register at 0x40 is big-endian, with fields.
    func bigEndianMap(in tree: URL) throws -> String {
        let map = tree.appendingPathComponent("be.json").path
        try """
            { "devices": ["1b36:0005"], "bars": { "0": [
              { "name": "BE", "offset": "0x40", "byteOrder": "big", "fields": [
                { "name": "LOW", "bits": "7:0" }, { "name": "HIGH", "bits": "31:24" } ] },
              { "name": "LE", "offset": "0x44" } ] } }
            """.write(toFile: map, atomically: true, encoding: .utf8)
        return map
    }

    /// One register, one decoding: by name, by offset, in a script and under watch.
    @Test func aRegistersByteOrderIsTheSameByNameAndByOffset() throws {
        try withPrivateTree("basic") { tree in
            let map = try bigEndianMap(in: tree)
            let bytes = try readBytes(resourceFile(tree, Self.slot, "resource0"), offset: 0x40, count: 4)
            let value = bytes.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }  // big-endian: first byte most significant
            let byName = try pcimmioOK(["--map", map, "peek", "00:03.0", "0", "BE", "--decode"], sysfs: tree)
            let byOffset = try pcimmioOK(["--map", map, "peek", "00:03.0", "0", "0x40", "--decode"], sysfs: tree)
            #expect(byName.out == byOffset.out, "by name:\n\(byName.out)\nby offset:\n\(byOffset.out)")
            #expect(byName.outLines.first?.hasPrefix(hexRegister(value, width: 32)) == true, "\(byName)")
            #expect(byName.out.contains("LOW  [7:0]   = 0x" + String(value & 0xff, radix: 16)), "\(byName)")
            let json = try pcimmioOK(["--map", map, "peek", "00:03.0", "0", "0x40", "--json"], sysfs: tree)
            #expect(json.out.contains("\"value\": \"\(hexRegister(value, width: 32))\""), "\(json)")
            let script = tree.appendingPathComponent("s.run").path
            try "peek 00:03.0 0 0x40\npeek 00:03.0 0 BE\n".write(toFile: script, atomically: true, encoding: .utf8)
            let run = try pcimmioOK(["--map", map, "run", script], sysfs: tree)
            #expect(run.outLines == [hexRegister(value, width: 32), hexRegister(value, width: 32)], "\(run)")
            let watch = try pcimmioOK(["--map", map, "watch", "00:03.0", "0", "0x40+8", "--count", "1"], sysfs: tree)
            let le = try readBytes(resourceFile(tree, Self.slot, "resource0"), offset: 0x44, count: 4).reversed()
                .reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            #expect(watch.outLines == ["+0.000s 0x40 BE " + hexRegister(value, width: 32), "+0.000s 0x44 LE " + hexRegister(le, width: 32)],
                    "\(watch)")
        }
    }

    /// `--trace` promises one line per device access: config space is a device too.
    @Test func configReadsAndWritesAreTraced() throws {
        try withPrivateTree("basic") { tree in
            let config = deviceDir(tree, Self.slot).appendingPathComponent("config").path
            let trace = tree.appendingPathComponent("trace.jsonl").path
            let before = try readBytes(config, offset: 4, count: 2)
            try pcimmioOK(["--trace", trace, "config", "00:03.0", "COMMAND=7", "COMMAND"], sysfs: tree)
            #expect(try readBytes(config, offset: 4, count: 2) == [7, 0])
            // Also in the trace: the header-type reads that check the operations first.
            let all = try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n").map(String.init)
            let lines = all.filter { $0.contains("\"offset\":4,") }
            #expect(lines.count == 2 && all.count - lines.count <= 2, "\(all)")
            let write = lines.first ?? "", read = lines.last ?? ""
            for (line, op) in [(write, "write"), (read, "read")] {
                #expect(line.hasPrefix("{\"op\":\"\(op)\",\"via\":\"sysfs\",\"device\":\"\(Self.slot)\",\"space\":\"config\",\"offset\":4,\"width\":16,\"value\":\"0x0007\","),
                        "\(line) (before: \(before))")
                #expect(!line.contains("\"bar\""), "\(line)")
            }
            let masked = try pcimmio(["--trace", "-", "config", "00:03.0", "COMMAND=2:6"], sysfs: tree)
            #expect(masked.status == 0, "\(masked)")
            let command = masked.errLines.filter { $0.contains("\"offset\":4,") }
            #expect(command.count == 2 && command[0].contains("\"op\":\"read\"") && command[1].contains("\"op\":\"write\"")
                    && command[1].contains("\"value\":\"0x0003\""), "a masked write is one read and one write: \(masked)")
        }
    }

    /// EACCES is the same failure for a BAR and for config space: a system failure (1), not bad input (2).
    @Test(.enabled(if: getuid() == 0)) func aRefusedConfigWriteFailsLikeARefusedPoke() throws {
        try withPrivateTree("basic") { tree in
            let config = deviceDir(tree, Self.slot).appendingPathComponent("config").path
            let before = try readWholeFile(config)
            let asNobody = [try E2E.tool("setpriv"), "--reuid=65534", "--regid=65534", "--clear-groups", try E2E.binary(), "--sysfs", tree.path]
            let poke = try runProcess(asNobody[0], Array(asNobody.dropFirst()) + ["poke", "00:03.0", "0", "0", "0x1"], environment: pcimmioEnvironment())
            let write = try runProcess(asNobody[0], Array(asNobody.dropFirst()) + ["config", "00:03.0", "COMMAND=7"], environment: pcimmioEnvironment())
            #expect(poke.status == 1, "\(poke)")
            #expect(write.status == poke.status, "\(write)")
            #expect(write.errLines.count == 1 && write.err.contains("config") && write.err.lowercased().contains("permission denied"), "\(write)")
            #expect(try readWholeFile(config) == before)
        }
    }

    /// A physical address has no BAR: JSON says so the same way for peek and dump.
    @Test func physicalOutputHasNoBAR() throws {
        let dir = try makeTempDir("devmem")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("mem").path
        let address: UInt64 = 0xc000_1000  // PCI bus space in cloud-vm.txt, claimed by nobody
        #expect(FileManager.default.createFile(atPath: file, contents: nil))
        #expect(truncate(file, off_t(address + 0x1000)) == 0)
        let iomem = E2E.packageRoot.appendingPathComponent("Tests/Fixtures/iomem/cloud-vm.txt").path
        let env = pcimmioEnvironment(extra: ["PCIMMIO_DEVMEM": file, "PCIMMIO_IOMEM": iomem])
        let peek = try pcimmio(["peek", "phys", hex(address), "--json"], sysfs: nil, environment: env)
        let dump = try pcimmio(["dump", "phys", "\(hex(address))+16", "--format", "json"], sysfs: nil, environment: env)
        for result in [peek, dump] {
            #expect(result.status == 0, "\(result)")
            let compact = result.out.filter { $0 != " " && $0 != "\n" }
            #expect(compact.contains("\"bar\":null") && !compact.contains("\"bar\":-"), "\(result)")
            #expect(compact.contains("\"device\":\"phys\""), "\(result)")
        }
    }
}
