import Glibc

/// Reads a JSON map file into a RegisterMap, collecting every mistake with its line:
/// unknown keys, bad numbers, misaligned offsets, overlapping registers, fields past the
/// width or overlapping each other, duplicate names, values too wide for their field.
public struct RegisterMapLoader {
    public let file: String
    private(set) var problems: [MapProblem] = []

    /// The map, or every problem found in it.
    public static func load(_ path: String) throws(MapProblems) -> RegisterMap {
        let (map, problems) = check(path)
        guard problems.isEmpty, let map else { throw MapProblems(problems: problems) }
        return map
    }

    /// `map check`: the map as far as it could be read, and all its problems.
    public static func check(_ path: String) -> (RegisterMap?, [MapProblem]) {
        var loader = RegisterMapLoader(file: path)
        let bytes: [UInt8]
        do throws(PCIMMIOError) {
            bytes = try readWholeFile(path)
        } catch {
            return (nil, [MapProblem(file: path, line: 0, message: error.description)])
        }
        let root: JSONNode
        do throws(JSONParser.Failure) {
            root = try JSONParser.parse(bytes)
        } catch {
            return (nil, [MapProblem(file: path, line: error.line, message: "not valid JSON: \(error.message)")])
        }
        let map = loader.map(root)
        return (map, loader.problems.sorted { $0.line < $1.line })
    }

    private init(file: String) { self.file = file }

    // Built once: a map has hundreds of thousands of objects to check against them.
    private static let mapKeys: Set<String> = ["name", "description", "devices", "bars", "byteOrder"]
    private static let barKeys: Set<String> = ["base", "registers"]
    private static let registerKeys: Set<String> = ["name", "offset", "width", "access", "reset", "description", "fields", "byteOrder"]
    private static let fieldKeys: Set<String> = ["name", "bits", "access", "description", "values"]

    /// `"byteOrder"` of the map (the default for its registers).
    private var mapBigEndian = false

    /// `"big"` or `"little"`; nil when absent (or wrong, which is reported).
    private mutating func byteOrder(_ node: JSONNode?, of what: String) -> Bool? {
        guard let node else { return nil }
        guard case let .string(text, _) = node, text == "big" || text == "little" else {
            problem(node, "byteOrder of \(what) must be \"big\" or \"little\""); return nil
        }
        return text == "big"
    }

    private mutating func problem(_ node: JSONNode, _ message: String) {
        problems.append(MapProblem(file: file, line: node.line, message: message))
    }

    private mutating func map(_ root: JSONNode) -> RegisterMap? {
        guard case let .object(members, _) = root else { problem(root, "a map is a JSON object with \"devices\" and \"bars\""); return nil }
        unknownKeys(members, allowed: Self.mapKeys, in: "a map")
        var devices: [RegisterMap.DeviceID] = []
        if case let .array(items, _)? = root["devices"] {
            for item in items {
                guard case let .string(text, _) = item, let id = Self.deviceID(text) else {
                    problem(item, "devices entries are \"vendor:device\" in hex, like \"1234:11e8\""); continue
                }
                devices.append(id)
            }
        } else {
            problem(root, "missing \"devices\": a list of \"vendor:device\" ids the map applies to")
        }
        var registers: [RegisterDefinition] = []
        var bases: [Int: UInt64] = [:]
        mapBigEndian = byteOrder(root["byteOrder"], of: "the map") ?? false
        if case let .object(bars, _)? = root["bars"] {
            for (key, value) in bars {
                guard let bar = Int(key), (0...5).contains(bar), key.count == 1 else {
                    problem(value, "bars keys are \"0\" to \"5\", not \"\(key)\""); continue
                }
                // A BAR is its list of registers, or an object with that list and the base
                // address its offsets count from (kept from an SVD peripheral's baseAddress).
                var list = value
                if case let .object(members, _) = value {
                    unknownKeys(members, allowed: Self.barKeys, in: "BAR \(bar)")
                    if let baseNode = value["base"], let base = number(baseNode, what: "base of BAR \(bar)") { bases[bar] = base }
                    guard let registersNode = value["registers"] else { problem(value, "BAR \(bar) has no \"registers\" list"); continue }
                    list = registersNode
                }
                guard case let .array(items, _) = list else { problem(list, "bar \(bar) must be a list of registers, or {\"base\": ADDRESS, \"registers\": [...]}"); continue }
                let parsed = items.compactMap { register($0, bar: bar) }
                checkOverlaps(parsed)
                registers += parsed
            }
        } else {
            problem(root, "missing \"bars\": an object from BAR number to a list of registers")
        }
        return RegisterMap(file: file, name: string(root["name"]), devices: devices, registers: registers, bases: bases)
    }

    private mutating func register(_ node: JSONNode, bar: Int) -> RegisterDefinition? {
        guard case let .object(members, line) = node else { problem(node, "a register is an object"); return nil }
        unknownKeys(members, allowed: Self.registerKeys, in: "a register")
        guard let name = identifier(node["name"], owner: node, what: "register") else { return nil }
        guard let offsetNode = node["offset"], let offset = number(offsetNode, what: "offset of \(name)") else {
            if node["offset"] == nil { problem(node, "register \(name) has no \"offset\"") }
            return nil
        }
        var width = Width.w32
        if let widthNode = node["width"] {
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
        let access = self.access(node["access"], of: "register \(name)") ?? .rw
        var reset: UInt64?
        if let resetNode = node["reset"], let value = number(resetNode, what: "reset of \(name)") {
            if value & ~width.mask != 0 { problem(resetNode, "reset value 0x\(String(value, radix: 16)) of \(name) does not fit in \(width.bits) bits") }
            reset = value
        }
        var fields: [RegisterField] = []
        if let fieldsNode = node["fields"] {
            guard case let .array(items, _) = fieldsNode else { problem(fieldsNode, "fields of \(name) must be a list"); return nil }
            fields = items.compactMap { field($0, register: name, width: width) }
            checkFields(fields, register: name)
        }
        return RegisterDefinition(name: name, bar: bar, offset: offset, width: width, access: access, reset: reset,
                                  description: string(node["description"]), fields: fields, line: line,
                                  bigEndian: byteOrder(node["byteOrder"], of: "register \(name)") ?? mapBigEndian)
    }

    private mutating func field(_ node: JSONNode, register: String, width: Width) -> RegisterField? {
        guard case let .object(members, line) = node else { problem(node, "a field of \(register) is an object"); return nil }
        unknownKeys(members, allowed: Self.fieldKeys, in: "a field")
        guard let name = identifier(node["name"], owner: node, what: "field of \(register)") else { return nil }
        guard let bitsNode = node["bits"], let (high, low) = bits(bitsNode) else {
            problem(node["bits"] ?? node, "field \(register).\(name) needs \"bits\": \"HIGH:LOW\" or one bit number"); return nil
        }
        if high >= width.bits {
            problem(bitsNode, "field \(register).\(name) bits \(high):\(low) go past the register's \(width.bits) bits"); return nil
        }
        let field = RegisterField(name: name, low: low, high: high, access: access(node["access"], of: "field \(register).\(name)"),
                                  description: string(node["description"]), values: [], line: line)
        var values: [RegisterField.NamedValue] = []
        if let valuesNode = node["values"] {
            guard case let .object(pairs, _) = valuesNode else { problem(valuesNode, "values of \(register).\(name) map names to numbers"); return field }
            var seen: Set<UInt64> = []
            for (valueName, valueNode) in pairs {
                guard let value = number(valueNode, what: "value \(valueName) of \(register).\(name)") else { continue }
                if value > field.largest {
                    problem(valueNode, "value \(valueName)=\(value) does not fit field \(register).\(name) (\(field.bitCount) bit\(field.bitCount == 1 ? "" : "s"), largest \(field.largest))")
                }
                if !seen.insert(value).inserted { problem(valueNode, "value \(value) of \(register).\(name) is named twice") }
                values.append(.init(name: valueName, value: value))
            }
        }
        return RegisterField(name: name, low: low, high: high, access: field.access, description: field.description,
                             values: values, line: line)
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

    private mutating func unknownKeys(_ members: [(key: String, value: JSONNode)], allowed: Set<String>, in what: @autoclosure () -> String) {
        for (key, value) in members where !allowed.contains(key) {
            problem(value, "unknown key \"\(key)\" in \(what()) (allowed: \(allowed.sorted().joined(separator: ", ")))")
        }
    }

    private mutating func identifier(_ node: JSONNode?, owner: JSONNode, what: @autoclosure () -> String) -> String? {
        guard case let .string(name, _)? = node else { problem(owner, "a \(what()) needs a \"name\""); return nil }
        guard Self.isIdentifier(name) else {
            problem(node!, "\(what()) name '\(name)' must be letters, digits and _ (it is used on the command line)"); return nil
        }
        return name
    }

    /// Letters, digits and `_`, not starting with a digit. ASCII names (nearly all) are checked
    /// byte by byte: Character's properties cost more than the rest of loading a register.
    public static func isIdentifier(_ name: String) -> Bool {
        var utf8 = name.utf8.makeIterator()
        var first = true
        while let byte = utf8.next() {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "_"): break
            case UInt8(ascii: "0")...UInt8(ascii: "9") where !first: break
            case 0x80...:
                guard let head = name.first, head.isLetter || head == "_" else { return false }
                return name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
            default: return false
            }
            first = false
        }
        return !first
    }

    // `what` only names the thing in a message: built when there is one, not for each of a
    // map's hundreds of thousands of numbers.
    private mutating func number(_ node: JSONNode, what: @autoclosure () -> String) -> UInt64? {
        let text: String
        switch node {
        case let .number(value, _), let .string(value, _): text = value
        default: problem(node, "\(what()) must be a number or a \"0x…\" string"); return nil
        }
        guard let value = try? NumberParser.value(text) else {
            problem(node, "\(what()) '\(text)' is not a number (decimal, 0x hex or 0b binary)"); return nil
        }
        return value
    }

    private mutating func access(_ node: JSONNode?, of what: @autoclosure () -> String) -> RegisterAccess? {
        guard let node else { return nil }
        guard case let .string(text, _) = node, let access = RegisterAccess(rawValue: text) else {
            problem(node, "access of \(what()) must be rw, ro, wo or rc"); return nil
        }
        return access
    }

    private func string(_ node: JSONNode?) -> String? {
        if case let .string(text, _)? = node { return text }
        return nil
    }

    /// `"HIGH:LOW"` or one bit number.
    private mutating func bits(_ node: JSONNode) -> (Int, Int)? {
        let text: String
        switch node {
        case let .number(value, _), let .string(value, _): text = value
        default: return nil
        }
        var numbers: [Int] = []
        var current: Int?
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                current = (current ?? 0) * 10 + Int(byte - UInt8(ascii: "0"))
                guard current! < 1 << 16 else { return nil }
            case UInt8(ascii: ":"):
                guard let value = current, numbers.isEmpty else { return nil }
                numbers.append(value)
                current = nil
            default: return nil
            }
        }
        guard let low = current else { return nil }
        let high = numbers.first ?? low
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
