/// What `caps` shows of one capability: its place in the chain, its name and version, and the
/// registers bring-up reads, decoded once and rendered both as text (in lspci's words) and
/// as JSON fields.
public struct DecodedCapability {
    public let entry: CapabilityEntry
    /// The capability's version: the extended header's, or Power Management's and PCI
    /// Express's own field; nil where it has none.
    public var version: Int?
    /// The rest of the title line, as lspci prints it after the name.
    public var summary: String = ""
    /// Indented lines under the title.
    public var lines: [String] = []
    /// Decoded fields, after offset, id, extended, name and version.
    public var fields: [(String, JSON)] = []

    init(entry: CapabilityEntry) {
        self.entry = entry
        version = entry.headerVersion
    }

    public var name: String {
        entry.name ?? (entry.extended ? "Extended Capability ID 0x" + String(entry.id, radix: 16) : "Capability ID 0x" + hex(entry.id, digits: 2))
    }

    /// `[54] Express v2 (0x10): Root Port (Slot+), MSI 00` and the decoded lines under it.
    public var text: String {
        let place = hex(entry.offset, digits: entry.extended ? 3 : 2)
        let id = entry.extended ? "ext 0x" + hex(entry.id, digits: 4) : "0x" + hex(entry.id, digits: 2)
        var out = "[\(place)] \(name)\(version.map { " v\($0)" } ?? "") (\(id))"
        if !summary.isEmpty { out += ": " + summary }
        out += "\n"
        for line in lines { out += "    " + line + "\n" }
        return out
    }

    public var json: JSON {
        var members: [(String, JSON)] = [
            ("offset", .number(UInt64(entry.offset))),
            ("id", .number(UInt64(entry.id))),
            ("extended", .bool(entry.extended)),
            ("name", .string(name)),
        ]
        if let version { members.append(("version", .number(UInt64(version)))) }
        return .object(members + fields)
    }

    /// Decodes what `caps` shows of `entry`; a register that cannot be read becomes a line
    /// saying so instead of failing the whole listing.
    public static func decode(_ entry: CapabilityEntry, in config: some ConfigRegisters) -> DecodedCapability {
        var decoded = DecodedCapability(entry: entry)
        do {
            switch (entry.extended, entry.id) {
            case (false, KnownCapability.powerManagement.id):
                try PowerManagementCapability(at: entry.offset, in: config).describe(into: &decoded)
            case (false, KnownCapability.msi.id):
                try MSICapability(at: entry.offset, in: config).describe(into: &decoded)
            case (false, KnownCapability.msiX.id):
                try MSIXCapability(at: entry.offset, in: config).describe(into: &decoded)
            case (false, KnownCapability.express.id):
                try ExpressCapability(at: entry.offset, in: config).describe(into: &decoded)
            case (true, KnownCapability.advancedErrorReporting.id):
                try AERCapability(at: entry.offset, in: config).describe(into: &decoded)
            case (true, KnownCapability.resizableBAR.id), (true, KnownCapability.virtualResizableBAR.id):
                try ResizableBARCapability(at: entry.offset, in: config).describe(into: &decoded)
            default:
                break
            }
        } catch {
            decoded.lines.append("<unreadable: \(error.description)>")
        }
        return decoded
    }
}

/// lspci's `+`/`-` after a flag name.
func flag(_ name: String, _ set: Bool) -> String { name + (set ? "+" : "-") }

func bit<T: BinaryInteger>(_ value: T, _ index: Int) -> Bool { (value >> index) & 1 == 1 }

/// lspci's flags for the set bits of `value`, in bit order.
func setBitNames(_ value: UInt32, _ table: [StatusBit]) -> [String] {
    table.filter { bit(value, $0.bit) }.map(\.flag)
}
