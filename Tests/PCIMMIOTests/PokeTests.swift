import Testing
@testable import PCIMMIO

@Suite struct PokeValidationTests {
    @Test func valueMustFitTheWidth() throws {
        #expect(throws: PCIMMIOError.valueTooWide(value: 0x100, width: .w8)) { try Poke(width: .w8, value: 0x100) }
        #expect(throws: PCIMMIOError.valueTooWide(value: 0x1_0000_0000, width: .w32)) { try Poke(width: .w32, value: 0x1_0000_0000) }
        _ = try Poke(width: .w64, value: .max)
    }

    @Test func maskMustFitAndCoverTheValue() {
        #expect(throws: PCIMMIOError.maskTooWide(mask: 0x1ff, width: .w8)) { try Poke(width: .w8, value: 1, mask: 0x1ff) }
        #expect(throws: PCIMMIOError.self) { try Poke(width: .w16, value: 0x30, mask: 0x10) }
    }

    @Test func dryRunDescribesWithoutReading() throws {
        let location = AccessLocation.bar(slot: "0000:00:03.0", index: 0)
        #expect(try Poke(width: .w16, value: 0xab).describe(location, offset: 0x10)
            == "would write 0x00ab to 0000:00:03.0 BAR 0 offset 0x10 (16-bit)")
        #expect(try Poke(width: .w8, value: 0x80, mask: 0x80).describe(location, offset: 4).contains("(old & ~0x80) | 0x80"))
        #expect(try Poke(width: .w32, value: 1).describe(.physical, offset: 0xfea00020)
            == "would write 0x00000001 to physical address 0xfea00020 (32-bit)")
    }
}
