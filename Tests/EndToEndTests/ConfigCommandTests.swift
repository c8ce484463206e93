// `config` against setpci on the same fake trees: the same reads print the same values, the
// same writes leave the same bytes (on two copies of a tree), a dry run and a bad operand
// leave the bytes and the file's mtime alone, and `--dump` matches lspci -x/-xxx/-xxxx.
import Foundation
import Testing

@Suite struct ConfigCommandTests {
    func setpci(_ tree: URL, _ slot: String, _ operations: [String]) throws -> ProcessResult {
        try runProcess(try E2E.tool("setpci"), ["-A", "linux-sysfs", "-O", "sysfs.path=\(tree.path)", "-s", slot] + operations)
    }

    static let reads = ["COMMAND", "command", "0x04.w", "4.W", "0.l", "VENDOR_ID.b", "DEVICE_ID", "10.l", "0x10.L",
                        "COMMAND+1.b", "status.W", "CLASS_DEVICE", "HEADER_TYPE", "BASE_ADDRESS_0", "CAPABILITIES",
                        "SUBSYSTEM_ID", "3c.b", "0x3d.B"]

    static let bridgeReads = ["PRIMARY_BUS", "SECONDARY_BUS", "SUBORDINATE_BUS", "SEC_STATUS", "MEMORY_BASE",
                              "MEMORY_LIMIT", "PREF_MEMORY_BASE.l", "IO_BASE", "BRIDGE_CONTROL", "BRIDGE_ROM_ADDRESS"]

    @Test(arguments: [("basic", "00:01.0"), ("basic", "00:1f.2"), ("bridge", "00:1c.0"), ("large-bar", "01:00.0"), ("vfio", "00:04.0")])
    func readsPrintWhatSetpciPrints(_ fixture: String, _ slot: String) throws {
        let tree = try sharedTree(fixture)
        let bridge = try setpci(tree, slot, ["HEADER_TYPE"]).out.hasPrefix("01") || setpci(tree, slot, ["HEADER_TYPE"]).out.hasPrefix("81")
        var operations = Self.reads.filter { !bridge || !["SUBSYSTEM_ID"].contains($0) } + (bridge ? Self.bridgeReads : [])
        if try setpci(tree, slot, ["CAP_EXP.w"]).status == 0 {
            operations += ["CAP_EXP.w", "CAP_EXP+2.w", "CAP10+4.l", "cap_exp+0xc.L", "CAP_EXP+8.b", "CAP_EXP+2.w@0", "CAP10.b@00"]
        }
        let oracle = try setpci(tree, slot, operations)
        #expect(oracle.status == 0, "\(oracle)")
        let ours = try pcimmioOK(["config", slot] + operations, sysfs: tree)
        #expect(ours.outLines == oracle.outLines)
        #expect(ours.outLines.count == operations.count)
    }

    @Test func writesLeaveTheBytesSetpciLeaves() throws {
        // Past the Express capability (0x40-0x7b), so the capability stays findable.
        let writes = ["COMMAND=0x0106", "4.w=2:2", "0xa0.l=11223344,55667788", "a8.b=5a", "CAP_EXP+8.w=0020:00e0",
                      "ac.w=1,2,3", "LATENCY_TIMER=40", "STATUS.w=0100:0100", "200.l=cafe"]
        try withPrivateTree("large-bar") { ours in
            try withPrivateTree("large-bar") { theirs in
                let oracle = try setpci(theirs, "01:00.0", writes)
                #expect(oracle.status == 0, "\(oracle)")
                let result = try pcimmio(["config", "01:00.0"] + writes, sysfs: ours)
                #expect(result.status == 0 && result.out.isEmpty, "\(result)")
                // Config writes get the warning pokes get: the fixture's GPU is bound to nvidia.
                #expect(result.errLines == ["pcimmio: warning: 0000:01:00.0 is bound to nvidia: writing its registers behind the driver's back can confuse the driver or the device (pcimmio unbind 0000:01:00.0, or bind it to vfio-pci)"], "\(result)")
                let path = "devices/0000:01:00.0/config"
                let mine = try Data(contentsOf: ours.appendingPathComponent(path))
                #expect(mine == (try Data(contentsOf: theirs.appendingPathComponent(path))))
                #expect(mine[0xa0] == 0x44 && mine[0xa7] == 0x55 && mine[0x48] & 0xe0 == 0x20, "the writes really landed")
            }
        }
    }

    @Test func aDryRunOrABadOperandWritesNothing() throws {
        try withPrivateTree("large-bar") { tree in
            let config = tree.appendingPathComponent("devices/0000:01:00.0/config").path
            let before = try Data(contentsOf: URL(fileURLWithPath: config))
            let mtime = try FileManager.default.attributesOfItem(atPath: config)[.modificationDate] as? Date
            let dry = try pcimmioOK(["config", "01:00.0", "COMMAND=0x0107", "a0.l=1:3", "-D"], sysfs: tree)
            #expect(dry.outLines == ["would write 0x0107 to 0000:01:00.0 config 0x04 (16-bit)",
                                     "would write (old & ~0x00000003) | 0x00000001 to 0000:01:00.0 config 0xa0 (32-bit), reading it first"])
            for bad in [["a0.l=1", "a2.l=2"], ["a0.l=1", "ffe.l=1"], ["a0.l=1", "1000.b=1"], ["a0.l=1", "ECAP_AER.l=1"],
                        ["a0.l=1", "CAP_PM+2.w=1"], ["a0.l=1", "a4.w=10000"], ["a0.l=1", "a4.x=1"], ["a0.l=1", "NOSUCH.w=1"],
                        ["a0.l=1", "a4=1"], ["a0.l=1", "a4.b=3:1"], ["a0.l=1", "a4.b=zz"], ["a0.l=1", "SEC_STATUS=1"],
                        ["a0.l=1", "CAP_EXP+0xffc.l=1"]] {
                let result = try pcimmio(["config", "01:00.0"] + bad, sysfs: tree)
                expectCleanFailure(result, mentions: [bad[1]])
            }
            #expect(try Data(contentsOf: URL(fileURLWithPath: config)) == before)
            #expect(try FileManager.default.attributesOfItem(atPath: config)[.modificationDate] as? Date == mtime)
        }
    }

    @Test(arguments: [("-x", 64), ("-xxx", 256), ("-xxxx", 4096)])
    func dumpIsLaidOutAsLspciDoes(_ flag: String, _ bytes: Int) throws {
        for (fixture, slot) in [("large-bar", "01:00.0"), ("basic", "00:03.0")] {
            let tree = try sharedTree(fixture)
            let lspci = try runProcess(try E2E.tool("lspci"), ["-A", "linux-sysfs", "-O", "sysfs.path=\(tree.path)", flag, "-s", slot])
            let ours = try pcimmioOK(["config", slot, "--dump"] + (flag == "-x" ? [] : [flag]), sysfs: tree)
            #expect(ours.outLines == Array(lspci.outLines.dropFirst()), "\(fixture) \(slot) \(flag)")
            #expect(ours.outLines.count * 16 >= min(bytes, 256))
        }
    }
}
