/// What changed between two snapshots of one device: config space by setpci's names (or the
/// capability it lies in, `CAP_EXP+0x8`), registers by their map names with each field old ->
/// new and its value names. Nothing for what is equal.
public struct SnapshotDiff {
    public struct Change: Sendable, Equatable {
        /// `config 0x04 COMMAND` or `LIVENESS @0x4 (BAR 0)`.
        public let place: String
        public let width: Width
        public let old: UInt64
        public let new: UInt64
        /// Indented field lines, from the map.
        public let fields: [String]
    }

    public let changes: [Change]

    public init(_ a: DeviceSnapshot, _ b: DeviceSnapshot, map: RegisterMap?) {
        var changes = Self.configChanges(a.config, b.config)
        let before = Dictionary(a.registers.map { (RegisterKey($0), $0) }, uniquingKeysWith: { first, _ in first })
        for register in b.registers {
            guard let old = before[RegisterKey(register)], old.value != register.value else { continue }
            let definition = map?.register(at: register.offset, bar: register.bar)
            let name = register.name ?? definition?.name
            let place = (name.map { $0 + " " } ?? "") + "@0x" + String(register.offset, radix: 16) + " (BAR \(register.bar))"
            // The map's fields, else those the snapshot kept: no map is needed to decode.
            let fields = definition?.fields ?? (register.fields.isEmpty ? old.fields : register.fields)
            changes.append(Change(place: place, width: register.width, old: old.value, new: register.value,
                                  fields: Self.fieldChanges(fields, old.value, register.value)))
        }
        self.changes = changes
    }

    private struct RegisterKey: Hashable {
        let bar: Int
        let offset: UInt64
        let width: Width
        init(_ register: DeviceSnapshot.Register) {
            bar = register.bar
            offset = register.offset
            width = register.width
        }
    }

    public var text: String {
        changes.map { change in
            ([change.place + ": " + formatRegister(change.old, width: change.width) + " -> " + formatRegister(change.new, width: change.width)]
             + change.fields.map { "    " + $0 }).joined(separator: "\n") + "\n"
        }.joined()
    }

    public var json: JSON {
        .array(changes.map { change in
            .object([("place", .string(change.place)), ("width", .number(UInt64(change.width.bits))),
                     ("old", .value(change.old, width: change.width)), ("new", .value(change.new, width: change.width)),
                     ("fields", .array(change.fields.map { .string($0) }))])
        })
    }

    /// Header registers by name; past the header, dwords named after the capability they lie in.
    static func configChanges(_ a: [UInt8], _ b: [UInt8]) -> [Change] {
        let length = min(a.count, b.count)
        guard length >= 0x40 else { return [] }
        let headerType = Int(b[0x0e] & 0x7f)
        var changes: [Change] = []
        var covered = Set<Int>()
        for register in ConfigNames.registers where register.headerTypes.contains(headerType) && register.offset + register.width.bytes <= length {
            let range = register.offset..<register.offset + register.width.bytes
            guard !range.contains(where: covered.contains) else { continue }
            range.forEach { covered.insert($0) }
            let old = value(a, range), new = value(b, range)
            if old != new {
                changes.append(Change(place: "config 0x" + hex(register.offset, digits: 2) + " " + register.name, width: register.width,
                                      old: old, new: new, fields: []))
            }
        }
        let chain = (try? CapabilityChain(walking: ConfigBytes(Array(b[0..<length])))).map { $0.entries } ?? []
        for offset in stride(from: 0x40, to: length & ~3, by: 4) {
            let range = offset..<offset + 4
            let old = value(a, range), new = value(b, range)
            guard old != new else { continue }
            let owner = chain.filter { $0.offset <= offset && ($0.extended == (offset >= 0x100)) }.max { $0.offset < $1.offset }
            let name = owner.map { entry in
                (entry.extended ? "ECAP" + hex(entry.id, digits: 4) : "CAP" + hex(entry.id, digits: 2))
                    + (entry.name.map { " " + $0 } ?? "") + " +0x" + String(offset - entry.offset, radix: 16)
            }
            changes.append(Change(place: "config 0x" + hex(offset, digits: offset >= 0x100 ? 3 : 2) + (name.map { " " + $0 } ?? ""),
                                  width: .w32, old: old, new: new, fields: []))
        }
        return changes
    }

    private static func value(_ bytes: [UInt8], _ range: Range<Int>) -> UInt64 {
        range.reversed().reduce(0) { $0 << 8 | UInt64(bytes[$1]) }
    }

    static func fieldChanges(_ fields: [RegisterField], _ old: UInt64, _ new: UInt64) -> [String] {
        fields.compactMap { field in
            let before = field.extract(old), after = field.extract(new)
            guard before != after else { return nil }
            func named(_ value: UInt64) -> String {
                "0x" + String(value, radix: 16) + (field.values.first { $0.value == value }.map { " (" + $0.name + ")" } ?? "")
            }
            return field.name + " " + field.bitsText + ": " + named(before) + " -> " + named(after)
        }
    }
}
