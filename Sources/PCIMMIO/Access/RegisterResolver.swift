/// Turns what the user named (an offset, a register of the device's map, field assignments)
/// into one resolved register for one target: offset, width, the map's definition, and its
/// byte order, decided here and nowhere else.
final class RegisterResolver {
    let maps: MapCatalog
    private let devices: OpenDevices

    init(maps: MapCatalog, devices: OpenDevices) {
        self.maps = maps
        self.devices = devices
    }

    /// The target's register map; an error when there is none.
    func map(for target: RegisterTarget) throws(PCIMMIOError) -> RegisterMap {
        guard case let .bar(selector, _) = target.place else {
            guard let map = try maps.explicitMap() else {
                throw .usage("phys has no register map: give --map FILE with the peripherals' base addresses")
            }
            return map
        }
        let device = try devices.device(selector)
        guard let map = try maps.map(for: device) else {
            throw .usage("no register map for \(device.address) [\(hex(device.vendorID, digits: 4)):\(hex(device.deviceID, digits: 4))]: give --map FILE, or put a map listing it in the directory named by PCIMMIO_MAPS")
        }
        return map
    }

    /// The map that decides byte order and decoding at offsets: the device's when decoding
    /// (an error without one), else --map's when it lists the device. Without either, an
    /// offset is just an offset: no map is read for it.
    /// The target's map when there is one (--map, else PCIMMIO_MAPS or the installed maps), nil
    /// when none: what a region read consults before reading registers with side effects.
    func mapIfAny(for target: RegisterTarget) throws(PCIMMIOError) -> RegisterMap? {
        guard case let .bar(selector, _) = target.place else { return try maps.explicitMap() }
        return try maps.map(for: devices.device(selector))
    }

    func mapInUse(for target: RegisterTarget, decoding: Bool) throws(PCIMMIOError) -> RegisterMap? {
        if decoding { return try map(for: target) }
        guard maps.explicit != nil, case let .bar(selector, _) = target.place, let map = try maps.explicitMap(),
              map.applies(to: try devices.device(selector)) else { return nil }
        return map
    }

    /// The register `map` has at `offset` of the target's BAR, if it is `width` wide (a 32-bit
    /// register read 16 bits at a time is not that register).
    static func definition(in map: RegisterMap?, at offset: UInt64, of target: RegisterTarget, width: Width) -> RegisterDefinition? {
        guard let map, let bar = target.place.barIndex, let register = map.register(at: offset, bar: bar), register.width == width else { return nil }
        return register
    }

    /// Byte order, decided once: --big-endian, or the map's word for the register.
    static func bigEndian(_ target: RegisterTarget, _ definition: RegisterDefinition?) -> Bool {
        target.bigEndian || definition?.bigEndian == true
    }

    /// An offset (with the definition `map` has there at this width), or a register of the
    /// device's map with its own width (-w must agree).
    func resolve(_ target: RegisterTarget, _ reference: RegisterReference, map: RegisterMap? = nil) throws(PCIMMIOError) -> ResolvedRegister {
        switch reference {
        case let .offset(offset):
            let definition = Self.definition(in: map, at: offset, of: target, width: target.width)
            return ResolvedRegister(offset: offset, width: target.width, definition: definition, bigEndian: Self.bigEndian(target, definition))
        case let .named(text):
            let parts = text.split(separator: ".").map(String.init)
            let name = parts[0]
            var resolved: ResolvedRegister
            if let bar = target.place.barIndex {
                let map = try self.map(for: target)
                guard let register = map.register(named: name, bar: bar) else {
                    throw FieldUpdate.unknownRegister(name, map: map, bar: bar)
                }
                try checkWidth(target, register)
                resolved = ResolvedRegister(offset: register.offset, width: register.width, definition: register, bigEndian: Self.bigEndian(target, register))
            } else {
                resolved = try resolvePhysical(target, name)
            }
            if parts.count == 2, let register = resolved.definition {
                guard let field = register.field(parts[1]) else {
                    throw .usage("register \(name) has no field \(parts[1]) (fields: \(register.fields.map(\.name).joined(separator: ", ")))")
                }
                resolved.field = field
            }
            return resolved
        }
    }

    /// A field names bits, not a register to write or compare whole: said with the way to do it.
    private static func refuseField(_ register: ResolvedRegister, _ reference: RegisterReference, _ remedy: String) throws(PCIMMIOError) {
        guard register.field != nil else { return }
        throw .usage("\(reference.text) is a field: \(remedy)")
    }

    private func checkWidth(_ target: RegisterTarget, _ register: RegisterDefinition) throws(PCIMMIOError) {
        if let width = target.explicitWidth, width != register.width {
            throw .usage("\(register.name) is a \(register.width.bits)-bit register; drop -w \(width.bits) or use -w \(register.width.bits)")
        }
    }

    /// The map BAR field assignments name their register in: the target's, or for `phys` the
    /// BAR (peripheral) whose base holds the register.
    private func fieldBAR(_ target: RegisterTarget, _ assignments: [FieldAssignment]) throws(PCIMMIOError) -> Int {
        if let bar = target.place.barIndex { return bar }
        guard let first = assignments.first else { return 0 }
        return try resolvePhysical(target, first.register).definition!.bar
    }

    /// A register name under `phys`: found in the --map map among the BARs with a base.
    private func resolvePhysical(_ target: RegisterTarget, _ name: String) throws(PCIMMIOError) -> ResolvedRegister {
        guard let map = try maps.explicitMap() else { throw .malformedNumber(what: "physical address", text: name) }
        let candidates = map.bases.keys.sorted().compactMap { bar in map.register(named: name, bar: bar).map { (bar, $0) } }
        guard let (bar, register) = candidates.first else {
            throw .usage("phys \(name): \(map.file) has no register \(name) in a BAR with a base address (\"base\", from an SVD peripheral's baseAddress)")
        }
        guard candidates.count == 1 else {
            throw .usage("phys \(name): \(name) is in several peripherals of \(map.file) (BARs \(candidates.map { String($0.0) }.joined(separator: ", ")))")
        }
        try checkWidth(target, register)
        let (address, overflow) = map.bases[bar]!.addingReportingOverflow(register.offset)
        guard !overflow else { throw .usage("phys \(name): base + offset is past the end of the address space") }
        return ResolvedRegister(offset: address, width: register.width, definition: register, bigEndian: Self.bigEndian(target, register))
    }

    /// Where a poke writes and the checked write itself.
    func resolve(_ target: RegisterTarget, _ request: PokeRequest, verify: Bool, map: RegisterMap? = nil) throws(PCIMMIOError) -> (ResolvedRegister, Poke) {
        let register: ResolvedRegister
        var poke: Poke
        switch request {
        case let .value(reference, value, mask):
            register = try resolve(target, reference, map: map)
            try Self.refuseField(register, reference, "write it as \(reference.text)=\(value)")
            poke = try Poke(width: register.width, value: value, mask: mask, verify: verify)
        case let .fields(assignments):
            let update = try FieldUpdate(assignments, in: self.map(for: target), bar: fieldBAR(target, assignments), forWriting: true)
            register = try resolve(target, .named(update.register.name))
            poke = try Poke(width: register.width, value: update.value, mask: update.mask, verify: verify)
        case let .values(reference, values):
            // Checked like single pokes; written together by pokeValues.
            register = try resolve(target, reference, map: map)
            try Self.refuseField(register, reference, "write it as \(reference.text)=VALUE")
            for value in values { _ = try Poke(width: register.width, value: value) }
            poke = try Poke(width: register.width, value: values[0], verify: verify)
        }
        // A raw offset is the way past the map's access rules: only named registers are held to them.
        if let definition = register.definition, request.names {
            // Fields where writing back the old value would act (w1c…) are written neutral, and
            // --verify compares only bits that store what is written.
            let written = poke.mask ?? register.width.mask
            let stored = definition.storedBits(in: written)
            if verify && stored == 0 {
                throw .usage("\(definition.name): the bits written act rather than store (w1c, w1s, …): --verify has nothing to compare; drop it")
            }
            poke = poke.keeping(poke.readsFirst ? definition.neutralBits(outside: written) : .init(), verified: stored == written ? nil : stored)
            let access = definition.access
            guard access.writable else {
                throw .usage("\(definition.name) is \(access.rawValue): it cannot be written")
            }
            // Reading a wo register returns junk that would be written back; reading an rc
            // register clears what it reports.
            if poke.readsFirst && !access.safeToRead {
                throw .usage("\(definition.name) is \(access.rawValue): a read-modify-write would read it; write the whole register (\(definition.name) VALUE) instead")
            }
            if verify && !access.safeToRead {
                throw .usage("\(definition.name) is \(access.rawValue): --verify would read it back")
            }
        }
        return (register, poke)
    }

    func resolve(_ target: RegisterTarget, _ request: WaitRequest, map: RegisterMap? = nil) throws(PCIMMIOError) -> (ResolvedRegister, WaitCondition) {
        switch request {
        case let .masked(reference, mask, value):
            let register = try resolve(target, reference, map: map)
            try Self.refuseField(register, reference, "wait for it with --until \(reference.text)=VALUE")
            return (register, try WaitCondition(width: register.width, mask: mask ?? register.width.mask, value: value))
        case let .fields(assignments):
            let update = try FieldUpdate(assignments, in: self.map(for: target), bar: fieldBAR(target, assignments), forWriting: false)
            let register = try resolve(target, .named(update.register.name))
            // A timeout names the fields waited for and what they last held.
            let definition = update.register
            let fields = assignments.compactMap { assignment in definition.fields.first { $0.name == assignment.field } }
            let wanted = assignments.map { $0.register + "." + $0.field + "=" + $0.value }.joined(separator: ",")
            return (register, try WaitCondition(width: register.width, mask: update.mask, value: update.value, described: { last in
                wanted + " (last " + fields.map { field in
                    let value = field.extract(last)
                    return field.name + "=0x" + String(value, radix: 16) + (field.meaning(of: value).map { " " + $0 } ?? "")
                }.joined(separator: ", ") + ")"
            }))
        }
    }
}

extension PokeRequest {
    /// Whether the poke names its register (rather than giving an offset).
    var names: Bool {
        switch self {
        case let .value(reference, _, _), let .values(reference, _):
            if case .named = reference { return true }
            return false
        case .fields: return true
        }
    }
}

/// A register reference made concrete for one device.
public struct ResolvedRegister {
    public let offset: UInt64
    public let width: Width
    /// The map's definition, when the register was named (or a map in use has one there).
    public let definition: RegisterDefinition?
    /// Values are byte-swapped between the register and the user (RegisterResolver.bigEndian).
    public let bigEndian: Bool
    /// `REGISTER.FIELD`: the one field a peek shows.
    public var field: RegisterField? = nil
}
