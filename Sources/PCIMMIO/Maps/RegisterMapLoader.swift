import Glibc

/// Reads a JSON map file into a RegisterMap, collecting every mistake with its line:
/// unknown keys, bad numbers, misaligned offsets, overlapping registers, fields past the
/// width or overlapping each other, duplicate names, values too wide for their field.
///
/// It walks the file's JSONTape: keys are compared as bytes, numbers read from their bytes,
/// and Strings are made only of what the map keeps (names, descriptions).
public struct RegisterMapLoader {
    public let file: String
    private let tape: JSONTape
    private(set) var problems: [MapProblem] = []

    /// The map, or every problem found in it.
    public static func load(_ path: String) throws(MapProblems) -> RegisterMap {
        let (map, problems) = check(path)
        guard problems.isEmpty, let map else { throw MapProblems(problems: problems) }
        return map
    }

    /// `map check`: the map as far as it could be read, and all its problems.
    public static func check(_ path: String) -> (RegisterMap?, [MapProblem]) {
        let tape: JSONTape
        do throws(PCIMMIOError) {
            let bytes = try readWholeFile(path)
            do throws(JSONParser.Failure) {
                tape = try JSONParser.tape(bytes)
            } catch {
                return (nil, [MapProblem(file: path, line: error.line, message: "not valid JSON: \(error.message)")])
            }
        } catch {
            return (nil, [MapProblem(file: path, line: 0, message: error.description)])
        }
        let (contents, problems) = read(tape, file: path)
        // The file and its tape are gone by now: the map's indexes do not add to them.
        let map = contents.map { RegisterMap(file: path, name: $0.name, devices: $0.devices, registers: $0.registers, bases: $0.bases) }
        return (map, problems.sorted { $0.line < $1.line })
    }

    /// What a map file holds, read before the map is built from it.
    private struct Contents {
        var name: String?
        var devices: [RegisterMap.DeviceID]
        var registers: [RegisterDefinition]
        var bases: [Int: UInt64]
    }

    private static func read(_ tape: consuming JSONTape, file: String) -> (Contents?, [MapProblem]) {
        var loader = RegisterMapLoader(file: file, tape: tape)
        let contents = loader.contents(of: loader.tape.root)
        return (contents, loader.problems)
    }

    private init(file: String, tape: JSONTape) {
        self.file = file
        self.tape = tape
    }

    private static let accessSpellings = KeySpellings(RegisterAccess.allCases.map(\.rawValue))

    /// `"byteOrder"` of the map (the default for its registers).
    private var mapBigEndian = false
    /// Where the last register's or field's line was found: the next is a little further on.
    private var lineHint = 0

    private typealias Value = JSONTape.Value

    /// `"big"` or `"little"`; nil when absent (or wrong, which is reported).
    private mutating func byteOrder(_ node: Value?, of what: @autoclosure () -> String) -> Bool? {
        guard let node else { return nil }
        if tape.kind(node) == .string {
            if tape.isKey(node, "big") { return true }
            if tape.isKey(node, "little") { return false }
        }
        problem(node, "byteOrder of \(what()) must be \"big\" or \"little\"")
        return nil
    }

    private mutating func problem(_ node: Value, _ message: String) {
        problems.append(MapProblem(file: file, line: tape.line(node), message: message))
    }

    private mutating func contents(of root: Value) -> Contents? {
        guard tape.kind(root) == .object else { problem(root, "a map is a JSON object with \"devices\" and \"bars\""); return nil }
        let members: KnownMembers<MapKey> = known(root, in: "a map")
        var devices: [RegisterMap.DeviceID] = []
        if let list = members[.devices], tape.kind(list) == .array {
            for item in tape.items(list) {
                guard tape.kind(item) == .string, let text = tape.string(item), let id = Self.deviceID(text) else {
                    problem(item, "devices entries are \"vendor:device\" in hex, like \"1234:11e8\""); continue
                }
                devices.append(id)
            }
        } else {
            problem(root, "missing \"devices\": a list of \"vendor:device\" ids the map applies to")
        }
        var registers: [RegisterDefinition] = []
        var bases: [Int: UInt64] = [:]
        mapBigEndian = byteOrder(members[.byteOrder], of: "the map") ?? false
        if let bars = members[.bars], tape.kind(bars) == .object {
            for (keyNode, value) in tape.members(bars) {
                let key = tape.string(keyNode) ?? ""
                guard let bar = Int(key), (0...5).contains(bar), key.count == 1 else {
                    problem(value, "bars keys are \"0\" to \"5\", not \"\(key)\""); continue
                }
                // A BAR is its list of registers, or an object with that list and the base
                // address its offsets count from (kept from an SVD peripheral's baseAddress).
                var list = value
                if tape.kind(value) == .object {
                    let barMembers: KnownMembers<BARKey> = known(value, in: "BAR \(bar)")
                    if let baseNode = barMembers[.base], let base = number(baseNode, what: "base of BAR \(bar)") { bases[bar] = base }
                    guard let registersNode = barMembers[.registers] else { problem(value, "BAR \(bar) has no \"registers\" list"); continue }
                    list = registersNode
                }
                guard tape.kind(list) == .array else { problem(list, "bar \(bar) must be a list of registers, or {\"base\": ADDRESS, \"registers\": [...]}"); continue }
                var parsed: [RegisterDefinition] = []
                parsed.reserveCapacity(tape.count(of: list))
                for item in tape.items(list) {
                    if let register = register(item, bar: bar) { parsed.append(register) }
                }
                checkOverlaps(parsed)
                // Most maps have one BAR: its list becomes the map's, not a copy of it.
                if registers.isEmpty { registers = parsed } else { registers += parsed }
            }
        } else {
            problem(root, "missing \"bars\": an object from BAR number to a list of registers")
        }
        return Contents(name: string(members[.name]), devices: devices, registers: registers, bases: bases)
    }

    private mutating func register(_ node: Value, bar: Int) -> RegisterDefinition? {
        guard tape.kind(node) == .object else { problem(node, "a register is an object"); return nil }
        let line = tape.line(node, hint: &lineHint)
        let members: KnownMembers<RegisterKey> = known(node, in: "a register")
        guard let name = identifier(members[.name], owner: node, what: "register") else { return nil }
        let offsetNode = members[.offset]
        guard let offsetNode, let offset = number(offsetNode, what: "offset of \(name)") else {
            if offsetNode == nil { problem(node, "register \(name) has no \"offset\"") }
            return nil
        }
        var width = Width.w32
        if let widthNode = members[.width] {
            guard let bits = number(widthNode, what: "width of \(name)"), let parsed = Width(rawValue: Int(clamping: bits)) else {
                problem(widthNode, "width of \(name) must be 8, 16, 32 or 64"); return nil
            }
            width = parsed
        }
        if offset > UInt64.max - UInt64(width.bytes) {
            problem(offsetNode, "register \(name) at offset 0x\(String(offset, radix: 16)) runs past the end of any BAR"); return nil
        }
        if offset % UInt64(width.bytes) != 0 {
            problem(offsetNode, "register \(name) at offset 0x\(String(offset, radix: 16)) is not aligned to its \(width.bits)-bit width")
        }
        let access = self.access(members[.access], of: "register \(name)") ?? .rw
        var reset: UInt64?
        if let resetNode = members[.reset], let value = number(resetNode, what: "reset of \(name)") {
            if value & ~width.mask != 0 { problem(resetNode, "reset value 0x\(String(value, radix: 16)) of \(name) does not fit in \(width.bits) bits") }
            reset = value
        }
        var fields: [RegisterField] = []
        if let fieldsNode = members[.fields] {
            guard tape.kind(fieldsNode) == .array else { problem(fieldsNode, "fields of \(name) must be a list"); return nil }
            // Sized first: a map's hundreds of thousands of small lists are each one allocation.
            fields.reserveCapacity(tape.count(of: fieldsNode))
            for item in tape.items(fieldsNode) {
                if let field = field(item, register: name, width: width) { fields.append(field) }
            }
            checkFields(fields, register: name)
        }
        return RegisterDefinition(name: name, bar: bar, offset: offset, width: width, access: access, reset: reset,
                                  description: string(members[.description]), fields: fields, line: line,
                                  bigEndian: byteOrder(members[.byteOrder], of: "register \(name)") ?? mapBigEndian)
    }

    private mutating func field(_ node: Value, register: String, width: Width) -> RegisterField? {
        guard tape.kind(node) == .object else { problem(node, "a field of \(register) is an object"); return nil }
        let line = tape.line(node, hint: &lineHint)
        let members: KnownMembers<FieldKey> = known(node, in: "a field")
        guard let name = identifier(members[.name], owner: node, what: "field of \(register)") else { return nil }
        let bitsNode = members[.bits]
        guard let bitsNode, let (high, low) = bits(bitsNode) else {
            problem(bitsNode ?? node, "field \(register).\(name) needs \"bits\": \"HIGH:LOW\" or one bit number"); return nil
        }
        if high >= width.bits {
            problem(bitsNode, "field \(register).\(name) bits \(high):\(low) go past the register's \(width.bits) bits"); return nil
        }
        let access = access(members[.access], of: "field \(register).\(name)")
        let description = string(members[.description])
        // Its bits' count and largest value, for the named values.
        let shape = RegisterField(name: name, low: low, high: high)
        var values: [RegisterField.NamedValue] = []
        if let valuesNode = members[.values] {
            guard tape.kind(valuesNode) == .object else {
                problem(valuesNode, "values of \(register).\(name) map names to numbers")
                return RegisterField(name: name, low: low, high: high, access: access, description: description, line: line)
            }
            // Value tables are short, but an import may bring hundreds: those get a set.
            var seen: Set<UInt64> = []
            values.reserveCapacity(tape.count(of: valuesNode))
            for (nameNode, valueNode) in tape.members(valuesNode) {
                let valueName = tape.string(nameNode) ?? ""
                guard let value = number(valueNode, what: "value \(valueName) of \(register).\(name)") else { continue }
                if value > shape.largest {
                    problem(valueNode, "value \(valueName)=\(value) does not fit field \(register).\(name) (\(shape.bitCount) bit\(shape.bitCount == 1 ? "" : "s"), largest \(shape.largest))")
                }
                let named: Bool
                if values.count < 16 {
                    named = values.contains { $0.value == value }
                } else {
                    if seen.isEmpty { seen = Set(values.map(\.value)) }
                    named = !seen.insert(value).inserted
                }
                if named { problem(valueNode, "value \(value) of \(register).\(name) is named twice") }
                values.append(.init(name: valueName, value: value))
            }
        }
        return RegisterField(name: name, low: low, high: high, access: access, description: description, values: values, line: line)
    }

    private mutating func checkOverlaps(_ registers: [RegisterDefinition]) {
        for finding in RegisterMapChecks.registerConflicts(registers) {
            problems.append(MapProblem(file: file, line: finding.line, message: finding.message))
        }
    }

    private mutating func checkFields(_ fields: [RegisterField], register: String) {
        for finding in RegisterMapChecks.fieldConflicts(fields, register: register) {
            problems.append(MapProblem(file: file, line: finding.line, message: finding.message))
        }
    }

    /// The members of `object` by key; any key its kind does not allow is reported.
    private mutating func known<Key>(_ object: Value, in what: @autoclosure () -> String) -> KnownMembers<Key> {
        var unknown: [(key: Value, value: Value)] = []
        let members = KnownMembers<Key>(object, in: tape) { unknown.append(($0, $1)) }
        for (key, value) in unknown {
            let names = Key.spellings.texts.sorted().joined(separator: ", ")
            problem(value, "unknown key \"\(tape.string(key) ?? "")\" in \(what()) (allowed: \(names))")
        }
        return members
    }

    private mutating func identifier(_ node: Value?, owner: Value, what: @autoclosure () -> String) -> String? {
        guard let node, tape.kind(node) == .string, let name = tape.string(node) else { problem(owner, "a \(what()) needs a \"name\""); return nil }
        let ascii = tape.withUTF8(node) { Self.isASCIIIdentifier($0) } ?? nil
        guard ascii ?? Self.isIdentifier(name) else {
            problem(node, "\(what()) name '\(name)' must be letters, digits and _ (it is used on the command line)"); return nil
        }
        return name
    }

    /// Letters, digits and `_`, not starting with a digit. ASCII names (nearly all) are checked
    /// byte by byte: Character's properties cost more than the rest of loading a register.
    public static func isIdentifier(_ name: String) -> Bool {
        if let ascii = isASCIIIdentifier(name.utf8) { return ascii }
        guard let head = name.first, head.isLetter || head == "_" else { return false }
        return name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
    }

    /// `isIdentifier` of a name's UTF-8 bytes, as far as bytes tell: nil when it comes to one
    /// past ASCII before deciding.
    static func isASCIIIdentifier<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> Bool? {
        var first = true
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "_"): break
            case UInt8(ascii: "0")...UInt8(ascii: "9") where !first: break
            case 0x80...: return nil
            default: return false
            }
            first = false
        }
        return !first
    }

    // `what` only names the thing in a message: built when there is one, not for each of a
    // map's hundreds of thousands of numbers.
    private mutating func number(_ node: Value, what: @autoclosure () -> String) -> UInt64? {
        guard let parsed = tape.withUTF8(node, { NumberParser.value(utf8: $0) }) else {
            problem(node, "\(what()) must be a number or a \"0x…\" string"); return nil
        }
        guard let value = parsed else {
            problem(node, "\(what()) '\(tape.string(node) ?? "")' is not a number (decimal, 0x hex or 0b binary)"); return nil
        }
        return value
    }

    private mutating func access(_ node: Value?, of what: @autoclosure () -> String) -> RegisterAccess? {
        guard let node else { return nil }
        if tape.kind(node) == .string {
            if let position = tape.position(of: node, in: Self.accessSpellings) { return RegisterAccess.allCases[position] }
        }
        problem(node, "access of \(what()) must be one of \(RegisterAccess.spelled)")
        return nil
    }

    private func string(_ node: Value?) -> String? {
        guard let node, tape.kind(node) == .string else { return nil }
        return tape.string(node)
    }

    /// `"HIGH:LOW"` or one bit number.
    private func bits(_ node: Value) -> (Int, Int)? {
        tape.withUTF8(node, Self.bits) ?? nil
    }

    private static func bits(_ text: UnsafeBufferPointer<UInt8>) -> (Int, Int)? {
        var beforeColon: Int?
        var current: Int?
        for byte in text {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                current = (current ?? 0) * 10 + Int(byte - UInt8(ascii: "0"))
                guard current! < 1 << 16 else { return nil }
            case UInt8(ascii: ":"):
                guard let value = current, beforeColon == nil else { return nil }
                beforeColon = value
                current = nil
            default: return nil
            }
        }
        guard let low = current else { return nil }
        let high = beforeColon ?? low
        guard high >= low else { return nil }
        return (high, low)
    }

    public static func deviceID(_ text: String) -> RegisterMap.DeviceID? {
        let parts = text.split(separator: ":")
        guard parts.count == 2, parts.allSatisfy({ $0.count == 4 }),
              let vendor = UInt16(parts[0], radix: 16), let device = UInt16(parts[1], radix: 16) else { return nil }
        return .init(vendor: vendor, device: device)
    }
}

/// Every problem of a map that could not be used.
public struct MapProblems: Error {
    public let problems: [MapProblem]
}
