import Testing
@testable import PCIMMIO

@Suite struct FormattingTests {
    @Test func jsonEscapesAndKeepsKeyOrder() {
        let value = JSON.object([("b", .string("quote\" back\\ nl\n tab\t \u{1}")), ("a", .array([.number(.max), .null, .bool(true)]))])
        #expect(value.rendered(indent: nil) == #"{"b":"quote\" back\\ nl\n tab\t \u0001","a":[18446744073709551615,null,true]}"#)
    }

    @Test(arguments: [(0, "0"), (64, "64"), (4096, "4K"), (0x20000, "128K"), (16 << 20, "16M"), (16 << 30, "16G"), (1536, "1.5K")] as [(UInt64, String)])
    func humanSizes(bytes: UInt64, expected: String) {
        #expect(humanSize(bytes) == expected)
    }

    @Test func registerValuesHaveExactlyWidthDigits() {
        #expect(formatRegister(0xed, width: .w8) == "0xed")
        #expect(formatRegister(0xed, width: .w16) == "0x00ed")
        #expect(formatRegister(0x10000ed, width: .w32) == "0x010000ed")
        #expect(formatRegister(1, width: .w64) == "0x0000000000000001")
    }

    @Test func slotsPrintAsLspciDoes() {
        #expect(PCIAddress(domain: 0, bus: 0, device: 2, function: 0).description == "0000:00:02.0")
        #expect(PCIAddress(domain: 0x10000, bus: 0xff, device: 0x1f, function: 7).description == "10000:ff:1f.7")
    }
}
