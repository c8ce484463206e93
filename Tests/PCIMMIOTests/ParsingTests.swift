import Testing
@testable import PCIMMIO

@Suite struct NumberParsingTests {
    @Test(arguments: [("42", 42), ("0x2a", 42), ("0X2A", 42), ("0b101010", 42), ("0", 0),
                      ("0xffffffffffffffff", UInt64.max), ("0x1_0000", 0x10000)] as [(String, UInt64)])
    func values(text: String, expected: UInt64) throws {
        #expect(try NumberParser.value(text) == expected)
    }

    @Test(arguments: ["", "-5", "+5", "0x", "0xZZ", "0b2", "12abc", "0x10000000000000000", "4k"])
    func rejectsMalformedValues(text: String) {
        #expect(throws: PCIMMIOError.malformedNumber(what: "value", text: text)) { try NumberParser.value(text) }
    }

    @Test(arguments: [("4k", 4096), ("4K", 4096), ("2M", 2 << 20), ("16G", 16 << 30), ("0x10k", 16 << 10), ("0x100", 256)] as [(String, UInt64)])
    func quantitiesTakeSuffixes(text: String, expected: UInt64) throws {
        #expect(try NumberParser.quantity(text) == expected)
    }

    @Test func quantityOverflowIsAnError() {
        #expect(throws: PCIMMIOError.self) { try NumberParser.quantity("0xffffffffffffffffG") }
        #expect(throws: PCIMMIOError.self) { try NumberParser.quantity("99999999999G") }
    }

    @Test(arguments: [("0", 0), ("5", 5), ("bar0", 0), ("BAR3", 3), ("bar5", 5), ("rom", 6), ("ROM", 6), ("6", 6)] as [(String, Int)])
    func barNumbers(text: String, expected: Int) throws {
        #expect(try BARNumber.parse(text) == expected)
    }

    @Test(arguments: ["7", "bar7", "bar", "-1", "01", "b0", "bar 1", "", "roms"])
    func rejectsBadBARs(text: String) {
        #expect(throws: PCIMMIOError.malformedBAR(text: text)) { try BARNumber.parse(text) }
    }

    @Test func widths() throws {
        #expect(try Width(parsing: "16") == .w16)
        #expect(Width.w8.mask == 0xff && Width.w64.mask == .max && Width.w32.hexDigits == 8)
        for text in ["12", "0", "128", "x", "0x20"] {
            #expect(throws: PCIMMIOError.malformedWidth(text: text)) { try Width(parsing: text) }
        }
    }
}

@Suite struct RegionTests {
    @Test func forms() throws {
        #expect(try Region(parsing: "0x100") == Region(start: 0x100, size: nil))
        #expect(try Region(parsing: "0x100+0x40") == Region(start: 0x100, size: 0x40))
        #expect(try Region(parsing: "0x100-0x13f") == Region(start: 0x100, size: 0x40))
        #expect(try Region(parsing: "1k+1k") == Region(start: 1024, size: 1024))
        #expect(try Region(parsing: "4-4") == Region(start: 4, size: 1))
    }

    @Test(arguments: ["10-5", "0+0", "0+", "+4", "-", "a-b", "0x10+0xZZ"])
    func rejectsMalformed(text: String) {
        #expect(throws: PCIMMIOError.self) { try Region(parsing: text) }
    }

    @Test func defaultSizeIsClippedToTheBAR() {
        #expect(Region(start: 0, size: nil).length(barSize: 0x1000) == 0x100)
        #expect(Region(start: 0, size: nil).length(barSize: 0x20) == 0x20)
        #expect(Region(start: 0x10, size: nil).length(barSize: 0x20) == 0x10)
        #expect(Region(start: 0, size: 0x2000).length(barSize: 0x1000) == 0x2000)
    }
}
