import Glibc
import Testing
@testable import PCIMMIO

@Suite struct RegisterMapTests {
    /// The shipped maps, found from this file's place in the package.
    static let mapsDirectory: String = {
        var path = #filePath
        for _ in 0..<3 { path = String(path[..<path.lastIndex(of: "/")!]) }
        return path + "/Maps"
    }()

    @Test(arguments: ["qemu-edu.json", "nvme.json"])
    func shippedMapsAreClean(file: String) {
        let (map, problems) = RegisterMapLoader.check(Self.mapsDirectory + "/" + file)
        #expect(problems.isEmpty, "\(problems)")
        #expect((map?.registers.count ?? 0) > 5)
    }

    func map(_ json: String) -> (RegisterMap?, [MapProblem]) {
        let scratch = ScratchDirectory()
        let path = scratch.path + "/map.json"
        let fd = open(path, O_WRONLY | O_CREAT, 0o644)
        _ = Array(json.utf8).withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        return RegisterMapLoader.check(path)
    }

    @Test func everyKindOfMistakeIsFoundAtItsLine() {
        let (_, problems) = map("""
            {
              "devices": ["1234:11e8", "nope"],
              "bars": { "0": [
                { "name": "A", "offset": 0 },
                { "name": "B", "offset": 2, "width": 16 },
                { "name": "C", "offset": 6 },
                { "name": "A", "offset": 16 },
                { "name": "D", "offset": 32, "width": 8, "fields": [
                  { "name": "X", "bits": "3:0" },
                  { "name": "Y", "bits": "4:2" },
                  { "name": "Z", "bits": "8" },
                  { "name": "W", "bits": "7", "values": { "ON": 1, "TWO": 2 } } ] },
                { "name": "E", "offset": 48, "acess": "rw" }
              ] }
            }
            """)
        let found = problems.map { "\($0.line): \($0.message)" }
        #expect(found.count == 8, "\(found)")
        #expect(found.contains { $0.hasPrefix("2: devices entries") })
        #expect(found.contains { $0.hasPrefix("5: register B") && $0.contains("overlaps A") })
        #expect(found.contains { $0.hasPrefix("6: register C at offset 0x6 is not aligned") })
        #expect(found.contains { $0.hasPrefix("7: register name A is used twice") })
        #expect(found.contains { $0.hasPrefix("10: field D.Y [4:2] overlaps X [3:0]") })
        #expect(found.contains { $0.hasPrefix("11: field D.Z bits 8:8 go past") })
        #expect(found.contains { $0.hasPrefix("12: value TWO=2 does not fit field D.W") })
        #expect(found.contains { $0.hasPrefix("13: unknown key \"acess\"") })
    }

    @Test func aBARMayGiveItsBaseAddress() throws {
        let (map, problems) = map("""
            { "devices": ["1234:11e8"], "bars": {
                "0": { "base": "0x40001000", "registers": [ { "name": "CR", "offset": 0 } ] },
                "2": [ { "name": "SR", "offset": 4 } ] } }
            """)
        #expect(problems.isEmpty, "\(problems)")
        #expect(map?.bases == [0: 0x4000_1000])
        #expect(map?.register(named: "CR", bar: 0)?.offset == 0 && map?.register(at: 4, bar: 2)?.name == "SR")
        let (_, bad) = self.map("{ \"devices\": [], \"bars\": { \"0\": { \"bass\": 1, \"registers\": [] } } }")
        #expect(bad.map(\.message).contains { $0.hasPrefix("unknown key \"bass\" in BAR 0") })
    }

    /// The sweep by offset finds what comparing every pair found, reported at the later line.
    @Test func overlapsOutOfFileOrderAreFound() {
        let registers = [(0x10, Width.w32), (0x0, .w64), (0x20, .w8), (0x6, .w16), (0x21, .w8)].enumerated().map {
            RegisterDefinition(name: "R\($0.offset)", bar: 0, offset: UInt64($0.element.0), width: $0.element.1, line: $0.offset + 1)
        }
        let found = RegisterMapChecks.registerConflicts(registers)
        #expect(found.map(\.line) == [4], "\(found)")
        #expect(found.first?.message == "register R3 (0x6, 16-bit) overlaps R1 (0x0, 64-bit, line 2)")
    }

    /// A mistake among tens of thousands of registers is reported at its own line, after
    /// the loader has walked far through the file (lines are found from the last one's).
    @Test func aMistakeDeepInALargeMapNamesItsLine() {
        var lines = (0..<40_000).map { "    { \"name\": \"R\($0)\", \"offset\": \"0x\(String($0 * 4, radix: 16))\", \"fields\": [ { \"name\": \"F\", \"bits\": \"3:0\" } ] }," }
        lines[29_999] = "    { \"name\": \"R29999\", \"offset\": \"0x1d4bc\", \"fields\": [ { \"name\": \"F\", \"bits\": \"3:0\", \"values\": { \"BIG\": 16 } } ] },"
        lines[35_000] = "    { \"name\": \"R35000\", \"offset\": \"0x4\" },"
        let text = "{ \"devices\": [\"1234:11e8\"],\n  \"bars\": { \"0\": [\n" + lines.joined(separator: "\n") + "\n    { \"name\": \"LAST\", \"offset\": \"0x100000\" } ] } }\n"
        let (map, problems) = map(text)
        #expect(problems.map { "\($0.line): \($0.message)" } == [
            "30002: value BIG=16 does not fit field R29999.F (4 bits, largest 15)",
            "35003: register R35000 (0x4, 32-bit) overlaps R1 (0x4, 32-bit, line 4)",
        ])
        #expect(map?.registers.count == 40_001 && map?.register(named: "R39999", bar: 0)?.line == 40_002)
    }

    /// Registers by offset: the first in the file wins, a range is in offset order and holds
    /// only registers wholly inside it, whatever order the file has them in.
    @Test func registersAreFoundByOffsetInAnyFileOrder() {
        let registers = [("C", 0x8, Width.w32), ("A", 0x0, .w32), ("B", 0x4, .w16), ("A2", 0x0, .w8), ("D", 0xc, .w64), ("X", 0x4, .w32)].enumerated().map {
            RegisterDefinition(name: $0.element.0, bar: $0.offset == 5 ? 2 : 0, offset: UInt64($0.element.1), width: $0.element.2, line: $0.offset + 1)
        }
        let map = RegisterMap(file: "m.json", devices: [], registers: registers)
        #expect(map.register(at: 0, bar: 0)?.name == "A" && map.register(at: 4, bar: 0)?.name == "B" && map.register(at: 4, bar: 2)?.name == "X")
        #expect(map.register(at: 2, bar: 0) == nil && map.register(at: 8, bar: 2) == nil)
        #expect(map.registers(bar: 0, in: 0..<0x10).map(\.name) == ["A", "A2", "B", "C"])
        #expect(map.registers(bar: 0, in: 4..<0x14).map(\.name) == ["B", "C", "D"])
        #expect(map.registers(bar: 2, in: 0..<0x100).map(\.name) == ["X"])
        #expect(map.bars == [0, 2] && RegisterMap(file: "e.json", devices: [], registers: []).bars == [])
    }

    /// Each kind of map object's cases are its keys' spellings, in order.
    @Test func mapKeysAreSpelledAsTheirCases() {
        func check<Key: MapObjectKeys>(_: Key.Type) {
            #expect(Key.allCases.map { "\($0)" } == Key.spellings.texts)
            #expect(Key.allCases.map(\.rawValue) == Array(0..<Key.spellings.count))
            #expect(Key.spellings.count <= KnownMembers<Key>.capacity)
        }
        check(MapKey.self)
        check(BARKey.self)
        check(RegisterKey.self)
        check(FieldKey.self)
    }

    @Test func brokenJSONNamesItsLine() {
        let (map, problems) = map("{\n  \"devices\": [\n    \"1234:11e8\",\n  ]\n}\n")
        #expect(map == nil)
        #expect(problems.map(\.line) == [4])
    }

    @Test func fieldUpdatesCombineIntoOneMaskAndValue() throws {
        let loaded = try RegisterMapLoader.load(Self.mapsDirectory + "/nvme.json")
        let update = try FieldUpdate([FieldAssignment(parsing: "CC.EN=1"), FieldAssignment(parsing: "CC.SHN=NORMAL"),
                                      FieldAssignment(parsing: "CC.IOSQES=6")], in: loaded, bar: 0, forWriting: true)
        #expect(update.register.name == "CC")
        #expect(update.mask == 0x1 | 0xc000 | 0xf0000)
        #expect(update.value == 0x1 | 0x4000 | 0x60000)
        #expect(throws: PCIMMIOError.self) { try FieldUpdate([FieldAssignment(parsing: "CSTS.RDY=1")], in: loaded, bar: 0, forWriting: true) }
        #expect(throws: PCIMMIOError.self) { try FieldUpdate([FieldAssignment(parsing: "CC.SHN=4")], in: loaded, bar: 0, forWriting: true) }
        #expect(throws: PCIMMIOError.self) { try FieldUpdate([FieldAssignment(parsing: "CC.EN=1"), FieldAssignment(parsing: "VS.MJR=1")], in: loaded, bar: 0, forWriting: false) }
    }

    @Test func decodingNamesFieldValues() throws {
        let loaded = try RegisterMapLoader.load(Self.mapsDirectory + "/nvme.json")
        let text = loaded.register(named: "CSTS", bar: 0)!.decoded(0x9)
        #expect(text.hasPrefix("0x00000009  CSTS @0x1c (32-bit, ro)"))
        #expect(text.contains("RDY   [0]   = 0x1 (READY)"))
        #expect(text.contains("SHST  [3:2] = 0x2 (COMPLETE)"))
    }

    @Test func references() throws {
        #expect(try RegisterReference(parsing: "0x20") == .offset(0x20))
        #expect(try RegisterReference(parsing: "4k") == .offset(4096))
        #expect(try RegisterReference(parsing: "STATUS") == .named("STATUS"))
        #expect(throws: PCIMMIOError.self) { try RegisterReference(parsing: "0xZZ") }
    }
}

@Suite struct JSONParserTests {
    @Test func parsesWithLinesAndExactNumbers() throws {
        let node = try JSONParser.parse(Array("{\n \"a\": [1, \"x\\u0041\\n\", true, null],\n \"b\": 18446744073709551615\n}".utf8))
        guard case let .array(items, line)? = node["a"] else { Issue.record("no array"); return }
        #expect(line == 2)
        guard case let .string(text, _) = items[1] else { Issue.record("no string"); return }
        #expect(text == "xA\n")
        guard case let .number(big, bigLine)? = node["b"] else { Issue.record("no number"); return }
        #expect(big == "18446744073709551615" && bigLine == 3)
    }

    @Test(arguments: ["{", "[1,]", "{\"a\" 1}", "{\"a\":1,\"a\":2}", "\"unterminated", "tru", "[1] 2"])
    func rejectsMalformed(text: String) {
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(Array(text.utf8)) }
    }
}
