/// How software may use a register or field. `rc` marks read-to-clear and other reads with
/// side effects: `dump --decode` does not read those (nor `wo`) unless asked.
public enum RegisterAccess: String, Sendable, CaseIterable {
    case rw, ro, wo, rc
    /// Readable and writable, where a write does not store the bits (SVD/IP-XACT
    /// modifiedWriteValues, SystemRDL's woclr…): a 1 clears, sets or toggles (w1c, w1s, w1t), a
    /// 0 does (w0c, w0s, w0t), or any write clears or sets the whole field (wclr, wset).
    case w1c, w1s, w1t, w0c, w0s, w0t, wclr, wset

    public var readHasSideEffects: Bool { self == .rc }
    public var readable: Bool { self != .wo }
    /// A read returns the value and changes nothing: the one test before any read pcimmio
    /// makes on its own (read-modify-write, --verify, decoded dumps, snapshots).
    public var safeToRead: Bool { readable && !readHasSideEffects }
    /// rc registers may still be written (write-one-to-clear status, for one).
    public var writable: Bool { self != .ro }
    /// A write acts on the bits rather than storing them: what is read back is not what was
    /// written, and writing back what was read can act.
    public var writeHasSideEffects: Bool {
        switch self {
        case .rw, .ro, .wo, .rc: return false
        case .w1c, .w1s, .w1t, .w0c, .w0s, .w0t, .wclr, .wset: return true
        }
    }

    /// The bit a read-modify-write of another field puts in this field's bits so that nothing
    /// happens to it: 0 for write-one fields, 1 for write-zero ones; nil when every write acts
    /// (wclr, wset) or none does (the old value is written back).
    public var neutralBit: UInt64? {
        switch self {
        case .w1c, .w1s, .w1t: return 0
        case .w0c, .w0s, .w0t: return 1
        case .rw, .ro, .wo, .rc, .wclr, .wset: return nil
        }
    }

    /// What the map format's error lists.
    public static let spelled = allCases.map(\.rawValue).joined(separator: ", ")
}

/// A bit field of a register, `bits high:low` inclusive.
public struct RegisterField: Sendable, Equatable {
    public let name: String
    public let low: Int
    public let high: Int
    public let access: RegisterAccess?
    public let description: String?
    /// Named values, in file order.
    public let values: [NamedValue]
    public let line: Int

    public struct NamedValue: Sendable, Equatable {
        public let name: String
        public let value: UInt64

        public init(name: String, value: UInt64) {
            self.name = name
            self.value = value
        }
    }

    public init(name: String, low: Int, high: Int, access: RegisterAccess? = nil, description: String? = nil,
                values: [NamedValue] = [], line: Int = 0) {
        self.name = name
        self.low = low
        self.high = high
        self.access = access
        self.description = description
        self.values = values
        self.line = line
    }

    public var bitCount: Int { high - low + 1 }
    /// The field's bits in place.
    public var mask: UInt64 { (bitCount == 64 ? UInt64.max : (1 << UInt64(bitCount)) - 1) << UInt64(low) }
    public var largest: UInt64 { mask >> UInt64(low) }
    public var bitsText: String { high == low ? "[\(low)]" : "[\(high):\(low)]" }

    public func extract(_ register: UInt64) -> UInt64 { (register & mask) >> UInt64(low) }
    public func meaning(of value: UInt64) -> String? { values.first { $0.value == value }?.name }
}

/// One register of a map.
public struct RegisterDefinition: Sendable, Equatable {
    public let name: String
    public let bar: Int
    public let offset: UInt64
    public let width: Width
    public let access: RegisterAccess
    public let reset: UInt64?
    public let description: String?
    public let fields: [RegisterField]
    public let line: Int
    /// `"byteOrder": "big"` (on the register or its map): values byte-swapped as with --big-endian.
    public let bigEndian: Bool

    public init(name: String, bar: Int, offset: UInt64, width: Width, access: RegisterAccess = .rw, reset: UInt64? = nil,
                description: String? = nil, fields: [RegisterField] = [], line: Int = 0, bigEndian: Bool = false) {
        self.bigEndian = bigEndian
        self.name = name
        self.bar = bar
        self.offset = offset
        self.width = width
        self.access = access
        self.reset = reset
        self.description = description
        self.fields = fields
        self.line = line
    }

    public var end: UInt64 { offset + UInt64(width.bytes) }

    /// What a read-modify-write of the bits in `mask` must put in the others so that writing
    /// them does nothing: 0 in write-one fields (w1c, w1s, w1t), 1 in write-zero ones; and
    /// the fields any write acts on (wclr, wset), which it cannot spare.
    public struct NeutralBits: Equatable {
        public var zeros: UInt64 = 0
        public var ones: UInt64 = 0
        public var note: String? = nil
    }

    public func neutralBits(outside mask: UInt64) -> NeutralBits {
        var bits = NeutralBits()
        var notes: [String] = []
        var covered: UInt64 = 0
        func keep(_ bitsMask: UInt64, _ access: RegisterAccess, _ name: String) {
            guard bitsMask & mask == 0, access.writeHasSideEffects else { return }
            switch access.neutralBit {
            case 0?: bits.zeros |= bitsMask; notes.append("\(name) is \(access.rawValue): written 0")
            case 1?: bits.ones |= bitsMask; notes.append("\(name) is \(access.rawValue): written 1")
            default: notes.append("\(name) is \(access.rawValue): this write acts on it too")
            }
        }
        for field in fields {
            covered |= field.mask
            keep(field.mask, field.access ?? access, self.name + "." + field.name)
        }
        keep(width.mask & ~covered & ~mask, access, name)
        bits.note = notes.isEmpty ? nil : notes.joined(separator: "; ")
        return bits
    }

    /// The bits of `mask` whose writes store what is written (what --verify can compare).
    public func storedBits(in mask: UInt64) -> UInt64 {
        var stored = mask
        var covered: UInt64 = 0
        for field in fields {
            covered |= field.mask
            if (field.access ?? access).writeHasSideEffects { stored &= ~field.mask }
        }
        if access.writeHasSideEffects { stored &= covered }
        return stored
    }

    public func field(_ name: String) -> RegisterField? { fields.first { $0.name == name } }
}

/// A device's registers, from a map file (see `Maps/` for examples).
public struct RegisterMap: Sendable {
    public let file: String
    public let name: String?
    /// `vendor:device` pairs the map applies to.
    public let devices: [DeviceID]
    public let registers: [RegisterDefinition]
    /// Where each BAR's offset 0 sits in the address space the map was written for (an SVD
    /// peripheral's `baseAddress`), when the map says; BAR offsets do not depend on it.
    public let bases: [Int: UInt64]
    /// Index of each register by BAR and name, and by BAR and offset: a map of 100,000
    /// registers answers a script's every line without a scan.
    private let byName: [NameKey: Int]
    private let byOffset: RegisterOffsetIndex

    private struct NameKey: Hashable, Sendable { let bar: Int; let name: String }

    public struct DeviceID: Sendable, Equatable, CustomStringConvertible {
        public let vendor: UInt16
        public let device: UInt16
        public var description: String { hex(vendor, digits: 4) + ":" + hex(device, digits: 4) }

        public init(vendor: UInt16, device: UInt16) {
            self.vendor = vendor
            self.device = device
        }
    }

    public init(file: String, name: String? = nil, devices: [DeviceID], registers: [RegisterDefinition], bases: [Int: UInt64] = [:]) {
        self.file = file
        self.name = name
        self.devices = devices
        self.registers = registers
        self.bases = bases
        var byName: [NameKey: Int] = [:]
        byName.reserveCapacity(registers.count)
        // The first of two with one name or offset wins, as the scans did (map check reports
        // the second): filled from the last, so each key is hashed once.
        for index in registers.indices.reversed() {
            byName[NameKey(bar: registers[index].bar, name: registers[index].name)] = index
        }
        self.byName = byName
        byOffset = RegisterOffsetIndex(registers)
    }

    public func applies(to device: PCIDevice) -> Bool {
        devices.contains { $0.vendor == device.vendorID && $0.device == device.deviceID }
    }

    public func register(named name: String, bar: Int) -> RegisterDefinition? {
        byName[NameKey(bar: bar, name: name)].map { registers[$0] }
    }

    public func register(at offset: UInt64, bar: Int) -> RegisterDefinition? {
        byOffset.register(at: offset, bar: bar).map { registers[$0] }
    }

    /// The BARs the map has registers in, ascending.
    public var bars: [Int] { byOffset.bars }

    /// Registers of `bar` lying wholly inside `region`, by offset.
    public func registers(bar: Int, in region: Range<UInt64>) -> [RegisterDefinition] {
        byOffset.registers(bar: bar, startingIn: region).map { registers[$0] }.filter { $0.end <= region.upperBound }
    }

    /// Registers of `bar` sharing at least one byte with `region` (a register is at most 8
    /// bytes, so one starting up to 7 bytes before it may reach in).
    public func registers(bar: Int, overlapping region: Range<UInt64>) -> [RegisterDefinition] {
        let from = region.lowerBound >= 7 ? region.lowerBound - 7 : 0
        return byOffset.registers(bar: bar, startingIn: from..<region.upperBound).map { registers[$0] }
            .filter { $0.end > region.lowerBound }
    }
}

/// A mistake in a map file, at its line.
public struct MapProblem: Error, Equatable, CustomStringConvertible {
    public let file: String
    public let line: Int
    public let message: String

    public init(file: String, line: Int, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String { "\(file):\(line): \(message)" }
}
