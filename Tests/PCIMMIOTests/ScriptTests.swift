import Testing
@testable import PCIMMIO

@Suite struct ScriptParsingTests {
    func parse(_ text: String) throws(ScriptErrors) -> Script { try Script(name: "t.txt", text: Array(text.utf8)) }

    @Test func commentsBlankLinesAndSetAreNotCommands() throws {
        let script = try parse("""
            # setup
            set dev 00:03.0

            peek $dev 0 0x10   # trailing comment
            poke ${dev} bar0 0x20 0xff -w 8 --verify
            echo done: $dev
            """)
        #expect(script.lines.map(\.number) == [4, 5, 6])
        guard case let .peek(target, reference, count, json, decode) = script.statement(script.lines[0]) else { Issue.record("not a peek"); return }
        #expect(target.place == .bar(try DeviceSelector("00:03.0"), index: 0) && reference == .offset(0x10) && count == 1 && !json && !decode)
        guard case let .poke(pokeTarget, .value(.offset(0x20), 0xff, mask: nil), verify) = script.statement(script.lines[1]) else { Issue.record("not a poke"); return }
        #expect(pokeTarget.explicitWidth == .w8 && verify)
        guard case let .echo(text) = script.statement(script.lines[2]) else { Issue.record("not an echo"); return }
        #expect(text == "done: 00:03.0")
    }

    @Test func identicalLinesShareOneStatement() throws {
        let script = try parse(String(repeating: "peek 00:03.0 0 0x10\n", count: 1000) + "peek 00:03.0 0 0x14\n")
        #expect(script.lines.count == 1001)
        // Plain peeks are kept in their lines, on one shared target.
        #expect(script.statements.isEmpty && script.targets.count == 1)
        #expect(Set(script.lines.prefix(1000).map(\.offset)) == [0x10] && script.lines[1000].offset == 0x14)
        #expect(script.lines.map(\.number) == Array(1...1001))
    }

    @Test func aRedefinedNameChangesLaterLines() throws {
        let script = try parse("set r 0x10\npeek 00:03.0 0 $r\nset r 0x14\npeek 00:03.0 0 $r\n")
        #expect(script.lines.count == 2)
        guard case let .peek(_, second, _, _, _) = script.statement(script.lines[1]) else { Issue.record("not a peek"); return }
        #expect(second == .offset(0x14))
    }

    @Test func everyBadLineIsReportedWithItsNumberAndNothingRuns() {
        do {
            _ = try parse("""
                peek 00:03.0 0 0x10
                frobnicate 1 2
                poke 00:03.0 0 0x20 0x100 -w 8
                peek $nope 0 0
                peek 00:03.0 0 0x10 --bogus
                wait 00:03.0 0 0x20 --mask 0xf
                sleep 10
                set 9x 1
                """)
            Issue.record("expected errors")
        } catch {
            let lines = error.errors.compactMap { (failure) -> Int? in
                if case let .inScript(file, line, _) = failure, file == "t.txt" { return line }
                return nil
            }
            #expect(lines == [2, 3, 4, 5, 6, 7, 8])
            #expect(error.errors[0].description.hasPrefix("t.txt:2: unknown command 'frobnicate'"))
            #expect(error.errors[1].description == "t.txt:3: value 0x100 does not fit in 8 bits (largest is 0xff)")
        }
    }

    @Test func fieldPokesAndUntilWaitsParse() throws {
        let script = try parse("poke 00:02.0 0 CTRL.EN=1 CTRL.MODE=FAST\nwait 00:02.0 0 --until STATUS.READY=1,STATUS.ERR=0 --timeout 2s\n")
        guard case let .poke(_, .fields(assignments), _) = script.statement(script.lines[0]) else { Issue.record("not a field poke"); return }
        #expect(assignments.map { "\($0.register).\($0.field)=\($0.value)" } == ["CTRL.EN=1", "CTRL.MODE=FAST"])
        guard case let .wait(_, .fields(conditions), timeout, interval) = script.statement(script.lines[1]) else { Issue.record("not a field wait"); return }
        #expect(conditions.count == 2 && timeout == 2_000_000_000 && interval == 1_000_000)
    }

    @Test func identicalStatementsShareOneAndPlainAccessesKeepTheirValues() throws {
        let script = try parse("dump 00:03.0 0 0+16\ndump 00:03.0 0 0+16\npoke 00:03.0 0 0x20 0x5 --mask 0xf --verify\npoke 00:03.0 0 0x24 0x7 -w 8\n")
        #expect(script.statements.count == 1 && script.lines.map(\.statement) == [0, 0, nil, nil])
        #expect(script.lines[2].kind == .pokeVerify && script.lines[2].value == 5 && script.lines[2].mask == 0xf)
        guard case let .poke(target, .value(.offset(0x24), 7, mask: nil), verify: false) = script.statement(script.lines[3]) else {
            Issue.record("not the plain poke"); return
        }
        #expect(target.width == .w8 && script.targets.count == 2)
    }

    @Test func linesStayAtFortyBytes() {
        #expect(MemoryLayout<Script.Line>.stride <= 40)
    }

    @Test func durations() throws {
        #expect(try DurationParser.nanoseconds("500ms") == 500_000_000)
        #expect(try DurationParser.nanoseconds("250us") == 250_000)
        #expect(try DurationParser.nanoseconds("2s") == 2_000_000_000)
        // 1.5s and 5m are durations since issue 21 (WaitFrictionTests).
        for text in ["10", "ms", "-1ms", "5x", "1.5"] {
            #expect(throws: PCIMMIOError.malformedDuration(what: "duration", text: text)) { try DurationParser.nanoseconds(text) }
        }
    }
}
