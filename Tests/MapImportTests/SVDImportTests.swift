import PCIMMIO
import Testing
@testable import MapImport

/// Tests/Fixtures/import/demo.svd imported, checked against what its comments say.
@Suite struct SVDImportTests {
    static let fixture: String = {
        var path = #filePath
        for _ in 0..<3 { path = String(path[..<path.lastIndex(of: "/")!]) }
        return path + "/Tests/Fixtures/import/demo.svd"
    }()

    func imported() throws -> RegisterMap {
        let result = MapImporter.run(file: Self.fixture, output: "demo.json", options: MapImporter.Options())
        #expect(result.problems.isEmpty, "\(result.problems)")
        return try #require(result.map)
    }

    func register(_ map: RegisterMap, _ name: String, bar: Int = 0) throws -> RegisterDefinition {
        try #require(map.register(named: name, bar: bar), "no \(name) in BAR \(bar)")
    }

    @Test func peripheralsAreBARsInOrderKeepingTheirBase() throws {
        let map = try imported()
        #expect(map.name == "DEMOSOC")
        #expect(map.bases == [0: 0x4000_1000, 1: 0x4000_2000, 2: 0x4001_0000])
        #expect(map.registers.filter { $0.bar == 0 }.count == 11 && map.registers.filter { $0.bar == 2 }.count == 5)
    }

    @Test func fieldsByBitRangeBitOffsetAndLsbMsb() throws {
        let ctrl = try register(imported(), "CTRL")
        #expect(ctrl.width == .w32 && ctrl.offset == 0 && ctrl.reset == 0x301 && ctrl.access == .rw)
        #expect(ctrl.description == "Control register")
        #expect(ctrl.fields.map { "\($0.name) \($0.high):\($0.low)" } == ["EN 0:0", "PARITY 5:4", "BAUD 15:8"])
        #expect(ctrl.field("EN")?.values.map(\.name) == ["OFF", "ON"])
        // #00 is binary in SVD; isDefault names no single value.
        #expect(ctrl.field("PARITY")?.values.map { "\($0.name)=\($0.value)" } == ["NONE=0", "EVEN=2", "ODD=3"])
    }

    @Test func readActionAndAccess() throws {
        let map = try imported()
        let status = try register(map, "STATUS")
        #expect(status.access == .rc && status.field("ERR")?.access == .rc && status.field("RXNE")?.access == nil)
        let data = try register(map, "DATA")
        #expect(data.width == .w8 && data.access == .wo && data.description == "write: oneToClear")
    }

    @Test func dimArraysWithIndexesAndBrackets() throws {
        let map = try imported()
        #expect(try ["MATCHA", "MATCHB", "MATCHC"].map { try register(map, $0).offset } == [0x10, 0x14, 0x18])
        let fifos = try (0..<4).map { try register(map, "FIFO_\($0)") }
        #expect(fifos.map(\.offset) == [0x20, 0x24, 0x28, 0x2c] && fifos.allSatisfy { $0.width == .w16 })
    }

    @Test func derivedRegistersAndPeripherals() throws {
        let map = try imported()
        let ctrl2 = try register(map, "CTRL2")
        #expect(ctrl2.offset == 0x30 && ctrl2.reset == 0x301 && ctrl2.fields.map(\.name) == ["EN", "PARITY", "BAUD"])
        let uart0 = map.registers.filter { $0.bar == 0 }.map { "\($0.name)@\($0.offset)/\($0.width.bits)" }
        let uart1 = map.registers.filter { $0.bar == 1 }.map { "\($0.name)@\($0.offset)/\($0.width.bits)" }
        #expect(uart1 == uart0)
    }

    @Test func clustersAndInheritedSizesAndResets() throws {
        let map = try imported()
        let isr = try register(map, "ISR", bar: 2)
        #expect(isr.width == .w16 && isr.reset == 0xfff)   // 0xffff under mask 0x0fff
        let cfg = try [1, 2].map { try register(map, "CH\($0)_CFG", bar: 2) }
        #expect(cfg.map(\.offset) == [0x100, 0x120] && cfg.allSatisfy { $0.width == .w16 })
        #expect(cfg[0].fields.map { "\($0.name) \($0.high):\($0.low)" } == ["EN 0:0", "PRIO 3:2"])
        let len = try register(map, "CH2_LEN", bar: 2)
        #expect(len.offset == 0x124 && len.width == .w32 && len.reset == 0)
    }

    @Test func barOptionsChooseBlocks() throws {
        var options = MapImporter.Options()
        options.bars = [(block: "DMA", bar: 4)]
        let result = MapImporter.run(file: Self.fixture, output: "x.json", options: options)
        #expect(Set(result.map?.registers.map(\.bar) ?? []) == [4] && result.map?.bases == [4: 0x4001_0000])
    }

    @Test func theWrittenMapReadsBackTheSame() throws {
        let map = try imported()
        let text = RegisterMapWriter.json(map)
        let parsed = try JSONParser.parse(Array(text.utf8))
        guard case let .object(bars, _)? = parsed["bars"] else { Issue.record("no bars"); return }
        #expect(bars.map(\.key) == ["0", "1", "2"])
        #expect(parsed["bars"]?["0"]?["base"].map { if case let .string(text, _) = $0 { return text } else { return "" } } == "0x40001000")
    }
}
