import Foundation
import PCIMMIO
import Testing

/// What a bench user hit in the first hour (issue 21), each reproduced here first: the
/// resource file and the trace are the oracles.
@Suite struct BenchUserTests {
    let map = E2E.packageRoot.appendingPathComponent("Maps/qemu-edu.json").path
    let slot = "0000:00:02.0"

    /// Item 1: a map names registers; it never turns raw bytes or JSON into decoded text,
    /// nor drops the width asked for.
    @Test func aMapLeavesRawJSONAndWidthAlone() throws {
        let tree = try sharedTree("edu")
        let file = resourceFile(tree, slot, "resource0")
        let dir = try makeTempDir("map-raw")
        defer { try? FileManager.default.removeItem(at: dir) }
        let saved = dir.appendingPathComponent("saved.bin").path
        try pcimmioOK(["--map", map, "dump", "00:02.0", "0", "0+40", "--format", "raw", "-o", saved], sysfs: tree)
        #expect(try Array(readWholeFile(saved)) == Array(try readWholeFile(file)[0..<40]))
        let json = try pcimmioOK(["--map", map, "dump", "00:02.0", "0", "0+8", "--format", "json"], sysfs: tree)
        #expect((try? JSONSerialization.jsonObject(with: json.stdout)) != nil, "\(json)")
        let narrow = try pcimmioOK(["--map", map, "dump", "00:02.0", "0", "0+16", "-w", "8"], sysfs: tree)
        #expect(narrow.outLines.count == 1 && narrow.outLines[0].hasPrefix("00000000:"), "\(narrow)")
        // Decoding is text: asked for with raw, JSON or a width, it says so and reads nothing.
        for extra in [["--format", "raw"], ["--format", "json"], ["-w", "8"]] {
            try expectPcimmioFails(["--map", map, "dump", "00:02.0", "0", "0+8", "--decode"] + extra, sysfs: tree,
                                   mentions: ["--decode"])
        }
    }

    /// Item 10: `--map` names the map, `--decode` decodes: `v=$(pcimmio --map M peek …)` is one value.
    @Test func mapNamesAndDecodeDecodes() throws {
        let tree = try sharedTree("edu")
        let status = try fileRegister(resourceFile(tree, slot, "resource0"), offset: 0x20, width: 32)
        let plain = try pcimmioOK(["--map", map, "peek", "00:02.0", "0", "STATUS"], sysfs: tree)
        #expect(plain.outLines == [hexRegister(status, width: 32)])
        let decoded = try pcimmioOK(["--map", map, "peek", "00:02.0", "0", "STATUS", "--decode"], sysfs: tree)
        #expect(decoded.outLines.first == "\(hexRegister(status, width: 32))  STATUS @0x20 (32-bit, rw)")
        #expect(decoded.outLines.count > 1)
    }

    /// Item 4: watch skips the registers dump skips (rc, wo), and says so.
    @Test func watchNeverReadsWhatDumpSkips() throws {
        try withPrivateTree("edu") { tree in
            let rcMap = tree.appendingPathComponent("rc.json").path
            try Data("""
                { "devices": ["1234:11e8"], "bars": { "0": [
                  { "name": "EVENTS", "offset": "0x40", "access": "rc" },
                  { "name": "KICK", "offset": "0x48", "access": "wo" },
                  { "name": "CTRL", "offset": "0x44" } ] } }
                """.utf8).write(to: URL(fileURLWithPath: rcMap))
            let trace = tree.appendingPathComponent("trace.jsonl").path
            let watch = try pcimmioOK(["--map", rcMap, "--trace", trace, "watch", "00:02.0", "0", "0x40+16", "--count", "2", "--interval", "1ms"],
                                      sysfs: tree)
            #expect(watch.outLines.contains("skipped EVENTS @0x40 (rc: reading it has side effects; --include-side-effects reads it)"), "\(watch)")
            #expect(watch.outLines.contains("skipped KICK @0x48 (wo: write-only)"), "\(watch)")
            let read = Set(try readTrace(trace).map { hex($0.offset) })
            #expect(read == ["0x44", "0x4c"], "\(read)")
            try FileManager.default.removeItem(atPath: trace)
            try pcimmioOK(["--map", rcMap, "--trace", trace, "watch", "00:02.0", "0", "0x40+16", "--count", "1", "--include-side-effects"],
                          sysfs: tree)
            #expect(Set(try readTrace(trace).map { hex($0.offset) }) == ["0x40", "0x44", "0x48", "0x4c"])
        }
    }
}

/// Item 3: a fake tree describes another machine; /dev/mem and /dev/vfio are this machine's.
/// With a tree other than /sys/bus/pci they are refused unless a stand-in is set.
@Suite struct FakeTreeIsolationTests {
    @Test func devmemAndVFIOOfThisMachineAreRefusedForAFakeTree() throws {
        let basic = try sharedTree("basic")
        try expectPcimmioFails(["peek", "00:03.0", "0", "0", "--via", "devmem"], sysfs: basic, mentions: ["/dev/mem", "PCIMMIO_DEVMEM", basic.path])
        try expectPcimmioFails(["peek", "phys", "0xc0001000"], sysfs: basic, mentions: ["/dev/mem", "PCIMMIO_DEVMEM"])
        let vfio = try sharedTree("vfio")
        try expectPcimmioFails(["peek", "00:03.0", "0", "0"], sysfs: vfio, mentions: ["/dev/vfio", "PCIMMIO_VFIO", "--via sysfs"])
        try expectPcimmioFails(["config", "00:03.0", "COMMAND"], sysfs: vfio, mentions: ["/dev/vfio", "PCIMMIO_VFIO"])
        // PCIMMIO_SYSFS is a fake tree as much as --sysfs is.
        let viaEnvironment = try runProcess(try E2E.binary(), ["peek", "00:03.0", "0", "0", "--via", "devmem"],
                                            environment: pcimmioEnvironment(extra: ["PCIMMIO_SYSFS": basic.path]))
        expectCleanFailure(viaEnvironment, mentions: ["PCIMMIO_DEVMEM"])
    }

    @Test func aStandInLetsTheFakeTreeUseThem() throws {
        let vfio = try sharedTree("vfio")
        let dir = try makeTempDir("standin")
        defer { try? FileManager.default.removeItem(at: dir) }
        // An empty stand-in for /dev/vfio: VFIO is tried there, and says what is missing in it.
        let result = try pcimmio(["peek", "00:03.0", "0", "0"], sysfs: vfio,
                                 environment: pcimmioEnvironment(extra: ["PCIMMIO_VFIO": dir.path]))
        expectCleanFailure(result, mentions: ["VFIO cannot reach 0000:00:03.0", dir.path + "/vfio"])
        let devmem = try pcimmio(["peek", "00:03.0", "0", "0", "--via", "devmem"], sysfs: try sharedTree("basic"),
                                 environment: pcimmioEnvironment(extra: ["PCIMMIO_DEVMEM": dir.path + "/absent",
                                                                         "PCIMMIO_IOMEM": PhysicalMemoryCommandTests.iomem]))
        expectCleanFailure(devmem, mentions: [dir.path + "/absent"])
    }
}

/// Item 7: a failed bind is rolled back; the default driver can be brought back; a device
/// that serves a mounted disk or an up interface is not bound away without --force.
@Suite struct DriverBindingSafetyTests {
    @Test func unbindReprobeClearsTheOverrideAndLetsTheKernelChoose() throws {
        let tree = try sharedTree("vfio")
        let device = deviceDir(tree, "0000:00:03.0").path
        let dry = try pcimmioOK(["unbind", "00:03.0", "--reprobe", "--dry-run"], sysfs: tree)
        #expect(dry.outLines == ["would write '0000:00:03.0' to \(device)/driver/unbind",
                                 "would write '\\n' to \(device)/driver_override",
                                 "would write '0000:00:03.0' to \(tree.path)/drivers_probe"], "\(dry)")
    }

    @Test func aDeviceServingAMountedDiskOrAnUpInterfaceIsNotBoundAway() throws {
        try withPrivateTree("vfio") { tree in
            let device = deviceDir(tree, "0000:00:04.0")
            let namespace = device.appendingPathComponent("nvme/nvme0/nvme0n1")
            let partition = namespace.appendingPathComponent("nvme0n1p2")
            try FileManager.default.createDirectory(at: partition, withIntermediateDirectories: true)
            for dir in [namespace, partition] {
                try "259:0\n".write(to: dir.appendingPathComponent("dev"), atomically: true, encoding: .utf8)
                try "2048\n".write(to: dir.appendingPathComponent("size"), atomically: true, encoding: .utf8)
            }
            let mounts = tree.appendingPathComponent("mounts").path
            try "proc /proc proc rw 0 0\n/dev/nvme0n1p2 / ext4 rw,relatime 0 0\n".write(toFile: mounts, atomically: true, encoding: .utf8)
            let env = pcimmioEnvironment(extra: ["PCIMMIO_MOUNTS": mounts])
            let override = device.appendingPathComponent("driver_override").path
            for command in [["bind", "00:04.0", "vfio-pci"], ["unbind", "00:04.0"], ["bind", "00:04.0", "vfio-pci", "--dry-run"]] {
                let refused = try pcimmio(command, sysfs: tree, environment: env)
                expectCleanFailure(refused, mentions: ["nvme0n1p2", "mounted at /", "--force"])
                #expect(try String(contentsOfFile: override, encoding: .utf8) == "(null)\n", "nothing written")
            }
            let forced = try pcimmio(["bind", "00:04.0", "vfio-pci", "--dry-run", "--force"], sysfs: tree, environment: env)
            #expect(forced.status == 0 && forced.outLines.count == 3, "\(forced)")
            // Without the mount, the disk is free to go; an interface that is up is not.
            let net = deviceDir(tree, "0000:00:03.0").appendingPathComponent("net/enp0s3")
            try FileManager.default.createDirectory(at: net, withIntermediateDirectories: true)
            try "up\n".write(to: net.appendingPathComponent("operstate"), atomically: true, encoding: .utf8)
            let up = try pcimmio(["bind", "00:03.0", "pci-stub", "--dry-run"], sysfs: tree)
            expectCleanFailure(up, mentions: ["enp0s3 is up", "--force"])
            try "down\n".write(to: net.appendingPathComponent("operstate"), atomically: true, encoding: .utf8)
            try pcimmioOK(["bind", "00:03.0", "pci-stub", "--dry-run"], sysfs: tree)
        }
    }
}

/// Item 6: every register value in JSON survives jq (which holds numbers as doubles): values
/// are hex strings, compared here with the resource file's bytes through jq itself.
@Suite struct JSONValuesSurviveJQTests {
    func jq(_ filter: String, _ json: Data) throws -> [String] {
        let dir = try makeTempDir("jq")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("in.json")
        try json.write(to: file)
        let result = try runProcess(try E2E.tool("jq"), ["-r", filter, file.path])
        #expect(result.status == 0, "\(result)")
        return result.outLines
    }

    @Test func sixtyFourBitValuesAreExactEverywhere() throws {
        try withPrivateTree("edu") { tree in
            let file = resourceFile(tree, "0000:00:02.0", "resource0")
            let expected = (0..<4).map { hexRegister(try! fileRegister(file, offset: UInt64(0x80 + 8 * $0), width: 64), width: 64) }
            #expect(expected.contains { UInt64($0.dropFirst(2), radix: 16)! >= 1 << 53 }, "the fixture has a value past 2^53")
            let dump = try pcimmioOK(["dump", "00:02.0", "0", "0x80+32", "-w", "64", "--format", "json"], sysfs: tree)
            #expect(try jq(".values[]", dump.stdout) == expected)
            let peek = try pcimmioOK(["peek", "00:02.0", "0", "0x80", "-w", "64", "-n", "4", "--json"], sysfs: tree)
            #expect(try jq(".registers[].value", peek.stdout) == expected)
            let map = E2E.packageRoot.appendingPathComponent("Maps/qemu-edu.json").path
            let decoded = try pcimmioOK(["--map", map, "peek", "00:02.0", "0", "DMA_SRC", "--json", "--decode"], sysfs: tree)
            #expect(try jq(".registers[0].value", decoded.stdout) == [expected[0]])
            let snapshot = tree.appendingPathComponent("s.json").path
            try pcimmioOK(["snapshot", "00:02.0", "--region", "0:0x80+32:64", "-o", snapshot], sysfs: tree)
            #expect(try jq(".registers[].value", Data(contentsOf: URL(fileURLWithPath: snapshot))) == expected)
            try pcimmioOK(["poke", "00:02.0", "0", "0x80", "0xfedcba9876543210", "-w", "64"], sysfs: tree)
            let diff = try pcimmio(["diff", snapshot, "live", "--json"], sysfs: tree)
            #expect(try jq(".[0].old, .[0].new", diff.stdout) == [expected[0], "0xfedcba9876543210"], "\(diff)")
            let config = try pcimmioOK(["config", "00:02.0", "VENDOR_ID.w", "--json"], sysfs: tree)
            #expect(try jq(".[0].value", config.stdout) == ["0x1234"])
        }
    }
}

/// Items 8 and 19: getopt's `-w16`, and a mistyped command named with the nearest one.
@Suite struct CommandLineFrictionTests {
    @Test func attachedShortOptionValuesAreReadAsGetoptReadsThem() throws {
        let tree = try sharedTree("edu")
        let spaced = try pcimmioOK(["peek", "00:02.0", "0", "0", "-w", "16", "-n", "2"], sysfs: tree)
        #expect(try pcimmioOK(["peek", "00:02.0", "0", "0", "-w16", "-n2"], sysfs: tree).outLines == spaced.outLines)
        #expect(try pcimmioOK(["peek", "00:02.0", "0", "0", "-w16", "-n2", "--json"], sysfs: tree).out.contains("\"width\": 16"))
        #expect(try pcimmioOK(["dump", "00:02.0", "0", "0+8", "-w8"], sysfs: tree).outLines
                == (try pcimmioOK(["dump", "00:02.0", "0", "0+8", "-w", "8"], sysfs: tree)).outLines)
        let script = try makeTempDir("w16").appendingPathComponent("s.run")
        try "peek 00:02.0 0 0 -w16\n".write(to: script, atomically: true, encoding: .utf8)
        #expect(try pcimmioOK(["run", script.path], sysfs: tree).outLines == [spaced.outLines[0]])
    }

    @Test func aMistypedCommandIsNamedWithTheNearestOne() throws {
        try expectPcimmioFails(["pek", "00:02.0"], sysfs: nil, mentions: ["no command 'pek'", "did you mean 'peek'"])
        try expectPcimmioFails(["help", "nonexist"], sysfs: nil, mentions: ["no command 'nonexist'"])
        let help = try pcimmioOK(["--sysfs", "/nonexistent", "help", "peek"], sysfs: nil)
        #expect(help.out.contains("USAGE: pcimmio peek"))
    }
}

/// Item 17: `wait --value` alone compares the whole register; durations as people write
/// them; a field wait's timeout names the fields and what they last held.
@Suite struct WaitFrictionTests {
    @Test func valueAloneIsTheWholeRegisterAndDurationsReadAsWritten() throws {
        let tree = try sharedTree("edu")
        let id = hexRegister(try fileRegister(resourceFile(tree, "0000:00:02.0", "resource0"), offset: 0, width: 32), width: 32)
        #expect(try pcimmioOK(["wait", "00:02.0", "0", "0", "--value", id, "--timeout", "1.5s"], sysfs: tree).outLines == [id])
        try expectPcimmioFails(["wait", "00:02.0", "0", "0", "--value", "0x1", "--timeout", "0.02s", "--interval", "0.005s"], sysfs: tree,
                               mentions: ["timed out after 20ms", "(value & 0xffffffff) == 0x00000001"])
        #expect(try DurationParser.nanoseconds("1.5s") == 1_500_000_000)
        #expect(try DurationParser.nanoseconds("2m") == 120_000_000_000)
        #expect(try DurationParser.nanoseconds("250ns") == 250)
        #expect(try DurationParser.nanoseconds("0.001ms") == 1_000)
        #expect(try DurationParser.nanoseconds("forever", forever: true) == .max)
        for bad in ["forever", "1.s", ".5s", "1.5", "1.2.3s", "-1s", "99999999999h", "1.0000000000000000001s"] {
            #expect(throws: PCIMMIOError.self, "\(bad)") { try DurationParser.nanoseconds(bad) }
        }
    }

    @Test func aFieldWaitsTimeoutNamesTheFieldsAndTheirLastValues() throws {
        let tree = try sharedTree("edu")
        let map = E2E.packageRoot.appendingPathComponent("Maps/qemu-edu.json").path
        let status = try fileRegister(resourceFile(tree, "0000:00:02.0", "resource0"), offset: 0x20, width: 32)
        let busy = status & 1
        let wanted = busy == 1 ? "IDLE" : "BUSY"
        try expectPcimmioFails(["--map", map, "wait", "00:02.0", "0", "--until", "STATUS.COMPUTING=\(wanted)", "--timeout", "10ms"],
                               sysfs: tree, mentions: ["STATUS.COMPUTING=\(wanted) (last COMPUTING=0x\(busy) \(busy == 1 ? "BUSY" : "IDLE"))"])
    }
}

/// Item 13: value names as people type them, a wrong one answered with the right ones, and a
/// field read on its own (`peek DEV 0 CC.EN`, as rwmem does).
@Suite struct FieldFrictionTests {
    let map = E2E.packageRoot.appendingPathComponent("Maps/qemu-edu.json").path

    @Test func valueNamesAreCaseInsensitiveAndAWrongOneListsTheRightOnes() throws {
        try withPrivateTree("edu") { tree in
            let file = resourceFile(tree, "0000:00:02.0", "resource0")
            try pcimmioOK(["--map", map, "poke", "00:02.0", "0", "STATUS.IRQ_ON_DONE=off"], sysfs: tree)
            #expect(try fileRegister(file, offset: 0x20, width: 32) & 0x80 == 0)
            try pcimmioOK(["--map", map, "poke", "00:02.0", "0", "STATUS.IRQ_ON_DONE=On"], sysfs: tree)
            #expect(try fileRegister(file, offset: 0x20, width: 32) & 0x80 == 0x80)
            let before = try readWholeFile(file)
            try expectPcimmioFails(["--map", map, "poke", "00:02.0", "0", "STATUS.IRQ_ON_DONE=of"], sysfs: tree,
                                   mentions: ["STATUS.IRQ_ON_DONE=of", "OFF, ON", "up to 1"])
            #expect(try readWholeFile(file) == before)
        }
    }

    @Test func aFieldIsReadOnItsOwn() throws {
        let tree = try sharedTree("edu")
        let status = try fileRegister(resourceFile(tree, "0000:00:02.0", "resource0"), offset: 0x20, width: 32)
        let irq = (status >> 7) & 1
        let dir = try makeTempDir("field-trace")
        defer { try? FileManager.default.removeItem(at: dir) }
        let trace = dir.appendingPathComponent("t.jsonl").path
        let plain = try pcimmioOK(["--map", map, "--trace", trace, "peek", "00:02.0", "0", "STATUS.IRQ_ON_DONE"], sysfs: tree)
        #expect(plain.outLines == ["0x\(irq)"])
        #expect(try readTrace(trace).map { "\($0.op) \(hex($0.offset)) \($0.width)" } == ["read 0x20 32"], "one read of the register")
        let decoded = try pcimmioOK(["--map", map, "peek", "00:02.0", "0", "STATUS.IRQ_ON_DONE", "--decode"], sysfs: tree)
        #expect(decoded.outLines == ["0x\(irq)  IRQ_ON_DONE [7] (\(irq == 1 ? "ON" : "OFF"))"])
        try expectPcimmioFails(["--map", map, "peek", "00:02.0", "0", "STATUS.NOPE"], sysfs: tree, mentions: ["no field NOPE", "IRQ_ON_DONE"])
        try expectPcimmioFails(["--map", map, "poke", "00:02.0", "0", "STATUS.IRQ_ON_DONE", "1"], sysfs: tree,
                               mentions: ["STATUS.IRQ_ON_DONE is a field", "STATUS.IRQ_ON_DONE=1"])
    }
}

/// Item 2: a snapshot carries what diff needs (BAR, offset, width, fields), so diff works
/// without --map, across two devices of one kind, and never calls a changed device equal.
@Suite struct SnapshotWithoutMapTests {
    let map = E2E.packageRoot.appendingPathComponent("Maps/qemu-edu.json").path
    let noMaps = ["PCIMMIO_MAPS": "/nonexistent"]

    @Test func diffWithoutAMapSeesWhatChanged() throws {
        try withPrivateTree("edu") { tree in
            let before = tree.appendingPathComponent("before.json").path
            try pcimmioOK(["--map", map, "snapshot", "00:02.0", "-o", before], sysfs: tree)
            let file = resourceFile(tree, "0000:00:02.0", "resource0")
            let oldLiveness = try fileRegister(file, offset: 4, width: 32)
            let oldStatus = try fileRegister(file, offset: 0x20, width: 32)
            try pcimmioOK(["--map", map, "poke", "00:02.0", "0", "LIVENESS", "0x12345678"], sysfs: tree)
            try pcimmioOK(["--map", map, "poke", "00:02.0", "0", "STATUS.IRQ_ON_DONE=\(oldStatus & 0x80 == 0 ? "ON" : "OFF")"], sysfs: tree)
            let diff = try pcimmio(["diff", before, "live"], sysfs: tree, environment: pcimmioEnvironment(extra: noMaps))
            #expect(diff.status == 1, "\(diff)")
            let irq = (oldStatus >> 7) & 1
            #expect(diff.outLines == [
                "LIVENESS @0x4 (BAR 0): \(hexRegister(oldLiveness, width: 32)) -> 0x12345678",
                "STATUS @0x20 (BAR 0): \(hexRegister(oldStatus, width: 32)) -> \(hexRegister(oldStatus ^ 0x80, width: 32))",
                "    IRQ_ON_DONE [7]: 0x\(irq) (\(irq == 1 ? "ON" : "OFF")) -> 0x\(1 - irq) (\(irq == 1 ? "OFF" : "ON"))",
            ], "\(diff)")
        }
    }

    @Test func aSnapshotOfNothingIsRefusedUnlessConfigOnlyIsAsked() throws {
        let tree = try sharedTree("edu")
        let env = pcimmioEnvironment(extra: noMaps)
        let refused = try pcimmio(["snapshot", "00:02.0"], sysfs: tree, environment: env)
        expectCleanFailure(refused, mentions: ["no register map", "--region", "--config-only"])
        #expect(refused.status == 2)
        let config = try pcimmio(["snapshot", "00:02.0", "--config-only"], sysfs: tree, environment: env)
        #expect(config.status == 0 && config.out.contains("\"registers\": []"), "\(config)")
    }

    @Test func twoDevicesOfOneKindAreCompared() throws {
        try withPrivateTree("vfio") { tree in
            let good = tree.appendingPathComponent("good.json").path
            try pcimmioOK(["--map", map, "snapshot", "00:02.0", "-o", good], sysfs: tree)
            try pcimmioOK(["--map", map, "poke", "00:05.0", "0", "LIVENESS", "0xdeadbeef"], sysfs: tree)
            let diff = try pcimmio(["diff", good, "live:00:05.0"], sysfs: tree, environment: pcimmioEnvironment(extra: noMaps))
            #expect(diff.status == 1, "\(diff)")
            #expect(diff.outLines.contains { $0.hasPrefix("LIVENESS @0x4 (BAR 0): ") && $0.hasSuffix(" -> 0xdeadbeef") }, "\(diff)")
            try expectPcimmioFails(["diff", good, "live:00:04.0"], sysfs: tree, mentions: ["different kinds", "1234:11e8"])
        }
    }
}

/// Item 5: write-1-to-clear and its kin in maps; a field write leaves the others alone.
@Suite struct WriteSideEffectFieldTests {
    @Test func aFieldWriteLeavesWriteOneToClearFieldsAlone() throws {
        try withPrivateTree("edu") { tree in
            let file = resourceFile(tree, "0000:00:02.0", "resource0")
            let map = tree.appendingPathComponent("csr.json").path
            try Data("""
                { "devices": ["1234:11e8"], "bars": { "0": [
                  { "name": "CSR", "offset": "0x40", "fields": [
                    { "name": "EN", "bits": "0" }, { "name": "ERR", "bits": "1", "access": "w1c" },
                    { "name": "MASK", "bits": "2", "access": "w1s" }, { "name": "NOTIFY", "bits": "3", "access": "w0c" } ] } ] } }
                """.utf8).write(to: URL(fileURLWithPath: map))
            try writeBytes(file, offset: 0x40, [0x0e, 0, 0, 0])  // ERR, MASK and NOTIFY set, EN clear
            let dry = try pcimmioOK(["--map", map, "poke", "00:02.0", "0", "CSR.EN=1", "--dry-run"], sysfs: tree)
            #expect(dry.outLines == ["would read 0000:00:02.0 BAR 0 offset 0x40 (32-bit), then write (old & ~0x00000007) | 0x00000008 | 0x00000001 (CSR.ERR is w1c: written 0; CSR.MASK is w1s: written 0; CSR.NOTIFY is w0c: written 1)"], "\(dry)")
            let trace = tree.appendingPathComponent("t.jsonl").path
            try pcimmioOK(["--map", map, "--trace", trace, "poke", "00:02.0", "0", "CSR.EN=1", "--verify"], sysfs: tree)
            #expect(try readTrace(trace).map { "\($0.op) \($0.value)" } == ["read 0x0000000e", "write 0x00000009", "read 0x00000009"])
            try expectPcimmioFails(["--map", map, "poke", "00:02.0", "0", "CSR.ERR=1", "--verify"], sysfs: tree, mentions: ["--verify", "drop it"])
            try pcimmioOK(["map", "check", map], sysfs: nil)
        }
        let nvme = try String(contentsOfFile: E2E.packageRoot.appendingPathComponent("Maps/nvme.json").path, encoding: .utf8)
        #expect(nvme.contains("\"INTMS\", \"offset\": \"0x0c\", \"access\": \"w1s\"") && nvme.contains("\"INTMC\", \"offset\": \"0x10\", \"access\": \"w1c\""))
    }
}

/// Item 11: a dry run wherever a write can happen, and nowhere else.
@Suite struct DryRunEverywhereTests {
    @Test func fillAndLoadDryRunsWriteNothingAndFillVerifies() throws {
        try withPrivateTree("edu") { tree in
            let file = resourceFile(tree, "0000:00:02.0", "resource0")
            let before = try readWholeFile(file)
            let dir = try makeTempDir("dry")
            defer { try? FileManager.default.removeItem(at: dir) }
            let trace = dir.appendingPathComponent("t.jsonl").path
            let fill = try pcimmioOK(["--trace", trace, "fill", "00:02.0", "0", "0x100+16", "0x10", "--increment", "1", "-w", "8", "--dry-run"], sysfs: tree)
            #expect(fill.outLines == ["would write 16 8-bit registers to 0000:00:02.0 BAR 0 offset 0x100-0x10f: 0x10, then +0x1 each, to 0x1f"], "\(fill)")
            let input = dir.appendingPathComponent("in.bin").path
            try Data(repeating: 0xab, count: 64).write(to: URL(fileURLWithPath: input))
            let load = try pcimmioOK(["--trace", trace, "load", "00:02.0", "0", "0x200", input, "--dry-run"], sysfs: tree)
            #expect(load.outLines == ["would write 16 32-bit registers to 0000:00:02.0 BAR 0 offset 0x200-0x23f from \(input) (64 bytes)"], "\(load)")
            try expectPcimmioFails(["fill", "00:02.0", "0", "0xffff0+32", "0", "--dry-run"], sysfs: tree, mentions: ["past the end"])
            #expect(try readWholeFile(file) == before)
            let traced = FileManager.default.fileExists(atPath: trace) ? try readTrace(trace) : []
            #expect(traced.isEmpty, "a dry run accesses nothing")
            try pcimmioOK(["--trace", trace, "fill", "00:02.0", "0", "0x100+16", "0x10", "--increment", "1", "-w", "8", "--verify"], sysfs: tree)
            #expect(Array(try readWholeFile(file)[0x100..<0x110]) == (0x10..<0x20).map { UInt8($0) })
            #expect(try readTrace(trace).filter { $0.op == "read" }.count == 16, "--verify read each register back")
        }
    }

    @Test func snapshotOffersNoDryRunAndConfigJSONMarksOne() throws {
        let tree = try sharedTree("edu")
        let help = try pcimmioOK(["help", "snapshot"], sysfs: nil)
        #expect(!help.out.contains("--dry-run"))
        let json = try pcimmioOK(["config", "00:02.0", "COMMAND=0x7", "--json", "-D"], sysfs: tree)
        #expect(json.out.contains("\"dryRun\": true"), "\(json)")
    }
}
