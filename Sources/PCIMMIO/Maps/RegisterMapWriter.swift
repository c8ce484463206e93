/// A RegisterMap as map-file JSON (the format README "Register maps" describes): one
/// register per line, so `map check` reports a generated map's problems at a useful line.
public enum RegisterMapWriter {
    public static func json(_ map: RegisterMap) -> String {
        var out = "{\n"
        if let name = map.name { out += "  \"name\": \(quoted(name)),\n" }
        out += "  \"devices\": [" + map.devices.map { quoted($0.description) }.joined(separator: ", ") + "],\n"
        out += "  \"bars\": {"
        let bars = Set(map.bars).union(map.bases.keys).sorted()
        for (position, bar) in bars.enumerated() {
            out += position == 0 ? "\n" : ",\n"
            let registers = map.registers.filter { $0.bar == bar }.map { "      " + register($0) }.joined(separator: ",\n")
            let list = registers.isEmpty ? "[]" : "[\n" + registers + "\n    ]"
            if let base = map.bases[bar] {
                out += "    \"\(bar)\": { \"base\": \"0x\(String(base, radix: 16))\", \"registers\": \(list) }"
            } else {
                out += "    \"\(bar)\": \(list)"
            }
        }
        out += bars.isEmpty ? "}\n}\n" : "\n  }\n}\n"
        return out
    }

    static func register(_ register: RegisterDefinition) -> String {
        var members = ["\"name\": \(quoted(register.name))", "\"offset\": \"0x\(String(register.offset, radix: 16))\""]
        if register.width != .w32 { members.append("\"width\": \(register.width.bits)") }
        members.append("\"access\": \"\(register.access.rawValue)\"")
        if let reset = register.reset { members.append("\"reset\": \"0x\(String(reset, radix: 16))\"") }
        if let description = register.description { members.append("\"description\": \(quoted(description))") }
        if !register.fields.isEmpty {
            members.append("\"fields\": [" + register.fields.map(field).joined(separator: ", ") + "]")
        }
        return "{ " + members.joined(separator: ", ") + " }"
    }

    static func field(_ field: RegisterField) -> String {
        var members = ["\"name\": \(quoted(field.name))", "\"bits\": \"\(field.high == field.low ? "\(field.low)" : "\(field.high):\(field.low)")\""]
        if let access = field.access { members.append("\"access\": \"\(access.rawValue)\"") }
        if let description = field.description { members.append("\"description\": \(quoted(description))") }
        if !field.values.isEmpty {
            members.append("\"values\": { " + field.values.map { "\(quoted($0.name)): \($0.value)" }.joined(separator: ", ") + " }")
        }
        return "{ " + members.joined(separator: ", ") + " }"
    }

    /// A JSON string: quotes, backslashes and control characters escaped (as every JSON pcimmio prints).
    static func quoted(_ text: String) -> String {
        var out = ""
        JSON.escape(text, into: &out)
        return out
    }
}
