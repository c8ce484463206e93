import Foundation
import PCIMMIO
import Testing

/// `pcimmio map import` of IP-XACT that PeakRDL made from Tests/Fixtures/import/demo.rdl,
/// checked against the C header PeakRDL made from the same file: every register's offset
/// and width (the C compiler's offsetof and sizeof on the header's structs) and every
/// field's position (the header's _bp and _bw macros). Nothing generated is committed.
@Suite struct MapImportOracleTests {
    static let rdl = E2E.packageRoot.appendingPathComponent("Tests/Fixtures/import/demo.rdl").path

    /// What the header says of one register.
    struct HeaderRegister: Equatable, CustomStringConvertible {
        let bar: Int
        let name: String
        let offset: UInt64
        let bytes: Int
        let fields: [String: ClosedRange<Int>]
        var description: String { "BAR \(bar) \(name) @0x\(String(offset, radix: 16)) \(bytes * 8)-bit \(fields.sorted { $0.key < $1.key })" }
    }

    @Test(arguments: ["2009", "2014"])
    func everyRegisterAndFieldAgreesWithTheCHeader(standard: String) throws {
        let dir = try makeTempDir("ipxact")
        defer { try? FileManager.default.removeItem(at: dir) }
        let xml = dir.appendingPathComponent("demo.xml").path
        let header = dir.appendingPathComponent("demo.h").path
        let python = try E2E.tool("python3")
        for arguments in [["ip-xact", Self.rdl, "--standard", standard, "-o", xml], ["c-header", Self.rdl, "-o", header]] {
            let made = try runProcess(python, ["-m", "peakrdl"] + arguments)
            guard made.status == 0 else { throw E2EFailure("peakrdl failed (Scripts/install-deps test installs it): \(made)") }
        }
        let json = dir.appendingPathComponent("demo.json").path
        let imported = try pcimmioOK(["map", "import", xml, "-o", json, "--device", "1234:5678"], sysfs: nil)
        #expect(imported.out.isEmpty)
        let map = try RegisterMapLoader.load(json)

        let expected = try Self.registers(header: header, in: dir)
        #expect(expected.count == 16, "\(expected)")
        let got = map.registers.map { register in
            HeaderRegister(bar: register.bar, name: register.name, offset: register.offset, bytes: register.width.bytes,
                           fields: Dictionary(uniqueKeysWithValues: register.fields.map { ($0.name, $0.low...$0.high) }))
        }
        #expect(got.sorted { ($0.bar, $0.offset) < ($1.bar, $1.offset) } == expected.sorted { ($0.bar, $0.offset) < ($1.bar, $1.offset) })
        // Two things the header cannot say, from the RDL file itself.
        #expect(map.register(named: "STATUS", bar: 0)?.access == .rc)  // ERR is rclr
        #expect(map.register(named: "STATUS", bar: 0)?.field("IRQ")?.access == .w1c)  // onwrite = woclr (issue 21 item 5)
        #expect(map.register(named: "CTRL", bar: 0)?.field("MODE")?.values.map(\.name) == ["IDLE", "RUN", "TEST"])
    }

    /// The header's registers: its structs walked to their integer members, whose offsets and
    /// sizes a C program built against it prints.
    static func registers(header: String, in dir: URL) throws -> [HeaderRegister] {
        let text = try String(contentsOfFile: header, encoding: .utf8)
        var fields: [String: [String: ClosedRange<Int>]] = [:]   // "dma_block::chan_t::SRC" -> fields
        var structs: [String: (owner: String, members: [(type: String, name: String, count: Int?)])] = [:]
        var comment = ""
        var current: (name: String?, owner: String, members: [(type: String, name: String, count: Int?)])?
        var bitPositions: [String: Int] = [:]
        for line in text.split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            if line.hasPrefix("// ") { comment = String(line.dropFirst(3)); continue }
            if line.hasPrefix("#define "), comment.hasPrefix("reg - ") {
                let parts = line.split(separator: " ")
                guard parts.count == 3, let number = Int(parts[2]) else { continue }
                let macro = String(parts[1])
                let field = String(macro.components(separatedBy: "__").last!.dropLast(3))
                let register = String(comment.dropFirst(6))
                if macro.hasSuffix("_bp") { bitPositions[register + "." + field] = number }
                if macro.hasSuffix("_bw"), let low = bitPositions[register + "." + field] {
                    fields[register, default: [:]][field] = low...(low + number - 1)
                }
                continue
            }
            if line.hasPrefix("typedef struct") {
                current = (nil, String(comment.split(separator: " - ").last ?? ""), [])
                continue
            }
            if line.hasPrefix("} "), current != nil {
                let name = String(line.dropFirst(2).dropLast())
                structs[name] = (current!.owner, current!.members)
                current = nil
                continue
            }
            if current != nil, line.hasSuffix(";") {
                let parts = line.dropLast().split(separator: " ")
                guard parts.count == 2 else { continue }
                var name = String(parts[1])
                var count: Int?
                if let bracket = name.firstIndex(of: "[") {
                    let inside = name[name.index(after: bracket)..<name.index(before: name.endIndex)]
                    count = inside.hasPrefix("0x") ? Int(inside.dropFirst(2), radix: 16) : Int(inside)
                    name = String(name[..<bracket])
                }
                if !name.hasPrefix("RESERVED") { current!.members.append((String(parts[0]), name, count)) }
            }
        }
        // The top structure is the one no other contains; its struct members are the blocks.
        let contained = Set(structs.values.flatMap { $0.members.map(\.type) })
        guard let top = structs.keys.first(where: { !contained.contains($0) }) else { throw E2EFailure("no top struct in \(header)") }
        var leaves: [(bar: Int, block: String, expression: String, name: String, register: String)] = []
        func walk(_ type: String, bar: Int, block: String, expression: String, name: String) {
            for member in structs[type]!.members {
                for index in member.count.map({ Array(0..<$0) }) ?? [-1] {
                    let expr = expression + member.name + (index >= 0 ? "[\(index)]" : "")
                    let flat = name + member.name + (index >= 0 ? "_\(index)" : "")
                    if structs[member.type] != nil {
                        walk(member.type, bar: bar, block: block, expression: expr + ".", name: flat + "_")
                    } else {
                        leaves.append((bar, block, expr, flat, structs[type]!.owner + "::" + member.name))
                    }
                }
            }
        }
        for (bar, block) in structs[top]!.members.enumerated() { walk(block.type, bar: bar, block: block.type, expression: "", name: "") }

        var program = "#include <stdio.h>\n#include <stddef.h>\n#include \"\(header)\"\nint main(void) {\n"
        for leaf in leaves {
            program += "    printf(\"%zu %zu\\n\", offsetof(\(leaf.block), \(leaf.expression)), sizeof(((\(leaf.block) *)0)->\(leaf.expression)));\n"
        }
        program += "    return 0;\n}\n"
        let source = dir.appendingPathComponent("layout.c").path
        let binary = dir.appendingPathComponent("layout").path
        try Data(program.utf8).write(to: URL(fileURLWithPath: source))
        let compiled = try runProcess(try E2E.tool("cc"), ["-o", binary, source])
        guard compiled.status == 0 else { throw E2EFailure("compiling the header's layout failed: \(compiled)") }
        let printed = try runProcess(binary, []).outLines
        guard printed.count == leaves.count else { throw E2EFailure("layout printed \(printed.count) lines for \(leaves.count) registers") }
        return zip(leaves, printed).map { leaf, line in
            let numbers = line.split(separator: " ").compactMap { UInt64($0) }
            return HeaderRegister(bar: leaf.bar, name: leaf.name, offset: numbers[0], bytes: Int(numbers[1]),
                                  fields: fields[leaf.register] ?? [:])
        }
    }
}
