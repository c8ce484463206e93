import Glibc
import Testing
@testable import PCIMMIO

/// The session and the script executor in-process, on devices in memory (InMemoryBackend):
/// which back-end each device gets, and exactly which loads and stores each command makes.
@Suite struct SessionTests {
    static let map = """
        { "devices": ["1234:11e8"], "bars": { "0": [
          { "name": "ID", "offset": "0x00", "access": "ro" },
          { "name": "STATUS", "offset": "0x20", "access": "rw", "fields": [
            { "name": "COMPUTING", "bits": "0" }, { "name": "IRQ_ON_DONE", "bits": "7" } ] },
          { "name": "BE", "offset": "0x40", "byteOrder": "big" } ] } }
        """

    /// A session on one device (00:03.0, 1234:11e8, bound to `driver`) whose back-ends are in
    /// memory; `made` collects each back-end as the session asks for it.
    final class Bench {
        let scratch = ScratchDirectory()
        let device: PCIDevice
        var made: [InMemoryBackend] = []
        var diagnostics: [String] = []
        let session: RegisterSession
        let output: OutputSink
        let outputPath: String
        let tracePath: String

        init(driver: String? = nil, map: Bool = true) throws {
            let bar0 = BAR(index: 0, kind: .mem32, prefetchable: false, address: 0xfea0_0000, size: 0x100, resourceFile: nil, writeCombiningFile: nil)
            device = PCIDevice(address: PCIAddress(domain: 0, bus: 0, device: 3, function: 0), vendorID: 0x1234, deviceID: 0x11e8,
                               deviceClass: 0x00ff, revision: 0, subsystemVendorID: 0, subsystemID: 0, vendorName: nil,
                               deviceName: nil, className: nil, driver: driver, bars: [bar0])
            outputPath = scratch.path + "/out"
            tracePath = scratch.path + "/trace"
            let mapPath = scratch.path + "/map.json"
            writeText(mapPath, SessionTests.map)
            let device = self.device
            var made: (AccessVia, PCIDevice) -> DeviceBackend = { _, _ in fatalError() }
            let sink = Diagnostics { _, _ in }
            let devices = OpenDevices(root: "/nonexistent", trace: try TraceLog(path: tracePath), diagnostics: sink, defaultVia: nil,
                                      backend: { via, device in made(via, device) }, lookUp: { _ in device })
            output = try OutputSink(path: outputPath)
            session = RegisterSession(devices: devices, maps: MapCatalog(explicit: map ? mapPath : nil, directory: "/nonexistent"))
            made = { [unowned self] via, _ in
                let bytes = (0..<0x100).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 1) }
                let backend = InMemoryBackend(via: via, bars: [0: bytes])
                self.made.append(backend)
                return backend
            }
        }

        var printed: String {
            try? output.flush()
            return readText(outputPath)
        }

        var traceLines: [String] { readText(tracePath).split(separator: "\n").map(String.init) }

        func run(_ text: String) throws -> [PCIMMIOError] {
            let runner = ScriptRunner(script: try Script(name: "s.run", text: Array(text.utf8)), session: session, output: output)
            return runner.run()
        }
    }


    @Test func aDeviceBoundToVFIOGetsOneVFIOBackEndForEveryAccess() throws {
        let bench = try Bench(driver: "vfio-pci")
        #expect(try bench.run("peek 00:03.0 0 0\npoke 00:03.0 0 0x10 1\npeek 00:03.0 0 STATUS\n") == [])
        #expect(bench.made.map(\.via) == [.vfio], "chosen once, by the driver")
        _ = try bench.session.configSpace(DeviceSelector("00:03.0")).read(.w16, at: 0)
        #expect(bench.made.count == 1, "config space goes through the same back-end")
        #expect(try bench.run("peek 00:03.0 0 0 --via sysfs\n") == [])
        #expect(bench.made.map(\.via) == [.vfio, .sysfs], "--via asks for another, made once")
        #expect(throws: PCIMMIOError.self) { try Bench(driver: "e1000").run("peek 00:03.0 0 0 --via vfio\n").first.map { throw $0 } }
    }

    /// Issue 17 defect 6, in-process: a field poke with --verify through VFIO is one read, one
    /// write of the field's bit into the old value, one read back; all at the register's width.
    @Test func aFieldPokeWithVerifyIsOneReadOneWriteOneRead() throws {
        let bench = try Bench(driver: "vfio-pci")
        let backend = { bench.made[0] }
        #expect(try bench.run("poke 00:03.0 0 STATUS.IRQ_ON_DONE=0 --verify\n") == [])
        let old: UInt64 = 0xf6efe8e1  // bytes 0x20…0x23 of the pattern (7 × offset + 1), little-endian
        #expect(backend().accesses == [
            .init(write: false, bar: 0, offset: 0x20, width: .w32, value: old),
            .init(write: true, bar: 0, offset: 0x20, width: .w32, value: old & ~0x80),
            .init(write: false, bar: 0, offset: 0x20, width: .w32, value: old & ~0x80),
        ], "\(backend().accesses)")
        #expect(bench.made.map(\.via) == [.vfio])
        #expect(bench.traceLines.count == 3 && bench.traceLines.allSatisfy { $0.contains("\"via\":\"vfio\"") }, "\(bench.traceLines)")
    }

    /// Issue 17 defect 1, in-process: one register, one byte order, by name or by offset, in a
    /// script line or a one-shot peek; each one 32-bit load.
    @Test func aBigEndianRegisterReadsTheSameEveryWay() throws {
        let bench = try Bench()
        let target = try RegisterTarget(device: "00:03.0", bar: "0")
        for reference in [RegisterReference.named("BE"), .offset(0x40)] {
            try bench.output.write(ReadoutFormat.text(bench.session.read(target, reference, decode: true)))
        }
        #expect(try bench.run("peek 00:03.0 0 BE\npeek 00:03.0 0 0x40\npeek 00:03.0 0 0x44\n") == [])
        let lines = bench.printed.split(separator: "\n").map(String.init)
        let swapped = "0x" + String(bench.made[0].value(bar: 0, at: 0x40, width: .w32).byteSwapped(.w32), radix: 16)
        let plain = "0x" + String(bench.made[0].value(bar: 0, at: 0x44, width: .w32), radix: 16)
        #expect(lines.count == 5 && lines.prefix(2).allSatisfy { $0.hasPrefix(swapped + "  BE @0x40") }, "decoded: --decode is given: \(lines)")
        #expect(lines.suffix(3) == [swapped, swapped, plain], "\(lines)")
        #expect(bench.made[0].accesses.allSatisfy { !$0.write && $0.width == .w32 } && bench.made[0].accesses.count == 5)
    }

    /// --check-errors in a script: the line that raised an error bit prints its value, then
    /// fails the script there; lines after it do not run.
    @Test func aScriptLineThatRaisesAnErrorPrintsThenStops() throws {
        let bench = try Bench()
        bench.session.checkErrors = true
        _ = try bench.session.configSpace(DeviceSelector("00:03.0"))  // the back-end, made
        bench.made[0].onAccess = { access in
            if access.offset == 0x10 { bench.made[0].config.set(0x06, 0x2000, bytes: 2) }  // STATUS: Received Master Abort
        }
        let failures = try bench.run("peek 00:03.0 0 0x0c\npeek 00:03.0 0 0x10\npeek 00:03.0 0 0x14\n")
        #expect(failures == [.inScript(file: "s.run", line: 2, .errorsRaised(slot: "0000:00:03.0", operation: "peek", errors: ["Received Master Abort (STATUS)"]))],
                "\(failures)")
        let value = { (offset: UInt64) in "0x" + String(bench.made[0].value(bar: 0, at: offset, width: .w32), radix: 16) }
        #expect(bench.printed.split(separator: "\n").map(String.init) == [value(0x0c), value(0x10)])
        #expect(bench.made[0].accesses.map(\.offset) == [0x0c, 0x10], "line 3 did not run")
    }

    /// Config writes are traced like BAR accesses and warned about like pokes when a kernel
    /// driver owns the device.
    @Test func configAccessesAreTracedAndWarnedAbout() throws {
        var warnings: [String] = []
        let bench = try Bench(driver: "e1000")
        let space = try bench.session.devices.configSpace(bench.device, via: nil)
        _ = space
        // The session's sink here is silent; a second session collects what it says.
        let devices = OpenDevices(root: "/nonexistent", trace: nil, diagnostics: Diagnostics { kind, text in warnings.append(kind.rawValue + ": " + text) },
                                  defaultVia: nil, backend: { via, _ in InMemoryBackend(via: via, bars: [0: []]) }, lookUp: { _ in bench.device })
        let config = try devices.configSpace(bench.device, via: nil)
        _ = try config.read(.w16, at: 4)
        #expect(warnings.isEmpty, "reads are not warned about")
        try config.write(.w16, at: 4, value: 7)
        try config.write(.w16, at: 4, value: 6)
        #expect(warnings == ["warning: 0000:00:03.0 is bound to e1000: writing its registers behind the driver's back can confuse the driver or the device (pcimmio unbind 0000:00:03.0, or bind it to vfio-pci)"])
        try space.write(.w16, at: 4, value: 2)
        // (MutableConfigSpace calls itself 0000:00:02.0.)
        #expect(bench.traceLines.count == 1 && bench.traceLines[0].hasPrefix(
            #"{"op":"write","via":"sysfs","device":"0000:00:02.0","space":"config","offset":4,"width":16,"value":"0x0002","time":"#),
            "\(bench.traceLines)")
    }
}

func writeText(_ path: String, _ text: String) {
    let file = fopen(path, "w")!
    fputs(text, file)
    fclose(file)
}

func readText(_ path: String) -> String {
    guard let file = fopen(path, "r") else { return "" }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let got = fread(&buffer, 1, buffer.count, file)
        if got <= 0 { break }
        bytes += buffer[0..<got]
    }
    return String(decoding: bytes, as: UTF8.self)
}

/// The two kinds of failure (issue 17): bad input exits 2, what the machine answered exits 1
/// with its errno kept.
@Suite struct ExitCodeTests {
    @Test func systemFailuresAreNotBadInput() {
        #expect(PCIMMIOError.usage("x").exitCode == 2)
        #expect(PCIMMIOError.system(call: "open", path: "/x", errno: EACCES).exitCode == 1)
        #expect(PCIMMIOError.accessRefused(call: "open for writing", path: "/x/config", errno: EACCES, cause: "c").exitCode == 1)
        #expect(PCIMMIOError.unreadableKernelData(source: "/proc/iomem", detail: "d").exitCode == 1)
        #expect(PCIMMIOError.notInstalled("n").exitCode == 1)
        #expect(PCIMMIOError.inScript(file: "s", line: 1, .system(call: "pwrite", path: "/x", errno: EIO)).exitCode == 1)
        #expect(throws: PCIMMIOError.unreadableKernelData(source: IOMemMap.file, detail: "line 1 is 'garbage' (expected START-END : NAME)")) {
            try IOMemMap(parsing: "garbage\n")
        }
    }
}
