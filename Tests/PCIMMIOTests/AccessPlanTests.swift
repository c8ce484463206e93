import Testing
@testable import PCIMMIO

/// Every refusal happens while planning: no file is touched (the paths here do not exist).
@Suite struct AccessPlanTests {
    let target = device([
        memoryBAR(0, size: 0x1000, file: "/nonexistent/resource0"),
        BAR(index: 1, kind: .io, prefetchable: false, address: 0xc000, size: 0x20, resourceFile: "/nonexistent/resource1", writeCombiningFile: nil),
        memoryBAR(2, size: 0x4000, file: nil, wc: nil, prefetchable: true),
        BAR(index: 3, kind: .mem32, prefetchable: false, address: 0, size: 0, resourceFile: nil, writeCombiningFile: nil),
        memoryBAR(4, size: 0x4000, file: "/nonexistent/resource4", wc: "/nonexistent/resource4_wc", prefetchable: true),
    ])

    @Test func boundsComeFromTheBARSize() throws {
        _ = try AccessPlan(device: target, bar: 0, offset: 0xffc, width: .w32, mode: .read)
        #expect(throws: PCIMMIOError.outOfBounds(slot: "0000:00:03.0", bar: 0, offset: 0x1000, length: 4, size: 0x1000)) {
            try AccessPlan(device: target, bar: 0, offset: 0x1000, width: .w32, mode: .read)
        }
        #expect(throws: PCIMMIOError.outOfBounds(slot: "0000:00:03.0", bar: 0, offset: 0xff8, length: 16, size: 0x1000)) {
            try AccessPlan(device: target, bar: 0, offset: 0xff8, width: .w64, count: 2, mode: .read)
        }
        #expect(throws: PCIMMIOError.self) {
            try AccessPlan(device: target, bar: 0, offset: UInt64.max - 7, width: .w64, mode: .read)
        }
    }

    @Test func anAccessLongerThanTheBARSaysSoInASentence() {
        let tooLong = PCIMMIOError.outOfBounds(slot: "0000:00:03.0", bar: 1, offset: 0, length: 0x40, size: 0x20)
        #expect(tooLong.description == "offset 0x0 + 64 bytes is past the end of 0000:00:03.0 BAR 1 (size 0x20; this access is longer than the whole BAR, so no offset fits it)")
        let pastEnd = PCIMMIOError.outOfBounds(slot: "0000:00:03.0", bar: 0, offset: 0x1000, length: 4, size: 0x1000)
        #expect(pastEnd.description.hasSuffix("(size 0x1000; last valid offset for this access is 0xffc)"))
    }

    @Test func misalignedOffsetsAreRefused() {
        #expect(throws: PCIMMIOError.misaligned(offset: 2, width: .w32)) { try AccessPlan(device: target, bar: 0, offset: 2, width: .w32, mode: .read) }
        #expect(throws: PCIMMIOError.misaligned(offset: 4, width: .w64)) { try AccessPlan(device: target, bar: 0, offset: 4, width: .w64, mode: .read) }
    }

    @Test func unusedZeroSizedAndMissingFilesAreNamed() {
        #expect(throws: PCIMMIOError.unusedBAR(slot: "0000:00:03.0", bar: 5, used: [0, 1, 2, 3, 4])) { try AccessPlan(device: target, bar: 5, offset: 0, width: .w32, mode: .read) }
        #expect(throws: PCIMMIOError.zeroSizedBAR(slot: "0000:00:03.0", bar: 3)) { try AccessPlan(device: target, bar: 3, offset: 0, width: .w32, mode: .read) }
        #expect(throws: PCIMMIOError.missingResourceFile(path: "<sysfs>/devices/0000:00:03.0/resource2")) { try AccessPlan(device: target, bar: 2, offset: 0, width: .w32, mode: .read) }
    }

    @Test func writeCombiningNeedsAPrefetchableBARWithAWCFile() throws {
        #expect(try AccessPlan(device: target, bar: 4, offset: 0, width: .w32, mode: .read, writeCombining: true).path == "/nonexistent/resource4_wc")
        #expect(try AccessPlan(device: target, bar: 4, offset: 0, width: .w32, mode: .read).path == "/nonexistent/resource4")
        #expect(throws: PCIMMIOError.writeCombiningUnavailable(slot: "0000:00:03.0", bar: 0, reason: "it is not prefetchable")) {
            try AccessPlan(device: target, bar: 0, offset: 0, width: .w32, mode: .read, writeCombining: true)
        }
        #expect(throws: PCIMMIOError.writeCombiningUnavailable(slot: "0000:00:03.0", bar: 1, reason: "it is an I/O-port BAR")) {
            try AccessPlan(device: target, bar: 1, offset: 0, width: .w32, mode: .read, writeCombining: true)
        }
    }

    @Test func missingFileIsReportedOnOpen() throws {
        let plan = try AccessPlan(device: target, bar: 0, offset: 0, width: .w32, mode: .read)
        #expect(throws: PCIMMIOError.missingResourceFile(path: "/nonexistent/resource0")) { try plan.open() }
    }
}
