import Glibc
import Testing
@testable import PCIMMIO

@Suite struct MapperTests {
    @Test(arguments: Width.allCases)
    func readsEqualTheFileBytesAtEveryWidth(width: Width) throws {
        let scratch = ScratchDirectory()
        let path = scratch.file("resource0", size: 0x2000, seeded: 0x2000)
        let bar = device([memoryBAR(size: 0x2000, file: path)])
        for offset: UInt64 in [0, 8, 0x100, 0xff8, 0x1ff8] {
            let plan = try AccessPlan(device: bar, bar: 0, offset: offset, width: width, count: 1, mode: .read)
            let value = try plan.open().read(width, at: offset)
            #expect(value == littleEndian(fileBytes(path, at: offset, count: width.bytes)), "offset \(offset)")
        }
    }

    @Test func consecutiveRegistersAreRead() throws {
        let scratch = ScratchDirectory()
        let path = scratch.file("resource0", size: 0x1000, seeded: 0x1000)
        let plan = try AccessPlan(device: device([memoryBAR(size: 0x1000, file: path)]), bar: 0, offset: 0x40, width: .w16, count: 5, mode: .read)
        let values = try plan.open().read(.w16, at: 0x40, count: 5)
        #expect(values == (0..<5).map { littleEndian(fileBytes(path, at: 0x40 + UInt64($0 * 2), count: 2)) })
    }

    @Test(arguments: Width.allCases)
    func writesChangeExactlyTheAddressedBytes(width: Width) throws {
        let scratch = ScratchDirectory()
        let path = scratch.file("resource0", size: 0x1000, seeded: 0x1000)
        let before = fileBytes(path, at: 0, count: 0x1000)
        let offset: UInt64 = 0x208
        let value: UInt64 = 0xa1b2_c3d4_e5f6_0718 & width.mask
        let plan = try AccessPlan(device: device([memoryBAR(size: 0x1000, file: path)]), bar: 0, offset: offset, width: width, mode: .write)
        try plan.open().write(width, at: offset, value: value)
        var expected = before
        for index in 0..<width.bytes { expected[Int(offset) + index] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(index))) }
        #expect(fileBytes(path, at: 0, count: 0x1000) == expected)
    }

    @Test func mapsOnlyThePagesAnAccessNeedsDeepInASixteenGiBBAR() throws {
        let scratch = ScratchDirectory()
        let size: UInt64 = 16 << 30
        let path = scratch.file("resource2", size: size)
        let bar = device([memoryBAR(2, size: size, file: path, prefetchable: true)])
        let page = UInt64(sysconf(Int32(_SC_PAGESIZE)))
        do {
            let window = try AccessPlan(device: bar, bar: 2, offset: size - 8, width: .w64, mode: .read).open()
            #expect(try window.read(.w64, at: size - 8) == 0)
            #expect(mappings(of: path).map(mappedLength) == [page])
        }
        do {
            // Two registers straddling a page boundary need exactly two pages.
            let offset = 12 << 30 + page - 4
            let window = try AccessPlan(device: bar, bar: 2, offset: offset, width: .w32, count: 2, mode: .read).open()
            _ = try window.read(.w32, at: offset, count: 2)
            #expect(mappings(of: path).map(mappedLength) == [2 * page])
        }
        #expect(mappings(of: path).isEmpty)
        #expect(openDescriptors(of: path) == 0)
    }

    /// The kernel maps a resource file from the start of the page holding the BAR: a 256-byte
    /// BAR at 0x...100 is at byte 0x100 of the mapping.
    @Test func aBARStartingInsideAPageIsFoundAtItsOffsetInThatPage() throws {
        let scratch = ScratchDirectory()
        let path = scratch.file("resource0", size: 0x1000, seeded: 0x1000)
        let bar = BAR(index: 0, kind: .mem32, prefetchable: false, address: 0xfeb0_4100, size: 0x100,
                      resourceFile: path, writeCombiningFile: nil)
        let plan = try AccessPlan(device: device([bar]), bar: 0, offset: 0x8, width: .w32, mode: .write)
        let window = try plan.open()
        #expect(try window.read(.w32, at: 0x8) == littleEndian(fileBytes(path, at: 0x108, count: 4)))
        try window.write(.w16, at: 0xfe, value: 0xbeef)
        #expect(fileBytes(path, at: 0x1fe, count: 2) == [0xef, 0xbe])
        #expect(throws: PCIMMIOError.self) { try AccessPlan(device: device([bar]), bar: 0, offset: 0x100, width: .w8, mode: .read) }
    }

    @Test func aFileTruncatedUnderTheMappingIsAnErrorNotACrash() throws {
        let scratch = ScratchDirectory()
        let path = scratch.file("resource0", size: 0x4000, seeded: 0x4000)
        let plan = try AccessPlan(device: device([memoryBAR(size: 0x4000, file: path)]), bar: 0, offset: 0x3000, width: .w32, count: 4, mode: .write)
        do {
            let window = try plan.open()
            #expect(try window.read(.w32, at: 0x3000) == littleEndian(fileBytes(path, at: 0x3000, count: 4)))
            #expect(truncate(path, 0) == 0)
            #expect(throws: PCIMMIOError.accessFault(slot: "0000:00:03.0", bar: 0, offset: 0x3000, signal: SIGBUS)) {
                _ = try window.read(.w32, at: 0x3000, count: 4)
            }
            #expect(throws: PCIMMIOError.accessFault(slot: "0000:00:03.0", bar: 0, offset: 0x3000, signal: SIGBUS)) {
                try window.write(.w32, at: 0x3000, value: 1)
            }
        }
        // The window still unmapped and closed after the fault.
        #expect(mappings(of: path).isEmpty)
        #expect(openDescriptors(of: path) == 0)
    }

    @Test func aFaultPartWayThroughARunStillTracesTheAccessesBeforeIt() throws {
        let scratch = ScratchDirectory()
        let path = scratch.file("resource0", size: 0x4000, seeded: 0x4000)
        let trace = scratch.file("trace", size: 0)
        let plan = try AccessPlan(device: device([memoryBAR(size: 0x4000, file: path)]), bar: 0, offset: 0x2ff8, width: .w32, count: 4, mode: .read)
        let window = try plan.open(trace: TraceLog(path: trace))
        #expect(truncate(path, 0x3000) == 0)
        #expect(throws: PCIMMIOError.accessFault(slot: "0000:00:03.0", bar: 0, offset: 0x3000, signal: SIGBUS)) {
            _ = try window.read(.w32, at: 0x2ff8, count: 4)
        }
        let lines = String(decoding: fileBytes(trace, at: 0, count: Int(fileSize(trace))), as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.first?.contains("\"offset\":12280,") == true && lines.last?.contains("\"offset\":12284,") == true)
    }

    @Test func aResourceFileSmallerThanItsBARIsRefusedBeforeMapping() throws {
        let scratch = ScratchDirectory()
        let path = scratch.file("resource0", size: 0x1000)
        let plan = try AccessPlan(device: device([memoryBAR(size: 0x2000, file: path)]), bar: 0, offset: 0x1800, width: .w32, mode: .read)
        #expect(throws: PCIMMIOError.outOfBounds(slot: "0000:00:03.0", bar: 0, offset: 0x1800, length: 4, size: 0x1000)) { try plan.open() }
        #expect(openDescriptors(of: path) == 0)
    }

    @Test func ioPortBARsUsePreadAndPwriteOfExactlyTheWidth() throws {
        let scratch = ScratchDirectory()
        let path = scratch.file("resource1", size: 0x40, seeded: 0x40)
        let io = BAR(index: 1, kind: .io, prefetchable: false, address: 0xc000, size: 0x40, resourceFile: path, writeCombiningFile: nil)
        let plan = try AccessPlan(device: device([io]), bar: 1, offset: 0x10, width: .w16, count: 2, mode: .write)
        let window = try plan.open()
        #expect(try window.read(.w16, at: 0x10, count: 2) == [littleEndian(fileBytes(path, at: 0x10, count: 2)), littleEndian(fileBytes(path, at: 0x12, count: 2))])
        try window.write(.w16, at: 0x12, value: 0xbeef)
        #expect(fileBytes(path, at: 0x10, count: 4) == [testPattern(0x10), testPattern(0x11), 0xef, 0xbe])
        #expect(throws: PCIMMIOError.ioWidthUnsupported(slot: "0000:00:03.0", bar: 1, width: .w64)) {
            try AccessPlan(device: device([io]), bar: 1, offset: 0, width: .w64, mode: .read)
        }
    }

    @Test func writeCombiningUsesTheWCFile() throws {
        let scratch = ScratchDirectory()
        let uncached = scratch.file("resource2", size: 0x1000)
        let combining = scratch.file("resource2_wc", size: 0x1000)
        let bar = device([memoryBAR(2, size: 0x1000, file: uncached, wc: combining, prefetchable: true)])
        let plan = try AccessPlan(device: bar, bar: 2, offset: 0x10, width: .w32, mode: .write, writeCombining: true)
        #expect(plan.path == combining)
        try plan.open().write(.w32, at: 0x10, value: 0x1234_5678)
        #expect(fileBytes(combining, at: 0x10, count: 4) == [0x78, 0x56, 0x34, 0x12])
        #expect(fileBytes(uncached, at: 0x10, count: 4) == [0, 0, 0, 0])
    }

    @Test func maskedPokeIsOneReadAndOneWriteOfTheMaskedBits() throws {
        let scratch = ScratchDirectory()
        let path = scratch.file("resource0", size: 0x1000, seeded: 0x1000)
        let trace = scratch.file("trace", size: 0)
        let plan = try AccessPlan(device: device([memoryBAR(size: 0x1000, file: path)]), bar: 0, offset: 0x20, width: .w32, mode: .write)
        let old = littleEndian(fileBytes(path, at: 0x20, count: 4))
        let written = try Poke(width: .w32, value: 0x0000_0500, mask: 0x0000_0f00, verify: true)
            .apply(to: plan.open(trace: TraceLog(path: trace)), at: 0x20)
        #expect(written == old & ~0xf00 | 0x500)
        #expect(littleEndian(fileBytes(path, at: 0x20, count: 4)) == written)
        let lines = String(decoding: fileBytes(trace, at: 0, count: Int(fileSize(trace))), as: UTF8.self).split(separator: "\n")
        #expect(lines.map { $0.contains("\"op\":\"read\"") ? "read" : "write" } == ["read", "write", "read"])
    }
}

func fileSize(_ path: String) -> UInt64 {
    var info = stat()
    stat(path, &info)
    return UInt64(info.st_size)
}
