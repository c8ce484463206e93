/// How software may use a register or field. `rc` marks read-to-clear and other reads with
/// side effects: `dump --map` does not read those (nor `wo`) unless asked.
public enum RegisterAccess: String, Sendable, CaseIterable {
    case rw, ro, wo, rc

    public var readHasSideEffects: Bool { self == .rc }
    public var readable: Bool { self != .wo }
    /// rc registers may still be written (write-one-to-clear status, for one).
    public var writable: Bool { self != .ro }
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

    public func field(_ name: String) -> RegisterField? { fields.first { $0.name == name } }
}

/// A device's registers, from a map file (see `Maps/` for examples).
public struct RegisterMap: Sendable {
    public let file: String
    public let name: String?
    /// `vendor:device` pairs the map applies to.
    public let devices: [DeviceID]
    public let registers: [RegisterDefinition]

    public struct DeviceID: Sendable, Equatable, CustomStringConvertible {
        public let vendor: UInt16
        public let device: UInt16
        public var description: String { hex(vendor, digits: 4) + ":" + hex(device, digits: 4) }
    }

    public func applies(to device: PCIDevice) -> Bool {
        devices.contains { $0.vendor == device.vendorID && $0.device == device.deviceID }
    }

    public func register(named name: String, bar: Int) -> RegisterDefinition? {
        registers.first { $0.bar == bar && $0.name == name }
    }

    public func register(at offset: UInt64, bar: Int) -> RegisterDefinition? {
        registers.first { $0.bar == bar && $0.offset == offset }
    }

    /// Registers of `bar` lying wholly inside `region`, by offset.
    public func registers(bar: Int, in region: Range<UInt64>) -> [RegisterDefinition] {
        registers.filter { $0.bar == bar && region.lowerBound <= $0.offset && $0.offset + UInt64($0.width.bytes) <= region.upperBound }
            .sorted { $0.offset < $1.offset }
    }
}

/// A mistake in a map file, at its line.
public struct MapProblem: Error, Equatable, CustomStringConvertible {
    public let file: String
    public let line: Int
    public let message: String

    public var description: String { "\(file):\(line): \(message)" }
}
