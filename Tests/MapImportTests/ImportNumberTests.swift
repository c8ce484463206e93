import Testing
@testable import MapImport

@Suite struct ImportNumberTests {
    @Test func theSpellingsOfBothFormats() {
        #expect(ImportNumber.parse("'h30", hash: .hex) == 0x30)
        #expect(ImportNumber.parse("32'hDEAD_BEEF", hash: .hex) == 0xdead_beef)
        #expect(ImportNumber.parse("'d10", hash: .hex) == 10)
        #expect(ImportNumber.parse("'b101", hash: .hex) == 5)
        #expect(ImportNumber.parse("'o17", hash: .hex) == 15)
        #expect(ImportNumber.parse(" 0x40001000 ", hash: .binary) == 0x4000_1000)
        #expect(ImportNumber.parse("#1010", hash: .binary) == 10)
        #expect(ImportNumber.parse("#1f", hash: .hex) == 0x1f)
        #expect(ImportNumber.parse("4K", hash: .hex) == 4096)
        #expect(ImportNumber.parse("2M", hash: .hex) == 2 << 20)
        #expect(ImportNumber.parse("32", hash: .binary) == 32)
        #expect(ImportNumber.parse("WIDTH*2", hash: .hex) == nil)
        #expect(ImportNumber.parse("", hash: .hex) == nil)
    }
}
