// Device health end to end: a private copy of the `vfio` fixture whose config space is edited
// (COMMAND, a PM capability, the vendor ID) the way a real device can be; the resource file
// is read as usual. Warnings and notes go to stderr, the output and exit status do not change.
import Foundation
import Testing

@Suite struct DeviceHealthCommandTests {
    static let slot = "0000:00:02.0"

    func config(_ tree: URL) -> String { deviceDir(tree, Self.slot).appendingPathComponent("config").path }

    func setCommand(_ tree: URL, _ value: UInt16) throws {
        try writeBytes(config(tree), offset: 4, [UInt8(value & 0xff), UInt8(value >> 8)])
    }

    @Test func decodingOffWarnsOnceAndTheAccessStillHappens() throws {
        try withPrivateTree("vfio") { tree in
            try setCommand(tree, 0x0000)
            let peek = try pcimmio(["peek", "00:02.0", "0", "0", "-n", "2"], sysfs: tree)
            #expect(peek.status == 0 && peek.outLines == ["0x18110a03", "0x342d261f"], "\(peek)")
            #expect(peek.errLines == ["pcimmio: warning: 0000:00:02.0 has memory decoding disabled (COMMAND 0x0000: Memory Space bit clear), so its BARs read all ones and drop writes; enable it with 'pcimmio enable 0000:00:02.0' or 'pcimmio config 0000:00:02.0 COMMAND.W=0x2:0x2'"])
            let script = tree.appendingPathComponent("s.run").path
            try "peek 00:02.0 0 0\npoke 00:02.0 0 4 0x1\npeek 00:02.0 0 4\n".write(toFile: script, atomically: true, encoding: .utf8)
            let run = try pcimmio(["run", script], sysfs: tree)
            #expect(run.status == 0 && run.outLines == ["0x18110a03", "0x00000001"])
            #expect(run.errLines.count == 1 && run.errLines[0].contains("memory decoding disabled"), "once per device: \(run)")
            let trace = tree.appendingPathComponent("trace.jsonl").path
            let json = try pcimmio(["--trace", trace, "peek", "00:02.0", "0", "0", "--json"], sysfs: tree)
            #expect(json.out.contains("\"health\": \"decoding disabled\""), "\(json)")
            #expect(try String(contentsOfFile: trace, encoding: .utf8).contains("\"health\":\"decoding disabled\"}"))
            try setCommand(tree, 0x0002)
            let fixed = try pcimmioOK(["peek", "00:02.0", "0", "0", "--json"], sysfs: tree)
            #expect(!fixed.out.contains("health"))
        }
    }

    @Test func allOnesGetsANoteSayingWhatWasChecked() throws {
        try withPrivateTree("vfio") { tree in
            let resource = resourceFile(tree, Self.slot, "resource0")
            try writeBytes(resource, offset: 0x100, [0xff, 0xff, 0xff, 0xff])
            let healthy = try pcimmio(["peek", "00:02.0", "0", "0x100"], sysfs: tree)
            #expect(healthy.status == 0 && healthy.outLines == ["0xffffffff"])
            #expect(healthy.errLines == ["pcimmio: note: 0000:00:02.0 BAR 0 offset 0x100 read 0xffffffff: vendor ID 0x1234, memory decoding on, no PM capability: nothing in config space explains it, the register may really hold all ones"])
            try writeBytes(config(tree), offset: 0, [0xff, 0xff])
            let gone = try pcimmio(["dump", "00:02.0", "0", "0x100+0x10"], sysfs: tree)
            #expect(gone.status == 0)
            #expect(gone.errLines.count == 2 && gone.errLines[0].contains("reads vendor ID 0xffff") && gone.errLines[1].contains("note: 0000:00:02.0 BAR 0 offset 0x100 read 0xffffffff: vendor ID reads 0xffff"), "\(gone)")
            let plain = try pcimmio(["peek", "00:02.0", "0", "0x0"], sysfs: tree)
            #expect(plain.errLines.count == 1, "a read that is not all ones gets no note: \(plain)")
        }
    }

    @Test func d3hotWarns() throws {
        try withPrivateTree("vfio") { tree in
            // STATUS: capability list; pointer 0x50; PM capability (id 1, last) with PMCSR = D3hot.
            try writeBytes(config(tree), offset: 0x06, [0x10, 0x00])
            try writeBytes(config(tree), offset: 0x34, [0x50])
            try writeBytes(config(tree), offset: 0x50, [0x01, 0x00, 0x03, 0x00, 0x03, 0x00])
            let peek = try pcimmio(["peek", "00:02.0", "0", "0"], sysfs: tree)
            #expect(peek.status == 0)
            #expect(peek.errLines == ["pcimmio: warning: 0000:00:02.0 is in D3hot (PM capability at 0x50), so its BARs may read all ones; bring it to D0 with 'pcimmio config 0000:00:02.0 CAP_PM+4.W=0:3' or by binding its driver"])
            #expect(try pcimmioOK(["config", "00:02.0", "CAP_PM+4.W=0:3", "CAP_PM+4.w"], sysfs: tree).outLines == ["0000"])
            #expect(try pcimmio(["peek", "00:02.0", "0", "0"], sysfs: tree).err.isEmpty)
        }
    }

    /// The test seam for --check-errors: another thread sets STATUS's Received Master Abort
    /// while a wait polls, then satisfies the wait.
    @Test func checkErrorsNamesWhatTheAccessRaised() throws {
        try withPrivateTree("vfio") { tree in
            let resource = resourceFile(tree, Self.slot, "resource0")
            let writer = Thread {
                Thread.sleep(forTimeInterval: 0.2)
                try? writeBytes(self.config(tree), offset: 0x06, [0x00, 0x20])
                try? writeBytes(resource, offset: 0x40, [0x5a])
            }
            writer.start()
            let result = try pcimmio(["wait", "00:02.0", "0", "0x40", "-w", "8", "--mask", "0xff", "--value", "0x5a", "--timeout", "5s", "--check-errors"], sysfs: tree)
            #expect(result.outLines == ["0x5a"])
            #expect(result.status == 1)
            #expect(result.errLines == ["pcimmio: 0000:00:02.0: this wait raised Received Master Abort (STATUS)"], "\(result)")
            let quiet = try pcimmioOK(["peek", "00:02.0", "0", "0", "--check-errors"], sysfs: tree)
            #expect(quiet.outLines == ["0x18110a03"], "bits already set before the access are not blamed on it")
        }
    }

    @Test func enableWritesTheSysfsEnableFile() throws {
        try withPrivateTree("vfio") { tree in
            let enable = deviceDir(tree, Self.slot).appendingPathComponent("enable").path
            try "0\n".write(toFile: enable, atomically: false, encoding: .utf8)
            let dry = try pcimmioOK(["enable", "00:02.0", "--dry-run"], sysfs: tree)
            #expect(dry.outLines == ["would write '1' to \(enable)"])
            #expect(try String(contentsOfFile: enable, encoding: .utf8) == "0\n")
            let done = try pcimmioOK(["enable", "00:02.0"], sysfs: tree)
            #expect(done.outLines == ["0000:00:02.0: COMMAND 0x0006 -> 0x0006"])
            #expect(try String(contentsOfFile: enable, encoding: .utf8).hasPrefix("1"))
        }
    }
}
