/// What an OFFSET argument names: a number, or a register of the device's map.
public enum RegisterReference: Sendable, Equatable {
    case offset(UInt64)
    case named(String)

    /// As typed: the name, or the offset in hex.
    public var text: String {
        switch self {
        case let .offset(offset): return "0x" + String(offset, radix: 16)
        case let .named(name): return name
        }
    }

    /// `REGISTER.FIELD` names one field of a register (peek reads the register and shows the field).
    public init(parsing text: String) throws(PCIMMIOError) {
        if let first = text.first, first.isLetter || first == "_", !text.lowercased().hasPrefix("0x"),
           text.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." }),
           text.split(separator: ".", omittingEmptySubsequences: false).count <= 2, !text.hasSuffix(".") {
            self = .named(text)
        } else {
            self = .offset(try NumberParser.quantity(text))
        }
    }
}

/// `REGISTER.FIELD=VALUE`: a field write (poke) or a field condition (wait --until).
public struct FieldAssignment: Sendable, Equatable {
    public let register: String
    public let field: String
    /// A number, or one of the field's named values.
    public let value: String

    public init(parsing text: String) throws(PCIMMIOError) {
        guard let equals = text.firstIndex(of: "="), let dot = text[..<equals].firstIndex(of: ".") else {
            throw .usage("'\(text)' is not a field assignment (expected REGISTER.FIELD=VALUE, e.g. CTRL.ENABLE=1)")
        }
        register = String(text[..<dot])
        field = String(text[text.index(after: dot)..<equals])
        value = String(text[text.index(after: equals)...])
        guard !register.isEmpty, !field.isEmpty, !value.isEmpty else {
            throw .usage("'\(text)' is not a field assignment (expected REGISTER.FIELD=VALUE, e.g. CTRL.ENABLE=1)")
        }
    }

    public static func looksLikeOne(_ text: String) -> Bool { text.contains("=") }
}

/// Several field assignments of one register, combined into one mask and value.
public struct FieldUpdate: Sendable, Equatable {
    public let register: RegisterDefinition
    public let mask: UInt64
    public let value: UInt64

    public init(_ assignments: [FieldAssignment], in map: RegisterMap, bar: Int, forWriting: Bool) throws(PCIMMIOError) {
        let names = Set(assignments.map(\.register))
        guard names.count == 1, let name = names.first else {
            throw .usage("fields of one register per command (got \(names.sorted().joined(separator: ", ")))")
        }
        guard let register = map.register(named: name, bar: bar) else { throw Self.unknownRegister(name, map: map, bar: bar) }
        var mask: UInt64 = 0
        var value: UInt64 = 0
        for assignment in assignments {
            guard let field = register.field(assignment.field) else {
                throw .usage("register \(name) has no field \(assignment.field) (fields: \(register.fields.map(\.name).joined(separator: ", ")))")
            }
            if forWriting, let access = field.access ?? Optional(register.access), !access.writable {
                throw .usage("field \(name).\(field.name) is \(access.rawValue): it cannot be written")
            }
            let number: UInt64
            // Value names as people type them: `on` is ON.
            if let named = field.values.first(where: { $0.name.lowercased() == assignment.value.lowercased() }) {
                number = named.value
            } else if let parsed = try? NumberParser.value(assignment.value, what: "value of \(name).\(field.name)") {
                number = parsed
            } else if !field.values.isEmpty {
                throw .usage("\(name).\(field.name)=\(assignment.value): not a value of the field (\(field.values.map(\.name).joined(separator: ", ")), or a number up to \(field.largest))")
            } else {
                number = try NumberParser.value(assignment.value, what: "value of \(name).\(field.name)")
            }
            guard number <= field.largest else {
                throw .usage("\(name).\(field.name)=\(assignment.value) does not fit the field's \(field.bitCount) bit\(field.bitCount == 1 ? "" : "s") (largest \(field.largest))")
            }
            guard mask & field.mask == 0 else { throw .usage("field \(name).\(field.name) is given twice") }
            mask |= field.mask
            value |= number << UInt64(field.low)
        }
        self.register = register
        self.mask = mask
        self.value = value
    }

    static func unknownRegister(_ name: String, map: RegisterMap, bar: Int) -> PCIMMIOError {
        let known = map.registers.filter { $0.bar == bar }.map(\.name)
        // A map exported from a chip's description lists thousands: name the first few.
        let shown = known.prefix(20).joined(separator: ", ") + (known.count > 20 ? ", … \(known.count - 20) more" : "")
        return .usage("no register \(name) in BAR \(bar) of map \(map.file)" + (known.isEmpty ? " (it describes no registers in BAR \(bar))" : " (registers: \(shown))"))
    }
}
