/// How the register commands' results look, for the tool and for `run` alike: peek's lines
/// (or one JSON object), a decoded dump's lines, watch's lines.
public enum ReadoutFormat {
    /// One line per register (0x and width/4 hex digits), or the map's decoding of it.
    public static func text(_ readout: RegisterReadout) -> String {
        var text = ""
        for register in readout.registers {
            if let field = register.field {
                // rwmem's `peek CC.EN`: the field's value; decoded, its line of the register's decoding.
                let value = field.extract(register.value)
                text += "0x" + String(value, radix: 16)
                    + (register.definition != nil ? "  " + field.name + " " + field.bitsText + (field.meaning(of: value).map { " (" + $0 + ")" } ?? "") : "")
                    + "\n"
                continue
            }
            text += register.definition?.decoded(register.value) ?? formatRegister(register.value, width: readout.width) + "\n"
        }
        return text
    }

    /// `{"device", "bar" (null for phys), "via", "width", "registers": [...], "health"?}`.
    public static func json(_ readout: RegisterReadout) -> String {
        let registers = readout.registers.map { register in
            if let field = register.field {
                return JSON.object([("offset", .number(register.offset)), ("field", .string(field.name)), ("bits", .string(field.bitsText)),
                                    ("value", .fieldValue(field.extract(register.value))),
                                    ("meaning", .string(field.meaning(of: field.extract(register.value))))])
            }
            return register.definition?.decodedJSON(register.value) ?? JSON.object([
                ("offset", .number(register.offset)),
                ("value", .value(register.value, width: readout.width)),
            ])
        }
        return JSON.object([
            ("device", .string(readout.location.slot)), ("bar", readout.location.barIndex.map { .number(UInt64($0)) } ?? .null),
            ("via", .string(readout.via.rawValue)),
            ("width", .number(UInt64(readout.width.bits))), ("registers", .array(registers)),
        ] + (readout.health.map { [("health", JSON.string($0))] } ?? [])).rendered() + "\n"
    }

    /// A decoded dump's register, or why it was skipped.
    public static func text(_ read: DecodedRead) -> String {
        switch read {
        case let .read(register, value):
            return register.decoded(value)
        case let .skipped(register):
            return "skipped " + register.name + " @0x" + String(register.offset, radix: 16) + " (" + register.access.rawValue
                + (register.access.readable ? ": reading it has side effects; --include-side-effects reads it)\n" : ": write-only)\n")
        }
    }

    /// `+0.250s 0x20 STATUS 0x00000000 -> 0x00000001` (the first sample has no arrow).
    public static func text(_ event: WatchEvent) -> String {
        elapsed(event.elapsed) + " 0x" + String(event.offset, radix: 16) + (event.name.map { " " + $0 } ?? "") + " "
            + (event.old.map { formatRegister($0, width: event.width) + " -> " } ?? "") + formatRegister(event.new, width: event.width) + "\n"
    }
}

/// `+1.250s`: time since a watch started, to the millisecond.
func elapsed(_ nanoseconds: UInt64) -> String {
    let milliseconds = nanoseconds / 1_000_000
    return "+" + String(milliseconds / 1000) + "." + String(milliseconds % 1000).leftPadded(3) + "s"
}
