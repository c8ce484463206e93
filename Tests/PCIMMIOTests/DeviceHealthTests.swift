import Testing
@testable import PCIMMIO

/// A config space in memory; `afterFirstRead` changes it once something has been read (the
/// seam for an access that raises error bits between the before and after snapshots).
final class MutableConfigSpace: ConfigSpace {
    var bytes: [UInt8]
    let slot = "0000:00:02.0"
    var size: Int { bytes.count }
    var via: AccessVia { .sysfs }
    var reads = 0

    init(size: Int = 256) { bytes = [UInt8](repeating: 0, count: size) }

    func set(_ offset: Int, _ value: UInt32, bytes count: Int) {
        for index in 0..<count { bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(index))) }
    }

    func read(_ width: Width, at offset: Int) throws(PCIMMIOError) -> UInt32 {
        try check(width, at: offset)
        reads += 1
        return (0..<width.bytes).reversed().reduce(0) { $0 << 8 | UInt32(bytes[offset + $1]) }
    }

    func write(_ width: Width, at offset: Int, value: UInt32) throws(PCIMMIOError) {
        try check(width, at: offset)
        set(offset, value, bytes: width.bytes)
    }

    /// Vendor 1234, COMMAND as given; with `pm`, a PM capability at 0x50 in power state `state`;
    /// with `express`, an Express capability at 0x60 and AER at 0x100.
    static func device(command: UInt32 = 0x6, pm state: UInt32? = nil, express: Bool = false) -> MutableConfigSpace {
        let space = MutableConfigSpace(size: express ? 4096 : 256)
        space.set(0x00, 0x1234, bytes: 2)
        space.set(0x04, command, bytes: 2)
        var next = 0
        if express {
            space.set(0x60, 0x0010, bytes: 2)  // id 0x10, end of list
            next = 0x60
            space.set(0x100, 0x0001 | (1 << 16), bytes: 4)  // AER v1, end of list
        }
        if let state {
            space.set(0x50, 0x01 | UInt32(next) << 8, bytes: 2)
            space.set(0x54, state, bytes: 2)
            next = 0x50
        }
        if next != 0 {
            space.set(0x06, 0x10, bytes: 2)
            space.set(0x34, UInt32(next), bytes: 1)
        }
        return space
    }
}

@Suite struct DeviceHealthTests {
    @Test func allWellSaysNothing() throws {
        let health = try DeviceHealth.read(MutableConfigSpace.device(pm: 0))
        #expect(health.problems(slot: "s", kind: .mem32).isEmpty)
        #expect(health.stateSummary(kind: .mem32) == nil)
        #expect(health.explainAllOnes(slot: "s", kind: .mem32).contains("may really hold all ones"))
    }

    @Test func decodingOffIsFoundPerKindOfBAR() throws {
        let memoryOff = try DeviceHealth.read(MutableConfigSpace.device(command: 0x1))
        #expect(memoryOff.problems(slot: "s", kind: .mem64).count == 1)
        #expect(memoryOff.problems(slot: "s", kind: .mem64)[0].contains("COMMAND.W=0x2:0x2"))
        #expect(memoryOff.problems(slot: "s", kind: .io).isEmpty, "I/O decoding is on")
        #expect(memoryOff.stateSummary(kind: .mem32) == "decoding disabled")
        let ioOff = try DeviceHealth.read(MutableConfigSpace.device(command: 0x2))
        #expect(ioOff.problems(slot: "s", kind: .io)[0].contains("I/O Space bit clear"))
    }

    @Test func d3hotAndAMissingDeviceAreNamed() throws {
        let asleep = try DeviceHealth.read(MutableConfigSpace.device(pm: 3))
        #expect(asleep.powerState == 3 && asleep.powerCapability == 0x50)
        #expect(asleep.problems(slot: "s", kind: .mem32) == ["s is in D3hot (PM capability at 0x50), so its BARs may read all ones; bring it to D0 with 'pcimmio config s CAP_PM+4.W=0:3' or by binding its driver"])
        #expect(asleep.explainAllOnes(slot: "s", kind: .mem32) == "the function is in D3hot")
        let gone = MutableConfigSpace.device()
        gone.set(0, 0xffff, bytes: 2)
        let health = try DeviceHealth.read(gone)
        #expect(health.isGone && health.explainAllOnes(slot: "s", kind: .mem32).contains("gone or its link is down"))
    }

    @Test func errorBitsSetBetweenTheSnapshotsAreNamed() throws {
        let space = MutableConfigSpace.device(express: true)
        space.set(0x06, 0x10 | 0x2000, bytes: 2)  // Received Master Abort already set: not new
        let before = try ErrorStatus.read(space)
        space.set(0x104, 1 << 20, bytes: 4)       // AER: Unsupported Request
        space.set(0x110, 1 << 0, bytes: 4)        // AER: Receiver Error
        space.set(0x6a, 0x8, bytes: 2)            // DevSta: Unsupported Request Detected
        space.set(0x06, 0x10 | 0x2000 | 0x0800, bytes: 2)  // Signaled Target Abort
        #expect(try ErrorStatus.read(space).raised(since: before) == [
            "Unsupported Request (AER uncorrectable status)", "Receiver Error (AER correctable status)",
            "Unsupported Request Detected (Express DevSta)", "Signaled Target Abort (STATUS)",
        ])
        #expect(try ErrorStatus.read(space).raised(since: ErrorStatus.read(space)).isEmpty)
    }

    @Test func checkErrorsFailsTheAccessThatRaisedThem() throws {
        let space = MutableConfigSpace.device(express: true)
        let monitor = HealthMonitor(diagnostics: Diagnostics { _, _ in })
        monitor.checkErrors = true
        let (_, raised) = try monitor.checkingErrors("poke", slot: "0000:00:02.0", config: { space }) { () throws(PCIMMIOError) in
            space.set(0x104, 1 << 15, bytes: 4)
        }
        #expect(raised == .errorsRaised(slot: "0000:00:02.0", operation: "poke", errors: ["Completer Abort (AER uncorrectable status)"]))
        let quiet = try monitor.checkingErrors("peek", slot: "0000:00:02.0", config: { space }) { () throws(PCIMMIOError) in 7 }
        #expect(quiet.0 == 7 && quiet.1 == nil)
        monitor.checkErrors = false
        let before = space.reads
        _ = try monitor.checkingErrors("peek", slot: "0000:00:02.0", config: { space }) { () throws(PCIMMIOError) in 1 }
        #expect(space.reads == before, "without --check-errors config space is not read")
    }

    @Test func checkErrorsWalksEachConfigSpacesChainsOnce() throws {
        let monitor = HealthMonitor(diagnostics: Diagnostics { _, _ in })
        monitor.checkErrors = true
        func check(_ space: MutableConfigSpace) throws {
            _ = try monitor.checkingErrors("peek", slot: space.slot, config: { space }) { () throws(PCIMMIOError) in 0 }
        }
        let space = MutableConfigSpace.device(express: true)
        try check(space)
        let walked = space.reads
        for _ in 0..<10 { try check(space) }
        // Two snapshots per access, each reading STATUS, Device Status and AER's two status
        // registers; walking the chains again would read the header and both chains too.
        #expect(space.reads - walked == 10 * 2 * 4)
        let other = MutableConfigSpace.device(express: true)
        try check(other)
        #expect(other.reads == walked, "another config space (another device, or path) is walked for itself")
    }

    @Test func aFunctionThatReadsAllOnesHasItsCapabilitiesLookedForOnceItAnswers() throws {
        let space = MutableConfigSpace.device(express: true)
        let answering = space.bytes
        space.bytes = [UInt8](repeating: 0xff, count: answering.count)
        let reader = ErrorStatusReader(space)
        #expect(try reader.read() == ErrorStatus(status: 0xf900), "STATUS's error bits only, as a walk finds no chain")
        space.bytes = answering
        space.set(0x104, 1 << 14, bytes: 4)
        #expect(try reader.read() == ErrorStatus(status: 0, uncorrectable: 1 << 14))
    }

    @Test func aBrokenCapabilityChainStillFindsWhatComesBeforeTheBreak() throws {
        let space = MutableConfigSpace.device(pm: 3)
        space.set(0x51, 0x50, bytes: 1)  // PM's next points at itself
        #expect(try CapabilityLocator.offset(of: 1, extended: false, instance: 0, in: space) == 0x50)
        #expect(try CapabilityLocator.offset(of: 1, extended: false, instance: 1, in: space) == nil)
        space.set(0x51, 0x08, bytes: 1)  // into the header
        #expect(try DeviceHealth.read(space).powerState == 3)
    }
}
