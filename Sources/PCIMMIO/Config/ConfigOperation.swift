/// One `config` operation in setpci's grammar, parsed (not yet resolved against a device):
///
///     REGISTER[+OFFSET][.WIDTH][@N][=VALUE[:MASK][,VALUE[:MASK]…]]
///
/// REGISTER is a hex offset (`10`, `0x10`), a name from `setpci --dumpregs` (`COMMAND`), or a
/// capability: `CAP_EXP`, `ECAP_AER`, `CAP10`, `ECAP0001`; `@N` (hex, from 0) picks a
/// capability's Nth instance, after the width as setpci reads it: `CAP_VNDR+3.b@1`. OFFSET is
/// hex. WIDTH is `B`, `W` or `L` in either case; a named register brings its own. Values and masks are hex, as setpci reads them; several values go to consecutive
/// registers. A mask writes only its bits: one read, then one write of (old & ~MASK) | VALUE.
public struct ConfigOperation: Sendable, Equatable {
    public enum Base: Sendable, Equatable {
        case offset(Int)
        /// A header register by name, which only some header types have.
        case named(String, offset: Int, headerTypes: Set<Int>)
        case capability(id: Int, extended: Bool, instance: Int)
    }

    public struct Value: Sendable, Equatable {
        public let value: UInt32
        /// nil: the whole register.
        public let mask: UInt32?
    }

    public let text: String
    public let base: Base
    public let displacement: Int
    public let width: Width
    /// Empty for a read.
    public let values: [Value]

    public var isWrite: Bool { !values.isEmpty }

    public init(parsing text: String) throws(PCIMMIOError) {
        self.text = text
        // setpci splits at '=', then '@', then '.', then '+'.
        let assignment = text.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        let instanceSplit = assignment[0].split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false)
        var instance = 0
        if instanceSplit.count == 2 {
            guard let parsed = Self.hex(String(instanceSplit[1])), parsed < 0x100 else {
                throw Self.bad(text, "'@\(instanceSplit[1])' is not an instance number (hex, counting from 0)")
            }
            instance = Int(parsed)
        }
        let left = instanceSplit[0]
        let widthSplit = left.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let place = widthSplit[0]
        let placeSplit = place.split(separator: "+", maxSplits: 1, omittingEmptySubsequences: false)
        let baseText = String(placeSplit[0])
        var namedWidth: Width? = nil
        if let named = ConfigNames.register(baseText) {
            base = .named(named.name, offset: named.offset, headerTypes: named.headerTypes)
            namedWidth = named.width
        } else if let capability = try Self.capability(baseText, instance: instance) {
            base = capability
        } else if let offset = Self.hex(baseText) {
            guard offset < 0x1000 else { throw Self.bad(text, "offset 0x\(String(offset, radix: 16)) is past the end of any config space (4096 bytes)") }
            base = .offset(Int(offset))
        } else {
            throw Self.bad(text, "unknown register '\(baseText)' (a hex offset, a name from setpci --dumpregs such as COMMAND, or CAP_xxx/ECAP_xxx/CAPnn/ECAPnnnn)")
        }
        if instanceSplit.count == 2, case .capability = base {} else if instanceSplit.count == 2 {
            throw Self.bad(text, "@N picks an instance of a capability, and \(baseText) is not one")
        }
        if placeSplit.count == 2 {
            guard let displacement = Self.hex(String(placeSplit[1])), displacement < 0x1000 else {
                throw Self.bad(text, "'+\(placeSplit[1])' is not a hex offset")
            }
            self.displacement = Int(displacement)
        } else {
            displacement = 0
        }
        if widthSplit.count == 2 {
            switch widthSplit[1].uppercased() {
            case "B": width = .w8
            case "W": width = .w16
            case "L": width = .w32
            default: throw Self.bad(text, "invalid width '.\(widthSplit[1])' (.B, .W or .L)")
            }
        } else if let namedWidth {
            width = namedWidth
        } else {
            throw Self.bad(text, "missing width: add .B, .W or .L")
        }
        guard assignment.count == 2 else {
            values = []
            return
        }
        let width = self.width
        values = try assignment[1].split(separator: ",", omittingEmptySubsequences: false).map { (item) throws(PCIMMIOError) in
            let parts = item.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            guard let value = Self.hex(String(parts[0])) else { throw Self.bad(text, "value '\(parts[0])' is not hex") }
            guard value <= width.mask else { throw Self.bad(text, "value \(parts[0]) does not fit in \(width.bits) bits") }
            var mask: UInt64? = nil
            if parts.count == 2 {
                guard let parsed = Self.hex(String(parts[1])) else { throw Self.bad(text, "mask '\(parts[1])' is not hex") }
                guard parsed <= width.mask else { throw Self.bad(text, "mask \(parts[1]) does not fit in \(width.bits) bits") }
                guard value & ~parsed == 0 else {
                    throw Self.bad(text, "value \(parts[0]) has bits outside mask \(parts[1]); they would not be written")
                }
                mask = parsed
            }
            return Value(value: UInt32(value), mask: mask.map { UInt32($0) })
        }
    }

    /// `CAP_xxx`, `ECAP_xxx`, `CAPnn`, `ECAPnnnn`; nil when the text is none of these.
    private static func capability(_ text: String, instance: Int) throws(PCIMMIOError) -> Base? {
        let upper = text.uppercased()
        let extended = upper.hasPrefix("ECAP")
        guard extended || upper.hasPrefix("CAP") else { return nil }
        let name = upper
        if let id = KnownCapability.withSetpciName(name, extended: extended)?.id {
            return .capability(id: id, extended: extended, instance: instance)
        }
        let digits = name.dropFirst(extended ? 4 : 3)
        guard !digits.hasPrefix("_"), !digits.isEmpty, digits.count <= (extended ? 4 : 2), let id = Int(digits, radix: 16) else {
            throw bad(text, "unknown capability '\(name)' (setpci --dumpregs lists the names; CAPnn and ECAPnnnn take a hex id)")
        }
        return .capability(id: id, extended: extended, instance: instance)
    }

    /// Hex as setpci reads it: digits with an optional 0x.
    static func hex(_ text: String) -> UInt64? {
        let digits = text.lowercased().hasPrefix("0x") ? String(text.dropFirst(2)) : text
        guard !digits.isEmpty, digits.count <= 16 else { return nil }
        return UInt64(digits, radix: 16)
    }

    private static func bad(_ text: String, _ reason: String) -> PCIMMIOError {
        .malformedConfigOperation(text: text, reason: reason)
    }
}
