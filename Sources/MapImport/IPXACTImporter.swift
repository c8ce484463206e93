import PCIMMIO

/// IP-XACT (IEEE 1685-2009 `spirit:` and 1685-2014 `ipxact:`) component to blocks of
/// registers: every `memoryMap`'s `addressBlock`s in order, `registerFile`s flattened with
/// their offsets (names joined with `_`), `dim` arrays expanded (`NAME_0`, `NAME_1`, …; a
/// register array's stride is its size, a register file array's its `range`).
struct IPXACTImporter {
    private(set) var document = ImportedDocument()
    /// Bytes per address unit (`addressUnitBits` / 8) of the memory map being read.
    private var unitBytes: UInt64 = 1

    static func read(_ root: XMLElement) -> ImportedDocument {
        var importer = IPXACTImporter()
        importer.document.name = root.value("name")
        for memoryMap in root.child("memoryMaps")?.children("memoryMap") ?? [] {
            importer.unitBytes = 1
            if let unitsText = memoryMap.value("addressUnitBits") {
                guard let bits = ImportNumber.parse(unitsText, hash: .hex), bits >= 8, bits % 8 == 0 else {
                    importer.document.problem(memoryMap, "addressUnitBits \(unitsText) is not a whole number of bytes", dropping: "memory map \(memoryMap.value("name") ?? "")")
                    continue
                }
                importer.unitBytes = bits / 8
            }
            for block in memoryMap.children("addressBlock") { importer.block(block) }
        }
        if importer.document.blocks.isEmpty && importer.document.problems.isEmpty {
            importer.document.problem(root, "no memoryMaps/memoryMap/addressBlock with registers in this component", dropping: "nothing")
        }
        return importer.document
    }

    private mutating func block(_ element: XMLElement) {
        let name = element.value("name") ?? "block\(document.blocks.count)"
        let base = element.value("baseAddress").flatMap { number($0, element) }.flatMap { document.product($0, unitBytes, element, "the base address of \(name)") }
        var registers: [RegisterDefinition] = []
        contents(of: element, offset: 0, prefix: "", into: &registers)
        document.blocks.append(ImportedBlock(name: name, line: element.line, base: base, registers: registers))
    }

    /// Registers and register files in document order, at `offset` bytes into the block.
    /// `copies`: how many times enclosing register file arrays repeat this container, so an
    /// array's registers are counted, against the import's limit, before any is made.
    private mutating func contents(of container: XMLElement, offset: UInt64, prefix: String, copies: Int = 1,
                                   into registers: inout [RegisterDefinition]) {
        for child in container.children {
            switch child.name {
            case "register": register(child, offset: offset, prefix: prefix, copies: copies, into: &registers)
            case "registerFile": registerFile(child, offset: offset, prefix: prefix, copies: copies, into: &registers)
            default: break
            }
        }
    }

    private mutating func registerFile(_ element: XMLElement, offset: UInt64, prefix: String, copies: Int,
                                       into registers: inout [RegisterDefinition]) {
        let name = prefix + (element.value("name") ?? "")
        guard let start = offsetOf(element, name: name) else { return }
        let dims = dimensions(element, name: name)
        guard let dims else { return }
        var stride: UInt64 = 0
        if dims.count > 0 {
            guard let rangeText = element.value("range"), let range = number(rangeText, element) else {
                document.problem(element, "register file array \(name) has no range to step by", dropping: "register file \(name)"); return
            }
            guard let bytes = document.product(range, unitBytes, element, "the range of \(name)") else { return }
            stride = bytes
        }
        guard let first = document.sum(offset, start, element, "register file \(name)") else { return }
        for (index, suffix) in elements(dims).enumerated() {
            guard document.registerCount < ImportedDocument.mostRegisters else { return }
            guard let step = document.product(UInt64(index), stride, element, "register file \(name)\(suffix)"),
                  let at = document.sum(first, step, element, "register file \(name)\(suffix)") else { return }
            let (repeated, tooMany) = copies.multipliedReportingOverflow(by: dims.reduce(1, *))
            contents(of: element, offset: at, prefix: name + suffix + "_", copies: tooMany ? .max : repeated, into: &registers)
        }
    }

    private mutating func register(_ element: XMLElement, offset: UInt64, prefix: String, copies: Int,
                                   into registers: inout [RegisterDefinition]) {
        let name = prefix + (element.value("name") ?? "")
        guard let start = offsetOf(element, name: name) else { return }
        guard let sizeText = element.value("size") else {
            document.problem(element, "register \(name) has no size", dropping: "register \(name)"); return
        }
        guard let bits = number(sizeText, element, dropping: "register \(name)") else { return }
        guard let width = Width(rawValue: Int(clamping: bits)) else {
            document.problem(element, "register \(name) is \(bits) bits wide: pcimmio registers are 8, 16, 32 or 64 bits", dropping: "register \(name)"); return
        }
        var declared: RegisterAccess?
        if let accessText = element.value("access") {
            guard let access = ImportedAccess.parse(accessText) else {
                document.problem(element, "access '\(accessText)' of register \(name) is not one pcimmio can represent (\(ImportedAccess.known))", dropping: "register \(name)"); return
            }
            declared = access
        }
        var fields: [RegisterField] = []
        var fieldResets: [(UInt64, RegisterField)] = []
        var everyFieldReset = true
        for fieldElement in element.children("field") {
            guard let (field, reset) = field(fieldElement, register: name, width: width, registerAccess: declared) else { continue }
            fields.append(field)
            if let reset { fieldResets.append((reset, field)) } else { everyFieldReset = false }
        }
        // 2009 gives the reset per register, 2014 per field: a register's reset is known
        // only when every field's is.
        var reset: UInt64?
        if let resetText = element.child("reset")?.value("value") {
            reset = number(resetText, element)
        } else if everyFieldReset && !fieldResets.isEmpty {
            reset = fieldResets.reduce(0) { $0 | ($1.0 << UInt64($1.1.low)) }
        }
        if let value = reset, value & ~width.mask != 0 {
            document.problem(element, "reset value 0x\(String(value, radix: 16)) of \(name) does not fit in \(width.bits) bits", dropping: "the reset value of \(name)")
            reset = nil
        }
        let access = ImportedAccess.ofRegister(declared: declared, fields: fields)
        let description = element.value("description")?.collapsingWhitespace()
        guard let dims = dimensions(element, name: name),
              document.room(for: copies.multipliedReportingOverflow(by: dims.reduce(1, *)).overflow ? .max : copies * dims.reduce(1, *),
                            element, "register \(name)"),
              let first = document.sum(offset, start, element, "register \(name)") else { return }
        for (index, suffix) in elements(dims).enumerated() {
            guard let at = document.sum(first, UInt64(index * width.bytes), element, "register \(name)\(suffix)") else { return }
            document.registerCount += 1
            registers.append(RegisterDefinition(name: name + suffix, bar: 0, offset: at,
                                                width: width, access: access, reset: reset, description: description,
                                                fields: fields, line: element.line))
        }
    }

    private mutating func field(_ element: XMLElement, register: String, width: Width,
                                registerAccess: RegisterAccess?) -> (RegisterField, UInt64?)? {
        let name = element.value("name") ?? ""
        let what = "field \(register).\(name)"
        guard let offsetText = element.value("bitOffset"), let widthText = element.value("bitWidth") else {
            document.problem(element, "\(what) needs bitOffset and bitWidth", dropping: what); return nil
        }
        guard let low = number(offsetText, element, dropping: what), let bitWidth = number(widthText, element, dropping: what) else { return nil }
        guard bitWidth > 0 else { document.problem(element, "\(what) is 0 bits wide", dropping: what); return nil }
        guard low < UInt64(width.bits), bitWidth <= UInt64(width.bits) - low else {
            document.problem(element, "\(what) (bitOffset \(low), bitWidth \(bitWidth)) goes past the register's \(width.bits) bits", dropping: what); return nil
        }
        var access: RegisterAccess?
        if let accessText = element.value("access") {
            guard let parsed = ImportedAccess.parse(accessText) else {
                document.problem(element, "access '\(accessText)' of \(what) is not one pcimmio can represent (\(ImportedAccess.known))", dropping: what); return nil
            }
            access = parsed
        }
        // clear, set and modify: reading the field changes it.
        access = ImportedAccess.withModifiedWrite(access, element.value("modifiedWriteValue"))
        if let readAction = element.value("readAction"), !readAction.isEmpty { access = .rc }
        var notes: [String] = []
        if let modified = element.value("modifiedWriteValue"), ImportedAccess.modifiedWrite(modified) == nil || access == .rc {
            notes.append("write: \(modified)")
        }
        let description = ([element.value("description")?.collapsingWhitespace()].compactMap { $0 } + notes).joined(separator: "; ")
        let field = RegisterField(name: name, low: Int(low), high: Int(low + bitWidth - 1), access: access,
                                  description: description.isEmpty ? nil : description,
                                  values: enumeratedValues(element, field: what, bits: Int(bitWidth)), line: element.line)
        let reset = element.child("resets")?.child("reset")?.value("value").flatMap { number($0, element) }
        return (field, reset)
    }

    private mutating func enumeratedValues(_ element: XMLElement, field: String, bits: Int) -> [RegisterField.NamedValue] {
        var values: [RegisterField.NamedValue] = []
        let largest: UInt64 = bits >= 64 ? .max : (1 << UInt64(bits)) - 1
        for set in element.children("enumeratedValues") {
            for entry in set.children("enumeratedValue") {
                guard let name = entry.value("name"), let valueText = entry.value("value"), let value = number(valueText, entry) else {
                    document.problem(entry, "enumerated value of \(field) needs a name and a number", dropping: "that value"); continue
                }
                guard value <= largest else {
                    document.problem(entry, "value \(name)=\(value) does not fit \(field) (\(bits) bits)", dropping: "value \(name) of \(field)"); continue
                }
                // A write set may repeat a read set's values: the first name stays.
                if !values.contains(where: { $0.value == value || $0.name == name }) { values.append(.init(name: name, value: value)) }
            }
        }
        return values
    }

    private mutating func offsetOf(_ element: XMLElement, name: String) -> UInt64? {
        guard let text = element.value("addressOffset") else {
            document.problem(element, "\(element.name) \(name) has no addressOffset", dropping: "\(element.name) \(name)"); return nil
        }
        return number(text, element, dropping: "\(element.name) \(name)").flatMap { document.product($0, unitBytes, element, "the offset of \(element.name) \(name)") }
    }

    /// The counts of its `dim` elements (empty: not an array); nil after a problem.
    private mutating func dimensions(_ element: XMLElement, name: String) -> [Int]? {
        var dims: [Int] = []
        var product = 1
        for dim in element.children("dim") {
            guard let count = number(dim.text, dim), count > 0, count <= 1 << 20 else {
                document.problem(dim, "dim '\(dim.text)' of \(name) is not a count", dropping: "\(element.name) \(name)"); return nil
            }
            // Checked before the names are made: two dims of 2^20 would be 2^40 of them.
            product *= Int(count)
            guard product <= ImportedDocument.mostRegisters else {
                document.problem(dim, "the dims of \(name) make more than \(ImportedDocument.mostRegisters) elements", dropping: "\(element.name) \(name)"); return nil
            }
            dims.append(Int(count))
        }
        return dims
    }

    /// Name suffixes of every element of an array, last index fastest: `_0_0`, `_0_1`, …
    private func elements(_ dims: [Int]) -> [String] {
        dims.reduce([""]) { prefixes, count in prefixes.flatMap { prefix in (0..<count).map { prefix + "_\($0)" } } }
    }

    private mutating func number(_ text: String, _ element: XMLElement, dropping dropped: String = "what it belongs to") -> UInt64? {
        guard let value = ImportNumber.parse(text, hash: .hex) else {
            document.problem(element, "'\(text)' in \(element.name) is not a number pcimmio can read (expressions and parameters are not evaluated)", dropping: dropped)
            return nil
        }
        return value
    }
}
