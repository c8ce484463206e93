// A register command on a full slot reads the device from its own sysfs directory, without
// loading libpci (issue 11's start-up). libpci is the oracle: on every fixture, every device
// read directly equals what libpci reports, and selectors that match none or several say so
// in the same words. strace shows a slot peek never opens libpci.so.3 nor another device's
// files, and a vendor:device peek does load libpci.
import Foundation
@testable import PCIMMIO
import Testing

private let straceAvailable = (try? E2E.tool("strace")) != nil

/// A private mount namespace can hide libpci.so.3 (root, and unshare(1) allowed here).
private let canHideLibrary: Bool = {
    guard let unshare = try? E2E.tool("unshare"), let result = try? runProcess(unshare, ["-m", "true"]) else { return false }
    return result.status == 0
}()

/// The outcome of resolving a selector, comparable across the two ways: the device, or the error's words.
private func outcome(_ body: () throws(PCIMMIOError) -> PCIDevice?) -> String {
    do { return try body().map { "\($0)" } ?? "nil" } catch { return "error: \(error.description)" }
}

@Suite("Slot lookup without libpci vs libpci")
struct DirectSlotLookupTests {
    @Test("every device read from its sysfs directory equals libpci's, with and without the domain",
          arguments: E2E.fixtureNames + ["caps", "caps-edge", "edu", "vfio"])
    func everyDeviceMatchesLibpci(fixture: String) throws {
        let root = try sharedTree(fixture).path
        let libpci = try PCITree(root: root).devices(names: false)
        #expect(!libpci.isEmpty)
        let reader = SysfsDeviceReader(root: root)
        for device in libpci {
            let direct = try reader.device(try #require(SlotAddress(device.slot)), text: device.slot)
            #expect(direct == device, "\(device.slot) read directly differs from libpci")
            let short = String(device.slot.drop { $0 != ":" }.dropFirst())   // bus:dev.fn
            let byLibpci = outcome { () throws(PCIMMIOError) in try PCITree(root: root).device(try DeviceSelector(short), names: false) }
            let byReader = outcome { () throws(PCIMMIOError) in try reader.device(SlotAddress(short)!, text: short) }
            #expect(byReader == byLibpci, "\(short) on \(fixture)")
        }
    }

    @Test("no match and several matches: the same errors as libpci's filter",
          arguments: ["00:00.0", "01:00.0", "ff:1f.7", "0001:00:00.0", "0002:00:00.0", "10000:00:01.0"])
    func missingAndAmbiguous(selector: String) throws {
        let root = try sharedTree("domain").path
        let byLibpci = outcome { () throws(PCIMMIOError) in try PCITree(root: root).device(try DeviceSelector(selector), names: false) }
        let byReader = outcome { () throws(PCIMMIOError) in
            try SysfsDeviceReader(root: root).device(SlotAddress(selector)!, text: selector)
        }
        #expect(byReader == byLibpci)
    }

    @Test("only a full slot in range is read directly; other forms go to libpci's parser")
    func whichSelectorsAreSlots() throws {
        for text in ["00:03.0", "0000:00:03.0", "10000:e0:1f.7", "0:3.0"] {
            guard case .slot = try DeviceSelector(text).kind else { Issue.record("\(text) is not read directly"); continue }
        }
        for text in ["03.0", "00:20.0", "00:03.8", "100:03.0", "*:03.0", "00:03"] {
            if let selector = try? DeviceSelector(text), case .slot = selector.kind { Issue.record("\(text) was taken for a full slot") }
        }
    }

    @Test("a directory without the revision file (old kernels) is left to libpci, and peek still reads")
    func missingAttributeFallsBackToLibpci() throws {
        try withPrivateTree("basic") { tree in
            let slot = "0000:00:03.0"
            try FileManager.default.removeItem(at: deviceDir(tree, slot).appendingPathComponent("revision"))
            #expect(try SysfsDeviceReader(root: tree.path).device(SlotAddress(slot)!, text: slot) == nil)
            let value = try pcimmioOK(["peek", slot, "0", "0x10"], sysfs: tree).out.trimmingCharacters(in: .whitespacesAndNewlines)
            let bytes = try Data(contentsOf: deviceDir(tree, slot).appendingPathComponent("resource0"))[0x10..<0x14]
            #expect(value == String(format: "0x%08x", bytes.reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }))
        }
    }

    @Test("strace: a slot peek opens no libpci and no other device; an id peek loads libpci",
          .enabled(if: straceAvailable))
    func slotPeekLeavesLibpciUnloaded() throws {
        let tree = try sharedTree("basic")
        let scratch = try makeTempDir("strace-libpci")
        defer { try? FileManager.default.removeItem(at: scratch) }
        func opened(_ selector: String) throws -> [String] {
            let log = scratch.appendingPathComponent("\(selector).log").path
            let result = try runProcess(try E2E.tool("strace"), ["-f", "-e", "trace=openat,open", "-o", log, try E2E.binary(),
                                                                "--sysfs", tree.path, "peek", selector, "0", "0x10"],
                                        environment: pcimmioEnvironment())
            #expect(result.status == 0, "\(result)")
            return try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").map(String.init)
        }
        let bySlot = try opened("00:03.0")
        #expect(!bySlot.contains { $0.contains("libpci.so") }, "a slot peek loaded libpci")
        let otherDevices = bySlot.filter { $0.contains("/devices/0000:") && !$0.contains("0000:00:03.0") }
        #expect(otherDevices.isEmpty, "a slot peek opened other devices' files: \(otherDevices)")
        let byID = try opened("1b36:0005")
        #expect(byID.contains { $0.contains("libpci.so.3") && !$0.contains("ENOENT") }, "an id peek did not load libpci")
    }

    @Test("libpci.so.3 unloadable: a slot peek still reads; list and an id peek fail with one line naming libpci3",
          .enabled(if: canHideLibrary))
    func withoutLibpci() throws {
        let tree = try sharedTree("basic")
        // The library's file is replaced by /dev/null in a mount namespace of this command only.
        let library = URL(fileURLWithPath: "/lib/x86_64-linux-gnu/libpci.so.3").resolvingSymlinksInPath().path
        func run(_ arguments: [String]) throws -> ProcessResult {
            let quoted = ([try E2E.binary(), "--sysfs", tree.path] + arguments).map { "'\($0)'" }.joined(separator: " ")
            return try runProcess(try E2E.tool("unshare"), ["-m", "sh", "-c", "mount --bind /dev/null '\(library)' && exec \(quoted)"],
                                  environment: pcimmioEnvironment())
        }
        let peek = try run(["peek", "00:03.0", "0", "0x10"])
        #expect(peek.status == 0 && peek.out == "0x88817a73\n", "\(peek)")
        for arguments in [["list"], ["peek", "1b36:0005", "0", "0x10"]] {
            let failed = try run(arguments)
            #expect(failed.status == 1 && failed.exitedNormally && failed.out.isEmpty, "\(failed)")
            #expect(failed.errLines.count == 1 && failed.err.contains("cannot load libpci.so.3") && failed.err.contains("install libpci3"),
                    "\(failed)")
        }
    }
}
