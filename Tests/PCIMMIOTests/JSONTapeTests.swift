import Testing
@testable import PCIMMIO

@Suite struct JSONTapeTests {
    @Test func valuesKnowTheirKindLineAndText() throws {
        let tape = try JSONParser.tape(Array("{\"a\": [1,\n  \"x\\u0041\", true],\n\n \"b\": {\"c\": null}}".utf8))
        #expect(tape.kind(tape.root) == .object && tape.line(tape.root) == 1)
        let a = try #require(tape.member(tape.root, "a"))
        let items = Array(tape.items(a))
        #expect(items.map { tape.kind($0) } == [.number, .string, .bool])
        #expect(items.map { tape.line($0) } == [1, 2, 2])
        #expect(tape.string(items[1]) == "xA" && tape.withUTF8(items[1], Array.init) == Array("xA".utf8))
        let b = try #require(tape.member(tape.root, "b"))
        let c = try #require(tape.member(b, "c"))
        #expect(tape.line(b) == 4 && tape.kind(c) == .null)
        // Walking past a nested value lands on the next member.
        #expect(tape.members(tape.root).map { tape.string($0.key) } == ["a", "b"])
        #expect(tape.member(tape.root, "c") == nil)
    }

    @Test func escapedKeysAreTheirText() throws {
        let tape = try JSONParser.tape(Array("{\"n\\u0061me\": 1}".utf8))
        #expect(tape.member(tape.root, "name") != nil && tape.member(tape.root, "nam") == nil)
        let twins = "{\"a\": 1, \"\\u0061\": 2}"
        #expect(throws: JSONParser.Failure(line: 1, message: "duplicate key \"a\"")) { try JSONParser.tape(Array(twins.utf8)) }
    }

    /// Value tables past the one-by-one comparison still refuse a repeated key, at its line.
    @Test func duplicateKeysOfLargeObjectsAreFoundAtTheirLine() {
        let members = (0..<40).map { "\"K\($0)\": \($0)" } + ["\"K7\": 0"]
        let text = "{\n" + members.joined(separator: ",\n") + "\n}"
        #expect(throws: JSONParser.Failure(line: 42, message: "duplicate key \"K7\"")) { try JSONParser.tape(Array(text.utf8)) }
    }

    @Test func mistakesDeepInALargeDocumentNameTheirLine() {
        var lines = (0..<50_000).map { "  {\"name\": \"R\($0)\", \"offset\": \($0 * 4)}," }
        lines[31_337] = "  {\"name\": \"R\", \"offset\" 4},"
        let text = "[\n" + lines.joined(separator: "\n") + "\n  {}\n]\n"
        #expect(throws: JSONParser.Failure(line: 31_339, message: "expected ':' after \"offset\"")) { try JSONParser.tape(Array(text.utf8)) }
    }

    /// The word-at-a-time scan finds the same byte as looking at each: the first quote,
    /// backslash, line feed or byte past ASCII, whatever follows it.
    @Test func theWordScanStopsWhereAByteScanWould() {
        var generator = SystemRandomNumberGenerator()
        let special: [UInt8] = [0x22, 0x5c, 0x0a, 0x80, 0xc3, 0xff]
        for _ in 0..<20_000 {
            var bytes = (0..<8).map { _ in UInt8.random(in: 0x20...0x7e, using: &generator) }
            for index in bytes.indices where Int.random(in: 0..<6, using: &generator) == 0 { bytes[index] = special.randomElement()! }
            let word = bytes.enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
            let expected = bytes.firstIndex { special.contains($0) || $0 >= 0x80 }
            #expect(JSONParser.firstSpecialByte(word) == expected, "\(bytes)")
        }
    }

    /// Escapes and bytes past ASCII at every position of strings long and short, so each
    /// meets the word scan at every alignment.
    @Test func stringsReadTheSameAtEveryAlignment() throws {
        for length in 1..<20 {
            for position in 0..<length {
                for (written, text) in [("\\n", "\n"), ("\\u00e9", "é"), ("é", "é"), ("\\\"", "\""), ("x", "x")] {
                    let before = String(repeating: "a", count: position), after = String(repeating: "b", count: length - position - 1)
                    let json = "[\"" + before + written + after + "\", 1]"
                    let tape = try JSONParser.tape(Array(json.utf8))
                    let first = try #require(Array(tape.items(tape.root)).first)
                    #expect(tape.string(first) == before + text + after, "\(json)")
                }
            }
        }
    }

    /// The tape is allocated at its bound (half the bytes, plus one) and never grows: the
    /// densest documents fill it and are read whole.
    @Test(arguments: ["1", "[]", "[1]", "[1,2]", "[[]]", "{\"\":1}", "[[[[[]]]]]", "[" + Array(repeating: "1", count: 999).joined(separator: ",") + "]",
                      "[" + Array(repeating: "[]", count: 500).joined(separator: ",") + "]", "{" + (0..<300).map { "\"\($0)\":0" }.joined(separator: ",") + "}"])
    func denseDocumentsFitTheTape(text: String) throws {
        let tape = try JSONParser.tape(Array(text.utf8))
        #expect(JSONNode(tape, tape.root).line == 1)
    }

    @Test func keysAreToldApartByAllTheirBytes() throws {
        let spellings = KeySpellings(["registers", "registerX", "reg", "description"])
        let tape = try JSONParser.tape(Array("{\"registerX\": 1, \"registers\": 2, \"re\\u0067\": 3, \"regis\": 4, \"descriptioN\": 5}".utf8))
        #expect(tape.members(tape.root).map { tape.position(of: $0.key, in: spellings) } == [1, 0, 2, nil, nil])
        let numbers = Array(tape.members(tape.root)).map(\.value)
        #expect(tape.position(of: numbers[0], in: spellings) == nil)
    }
}
