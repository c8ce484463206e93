/// A register value explained by its map: the register line, then one line per field with
/// its value and, when the map names it, its meaning.
extension RegisterDefinition {
    public func decoded(_ value: UInt64) -> String {
        var text = formatRegister(value, width: width) + "  " + name + " @0x" + String(offset, radix: 16)
            + " (" + String(width.bits) + "-bit, " + access.rawValue + ")"
        if let description { text += "  " + description }
        text += "\n"
        let nameWidth = fields.map(\.name.count).max() ?? 0
        let bitsWidth = fields.map(\.bitsText.count).max() ?? 0
        for field in fields.sorted(by: { $0.high > $1.high }) {
            let fieldValue = field.extract(value)
            text += "    " + field.name.padding(to: nameWidth) + " " + field.bitsText.padding(to: bitsWidth)
                + " = 0x" + String(fieldValue, radix: 16)
            if let meaning = field.meaning(of: fieldValue) { text += " (" + meaning + ")" }
            text += "\n"
        }
        return text
    }

    public func decodedJSON(_ value: UInt64) -> JSON {
        .object([
            ("register", .string(name)), ("offset", .number(offset)), ("width", .number(UInt64(width.bits))),
            ("value", .value(value, width: width)),
            ("fields", .array(fields.map { field in
                let fieldValue = field.extract(value)
                return .object([("name", .string(field.name)), ("bits", .string(field.bitsText)),
                                ("value", .fieldValue(fieldValue)), ("meaning", .string(field.meaning(of: fieldValue)))])
            })),
        ])
    }
}
