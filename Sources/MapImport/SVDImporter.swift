import PCIMMIO

/// CMSIS-SVD device to blocks of registers: one block per `peripheral` (keeping its
/// `baseAddress`), clusters flattened with their offsets (names joined with `_`), `dim`
/// arrays expanded with `dimIncrement` and `dimIndex` (`%s` in a name is replaced by the
/// index; `NAME[%s]` becomes `NAME_0`, `NAME_1`, …), `derivedFrom` copied and overridden,
/// `size`, `access` and `resetValue`/`resetMask` inherited from device to peripheral to
/// cluster to register.
struct SVDImporter {
    private(set) var document = ImportedDocument()
    private var peripherals: [String: XMLElement] = [:]

    /// The properties a level passes down to the registers inside it.
    private struct Defaults {
        var size: UInt64?
        var access: RegisterAccess?
        var resetValue: UInt64?
        var resetMask: UInt64?
    }

    static func read(_ root: XMLElement) -> ImportedDocument {
        var importer = SVDImporter()
        importer.document.name = root.value("name")
        let list = root.child("peripherals")?.children("peripheral") ?? []
        for peripheral in list { if let name = peripheral.value("name") { importer.peripherals[name] = peripheral } }
        let defaults = importer.defaults(root, inherited: Defaults())
        for peripheral in list { importer.peripheral(peripheral, defaults: defaults) }
        if importer.document.blocks.isEmpty && importer.document.problems.isEmpty {
            importer.document.problem(root, "no peripherals/peripheral in this device", dropping: "nothing")
        }
        return importer.document
    }

    private mutating func peripheral(_ declared: XMLElement, defaults inherited: Defaults) {
        let name = declared.value("name") ?? "peripheral\(document.blocks.count)"
        var element = declared
        if let baseName = declared.attributes["derivedFrom"] {
            guard let base = peripherals[baseName], base.attributes["derivedFrom"] == nil || baseName != name else {
                document.problem(declared, "peripheral \(name) is derived from \(baseName), which this file does not define", dropping: "peripheral \(name)"); return
            }
            element = Self.derive(declared, from: base)
        }
        let defaults = self.defaults(element, inherited: inherited)
        let base = element.value("baseAddress").flatMap { number($0, element, dropping: "the base address of \(name)") }
        var registers: [RegisterDefinition] = []
        if let list = element.child("registers") {
            contents(list, offset: 0, prefix: "", defaults: defaults, into: &registers)
        }
        document.blocks.append(ImportedBlock(name: name, line: declared.line, base: base, registers: registers))
    }

    /// Registers and clusters of a `registers` or `cluster` element, in document order.
    /// `copies`: how many times the enclosing cluster arrays repeat this container, so an
    /// array's registers are counted, against the import's limit, before any is made.
    private mutating func contents(_ container: XMLElement, offset: UInt64, prefix: String, defaults: Defaults,
                                   copies: Int = 1, into registers: inout [RegisterDefinition]) {
        let siblings = container.children.filter { $0.name == "register" || $0.name == "cluster" }
        for declared in siblings {
            var element = declared
            let declaredName = declared.value("name") ?? ""
            if let baseName = declared.attributes["derivedFrom"] {
                // A sibling by name, or a path from the peripheral (PERIPH.REG).
                guard let base = siblings.first(where: { $0.value("name") == baseName && $0.line != declared.line })
                        ?? lookUp(path: baseName) else {
                    document.problem(declared, "\(declared.name) \(prefix + declaredName) is derived from \(baseName), which this file does not define",
                                     dropping: "\(declared.name) \(prefix + declaredName)"); continue
                }
                element = Self.derive(declared, from: base)
            }
            guard let start = requiredNumber(element, "addressOffset", what: "\(element.name) \(prefix + declaredName)") else { continue }
            guard let instances = instances(element, name: declaredName, prefix: prefix) else { continue }
            let inner = self.defaults(element, inherited: defaults)
            let (repeated, tooMany) = copies.multipliedReportingOverflow(by: instances.count)
            if element.name != "cluster", !document.room(for: tooMany ? .max : repeated, element, "register \(prefix + declaredName)") { return }
            guard let first = document.sum(offset, start, element, "\(element.name) \(prefix + declaredName)") else { continue }
            for (name, step) in instances {
                guard document.registerCount < ImportedDocument.mostRegisters else { return }
                guard let at = document.sum(first, step, element, "\(element.name) \(name)") else { continue }
                if element.name == "cluster" {
                    contents(element, offset: at, prefix: name + "_", defaults: inner, copies: tooMany ? .max : repeated, into: &registers)
                } else if let register = register(element, name: name, offset: at, defaults: inner) {
                    document.registerCount += 1
                    registers.append(register)
                }
            }
        }
    }

    private mutating func register(_ element: XMLElement, name: String, offset: UInt64, defaults: Defaults) -> RegisterDefinition? {
        guard let bits = defaults.size else {
            document.problem(element, "register \(name) has no size (nor does its peripheral or device)", dropping: "register \(name)"); return nil
        }
        guard let width = Width(rawValue: Int(clamping: bits)) else {
            document.problem(element, "register \(name) is \(bits) bits wide: pcimmio registers are 8, 16, 32 or 64 bits", dropping: "register \(name)"); return nil
        }
        if let accessText = element.value("access"), ImportedAccess.parse(accessText) == nil {
            document.problem(element, "access '\(accessText)' of register \(name) is not one pcimmio can represent (\(ImportedAccess.known))", dropping: "register \(name)"); return nil
        }
        var fields: [RegisterField] = []
        for declared in element.child("fields")?.children("field") ?? [] {
            var fieldElement = declared
            if let baseName = declared.attributes["derivedFrom"] {
                guard let base = element.child("fields")?.children("field").first(where: { $0.value("name") == baseName }) else {
                    document.problem(declared, "field \(name).\(declared.value("name") ?? "") is derived from \(baseName), which this register does not define",
                                     dropping: "field \(name).\(declared.value("name") ?? "")"); continue
                }
                fieldElement = Self.derive(declared, from: base)
            }
            guard let instances = instances(fieldElement, name: fieldElement.value("name") ?? "", prefix: "") else { continue }
            for (fieldName, step) in instances {
                if let field = field(fieldElement, name: fieldName, shift: step, register: name, width: width) { fields.append(field) }
            }
        }
        var declared = ImportedAccess.withModifiedWrite(defaults.access, element.value("modifiedWriteValues"))
        if element.value("readAction") != nil { declared = .rc }
        var reset = defaults.resetValue.map { $0 & (defaults.resetMask ?? .max) }
        if let value = reset, value & ~width.mask != 0 {
            document.problem(element, "reset value 0x\(String(value, radix: 16)) of \(name) does not fit in \(width.bits) bits", dropping: "the reset value of \(name)")
            reset = nil
        }
        var notes: [String] = []
        if let modified = element.value("modifiedWriteValues"), ImportedAccess.modifiedWrite(modified) == nil || declared != ImportedAccess.modifiedWrite(modified) {
            notes.append("write: \(modified)")
        }
        let description = ([element.value("description")?.collapsingWhitespace()].compactMap { $0 } + notes).joined(separator: "; ")
        return RegisterDefinition(name: name, bar: 0, offset: offset, width: width,
                                  access: ImportedAccess.ofRegister(declared: declared, fields: fields), reset: reset,
                                  description: description.isEmpty ? nil : description, fields: fields, line: element.line)
    }

    /// A field at `bitRange`, `bitOffset`+`bitWidth` or `lsb`+`msb`, moved up `shift` bits
    /// when it is an element of a field array.
    private mutating func field(_ element: XMLElement, name: String, shift: UInt64, register: String, width: Width) -> RegisterField? {
        let what = "field \(register).\(name)"
        var low: UInt64
        var high: UInt64
        if let range = element.value("bitRange") {
            let parts = range.trimmingCharacters(in: "[]").split(separator: ":")
            guard range.hasPrefix("["), range.hasSuffix("]"), parts.count == 2,
                  let msb = UInt64(String(parts[0]).trimmingWhitespace()), let lsb = UInt64(String(parts[1]).trimmingWhitespace()), msb >= lsb else {
                document.problem(element, "bitRange '\(range)' of \(what) is not [MSB:LSB]", dropping: what); return nil
            }
            (high, low) = (msb, lsb)
        } else if element.value("bitOffset") != nil {
            guard let offset = requiredNumber(element, "bitOffset", what: what) else { return nil }
            let bitWidth = element.value("bitWidth") != nil ? requiredNumber(element, "bitWidth", what: what) : 1
            guard let bitWidth, bitWidth > 0 else { return nil }
            guard offset < 64, bitWidth <= 64 - offset else {
                document.problem(element, "\(what) (bitOffset \(offset), bitWidth \(bitWidth)) goes past 64 bits", dropping: what); return nil
            }
            (low, high) = (offset, offset + bitWidth - 1)
        } else if element.value("lsb") != nil || element.value("msb") != nil {
            guard let lsb = requiredNumber(element, "lsb", what: what), let msb = requiredNumber(element, "msb", what: what) else { return nil }
            guard msb >= lsb else { document.problem(element, "msb \(msb) of \(what) is below its lsb \(lsb)", dropping: what); return nil }
            (low, high) = (lsb, msb)
        } else {
            document.problem(element, "\(what) gives no bitRange, bitOffset or lsb/msb", dropping: what); return nil
        }
        guard high < 64, shift < 64 else {
            document.problem(element, "\(what) bits \(high):\(low) (shifted by \(shift)) go past the register's \(width.bits) bits", dropping: what); return nil
        }
        low += shift
        high += shift
        guard high < UInt64(width.bits) else {
            document.problem(element, "\(what) bits \(high):\(low) go past the register's \(width.bits) bits", dropping: what); return nil
        }
        var access: RegisterAccess?
        if let accessText = element.value("access") {
            guard let parsed = ImportedAccess.parse(accessText) else {
                document.problem(element, "access '\(accessText)' of \(what) is not one pcimmio can represent (\(ImportedAccess.known))", dropping: what); return nil
            }
            access = parsed
        }
        access = ImportedAccess.withModifiedWrite(access, element.value("modifiedWriteValues"))
        if element.value("readAction") != nil { access = .rc }
        var notes: [String] = []
        if let modified = element.value("modifiedWriteValues"), ImportedAccess.modifiedWrite(modified) == nil || access == .rc {
            notes.append("write: \(modified)")
        }
        let description = ([element.value("description")?.collapsingWhitespace()].compactMap { $0 } + notes).joined(separator: "; ")
        let bits = Int(high - low + 1)
        return RegisterField(name: name, low: Int(low), high: Int(high), access: access,
                             description: description.isEmpty ? nil : description,
                             values: enumeratedValues(element, field: what, bits: bits), line: element.line)
    }

    private mutating func enumeratedValues(_ element: XMLElement, field: String, bits: Int) -> [RegisterField.NamedValue] {
        var values: [RegisterField.NamedValue] = []
        let largest: UInt64 = bits >= 64 ? .max : (1 << UInt64(bits)) - 1
        for set in element.children("enumeratedValues") {
            for entry in set.children("enumeratedValue") {
                let name = entry.value("name") ?? ""
                // isDefault names every other value: a map names only exact values.
                if entry.value("isDefault") != nil && entry.value("value") == nil { continue }
                guard let text = entry.value("value") else {
                    document.problem(entry, "enumerated value \(name) of \(field) has no value", dropping: "value \(name) of \(field)"); continue
                }
                if text.lowercased().contains("x") && text.hasPrefix("#") {
                    document.problem(entry, "value \(name)=\(text) of \(field) has don't-care bits: a map names exact values", dropping: "value \(name) of \(field)"); continue
                }
                guard let value = ImportNumber.parse(text, hash: .binary) else {
                    document.problem(entry, "value \(name)=\(text) of \(field) is not a number", dropping: "value \(name) of \(field)"); continue
                }
                guard value <= largest else {
                    document.problem(entry, "value \(name)=\(value) does not fit \(field) (\(bits) bit\(bits == 1 ? "" : "s"))", dropping: "value \(name) of \(field)"); continue
                }
                // A write set may repeat a read set's values: the first name stays.
                if !values.contains(where: { $0.value == value || $0.name == name }) { values.append(.init(name: name, value: value)) }
            }
        }
        return values
    }

    /// The names and byte (or, for fields, bit) steps of a `dim` array's elements; one
    /// element named as declared when it is not an array. Nil after a problem.
    private mutating func instances(_ element: XMLElement, name: String, prefix: String) -> [(String, UInt64)]? {
        guard let dimText = element.value("dim") else {
            guard !name.contains("%s") else {
                document.problem(element, "\(prefix + name) has %s in its name but no dim", dropping: "\(element.name) \(prefix + name)"); return nil
            }
            return [(prefix + name, 0)]
        }
        let what = "\(element.name) \(prefix + name)"
        guard let count = number(dimText, element, dropping: what), count > 0, count <= 1 << 20,
              let increment = requiredNumber(element, "dimIncrement", what: what) else { return nil }
        var indexes = (0..<count).map { String($0) }
        if let indexText = element.value("dimIndex") {
            let parts = indexText.split(separator: "-")
            if parts.count == 2, let first = Int(parts[0]), let last = Int(parts[1]), last >= first {
                // Compared with dim before the names are made (0-200000000 would be 3 GB of them).
                guard last - first == Int(count) - 1 else {
                    document.problem(element, "dimIndex '\(indexText)' of \(what) names \(last - first + 1) elements, dim says \(count)", dropping: what); return nil
                }
                indexes = (first...last).map(String.init)
            } else {
                indexes = indexText.split(separator: ",").map { String($0).trimmingWhitespace() }
            }
            guard indexes.count == Int(count) else {
                document.problem(element, "dimIndex '\(indexText)' of \(what) names \(indexes.count) elements, dim says \(count)", dropping: what); return nil
            }
        }
        // The last element's step first: if it fits in 64 bits, every one does.
        guard document.product(count - 1, increment, element, "the dimIncrement steps of \(what)") != nil else { return nil }
        return indexes.enumerated().map { position, index in
            let expanded = name.replacingOccurrences(of: "[%s]", with: "_" + index).replacingOccurrences(of: "%s", with: index)
            return (prefix + expanded, UInt64(position) * increment)
        }
    }

    /// What `element` (device, peripheral, cluster, register) sets for the registers in it.
    /// A register's own bad access is reported where the register is read.
    private mutating func defaults(_ element: XMLElement, inherited: Defaults) -> Defaults {
        var defaults = inherited
        if let size = element.value("size").flatMap({ ImportNumber.parse($0, hash: .binary) }) { defaults.size = size }
        if let text = element.value("access") {
            if let access = ImportedAccess.parse(text) {
                defaults.access = access
            } else if element.name != "register" {
                document.problem(element, "access '\(text)' of \(element.name) \(element.value("name") ?? "") is not one pcimmio can represent (\(ImportedAccess.known))",
                                 dropped: "that default (its registers keep the access they inherit)")
            }
        }
        if let reset = element.value("resetValue").flatMap({ ImportNumber.parse($0, hash: .binary) }) { defaults.resetValue = reset }
        if let mask = element.value("resetMask").flatMap({ ImportNumber.parse($0, hash: .binary) }) { defaults.resetMask = mask }
        return defaults
    }

    /// `PERIPHERAL.REGISTER` or `PERIPHERAL.CLUSTER.REGISTER`.
    private func lookUp(path: String) -> XMLElement? {
        let parts = path.split(separator: ".").map(String.init)
        guard parts.count >= 2, var current = peripherals[parts[0]]?.child("registers") else { return nil }
        for part in parts.dropFirst() {
            guard let next = current.children.first(where: { ($0.name == "register" || $0.name == "cluster") && $0.value("name") == part }) else { return nil }
            current = next
        }
        return current
    }

    /// `derived` over `base`: the derived element's own children replace the base's of the
    /// same kind; registers, clusters and fields are replaced one by one, by name.
    static func derive(_ derived: XMLElement, from base: XMLElement) -> XMLElement {
        let listed: Set<String> = ["register", "cluster", "field"]
        var children: [XMLElement] = []
        for child in base.children {
            if listed.contains(child.name) {
                if !derived.children.contains(where: { $0.name == child.name && $0.value("name") == child.value("name") }) { children.append(child) }
            } else if child.name == "registers" || child.name == "fields", let own = derived.child(child.name) {
                children.append(derive(own, from: child))
            } else if derived.child(child.name) == nil {
                children.append(child)
            }
        }
        children += derived.children.filter { child in
            !((child.name == "registers" || child.name == "fields") && base.child(child.name) != nil)
        }
        var attributes = derived.attributes
        attributes["derivedFrom"] = nil
        return XMLElement(name: derived.name, line: derived.line, attributes: attributes, text: derived.text, children: children)
    }

    private mutating func requiredNumber(_ element: XMLElement, _ child: String, what: String) -> UInt64? {
        guard let text = element.value(child) else {
            document.problem(element, "\(what) has no \(child)", dropping: what); return nil
        }
        return number(text, element, dropping: what)
    }

    private mutating func number(_ text: String, _ element: XMLElement, dropping dropped: String) -> UInt64? {
        guard let value = ImportNumber.parse(text, hash: .binary) else {
            document.problem(element, "'\(text)' in \(element.name) is not a number", dropping: dropped); return nil
        }
        return value
    }
}

extension String {
    func trimmingCharacters(in set: String) -> String {
        String(drop(while: { set.contains($0) }).reversed().drop(while: { set.contains($0) }).reversed())
    }

    func replacingOccurrences(of target: String, with replacement: String) -> String {
        guard !target.isEmpty, contains(target) else { return self }
        var result = ""
        var rest = self[...]
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound] + replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}
