/// `pcimmio snapshot`: one device's state as one JSON document: identity, driver, time, the
/// config space bytes, and every readable register of its map at its width (registers whose
/// read has side effects, and write-only ones, are skipped as `dump --decode` skips them), or,
/// without a map, the BAR regions asked for. `diff` compares two of them, or one with `live`.
public struct DeviceSnapshot: Sendable, Equatable {
    public struct Register: Sendable, Equatable {
        public let bar: Int
        /// The map's name; nil for a register of a plain region.
        public let name: String?
        public let offset: UInt64
        public let width: Width
        public var value: UInt64
        /// The map's fields, kept so `diff` decodes without the map.
        public var fields: [RegisterField] = []
        /// Read byte-swapped (the map's `byteOrder`, or --big-endian), as a live read must be.
        public var bigEndian = false
    }

    public let slot: String
    public let vendorID: UInt16
    public let deviceID: UInt16
    public let driver: String?
    public let time: Int
    public let config: [UInt8]
    public let registers: [Register]
    /// Map registers left out (`wo`, `rc`), by name.
    public let skipped: [String]
    /// The `--region BAR:REGION` specs the registers came from (kept, so `live` reads the same).
    public let regions: [String]

    /// Reads it from the device now. `regions` are used when the device has no map; with
    /// neither, only `configOnly` makes a snapshot (of config space alone).
    public static func take(_ session: RegisterSession, _ selector: DeviceSelector, regions: [String],
                            configOnly: Bool = false) throws(PCIMMIOError) -> DeviceSnapshot {
        let device = try session.device(selector)
        let map = configOnly || !regions.isEmpty ? nil : try session.maps.map(for: device)
        if map == nil, regions.isEmpty, !configOnly {
            throw .usage("no register map for \(device.slot) [\(hex(device.vendorID, digits: 4)):\(hex(device.deviceID, digits: 4))] and no --region: give --map FILE, --region BAR:REGION[:WIDTH], or --config-only for config space alone")
        }
        let config = try session.configSpace(selector).bytes()
        var registers: [Register] = []
        var skipped: [String] = []
        if let map {
            for definition in map.registers {
                guard definition.access.safeToRead else {
                    skipped.append(definition.name)
                    continue
                }
                let target = try RegisterTarget(place: .bar(selector, index: definition.bar))
                let resolved = ResolvedRegister(offset: definition.offset, width: definition.width, definition: definition,
                                                bigEndian: RegisterResolver.bigEndian(target, definition))
                let plan = try session.plan(target, resolved, mode: .read)
                let value = try session.window(for: plan, bigEndian: resolved.bigEndian).read(definition.width, at: definition.offset)
                registers.append(Register(bar: definition.bar, name: definition.name, offset: definition.offset, width: definition.width, value: value,
                                          fields: definition.fields, bigEndian: resolved.bigEndian))
            }
        } else {
            for spec in regions {
                let (bar, region, width) = try parseRegion(spec)
                let target = try RegisterTarget(place: .bar(selector, index: BARNumber.parse(bar)), width: width)
                let plan = try session.plan(target, region: region)
                // Checked before reading: each register is a few hundred bytes of document.
                guard registers.count + plan.count <= Self.mostRegisters else {
                    throw .usage("--region \(spec): a snapshot holds at most \(Self.mostRegisters) registers (this would make \(registers.count + plan.count)); for bulk contents use dump --format raw")
                }
                let values = try session.window(for: plan).read(plan.width, at: plan.offset, count: plan.count)
                for (index, value) in values.enumerated() {
                    registers.append(Register(bar: plan.location.barIndex ?? 0, name: nil, offset: plan.offset + UInt64(index * plan.width.bytes),
                                              width: plan.width, value: value))
                }
            }
        }
        return DeviceSnapshot(slot: device.slot, vendorID: device.vendorID, deviceID: device.deviceID, driver: device.driver,
                              time: WallClock.now().tv_sec, config: config, registers: registers, skipped: skipped, regions: regions)
    }

    /// `device` read now the way `reference` was read: the same registers (BAR, offset, width,
    /// byte order), names and fields, whatever maps there are now. A reference of another
    /// device of the same kind compares the two.
    public static func take(_ session: RegisterSession, _ selector: DeviceSelector, like reference: DeviceSnapshot) throws(PCIMMIOError) -> DeviceSnapshot {
        let device = try session.device(selector)
        guard device.vendorID == reference.vendorID, device.deviceID == reference.deviceID else {
            throw .usage("\(device.slot) [\(hex(device.vendorID, digits: 4)):\(hex(device.deviceID, digits: 4))] and the snapshot's \(reference.slot) [\(hex(reference.vendorID, digits: 4)):\(hex(reference.deviceID, digits: 4))] are devices of different kinds")
        }
        let config = try session.configSpace(selector).bytes()
        var registers: [Register] = []
        for register in reference.registers {
            let target = try RegisterTarget(place: .bar(selector, index: register.bar))
            let resolved = ResolvedRegister(offset: register.offset, width: register.width, definition: nil, bigEndian: register.bigEndian)
            let plan = try session.plan(target, resolved, mode: .read)
            var now = register
            now.value = try session.window(for: plan, bigEndian: register.bigEndian).read(register.width, at: register.offset)
            registers.append(now)
        }
        return DeviceSnapshot(slot: device.slot, vendorID: device.vendorID, deviceID: device.deviceID, driver: device.driver,
                              time: WallClock.now().tv_sec, config: config, registers: registers, skipped: reference.skipped,
                              regions: reference.regions)
    }

    /// The most registers one snapshot holds (about 60 MB of JSON): snapshots are for
    /// registers; a BAR's bulk contents are a raw dump's (issue 22 group D).
    public static let mostRegisters = 262_144

    /// `BAR:REGION[:WIDTH]`, e.g. `0:0+0x100` or `2:0x1000+64:16`.
    static func parseRegion(_ spec: String) throws(PCIMMIOError) -> (String, Region, String?) {
        let parts = spec.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2 || parts.count == 3 else {
            throw .usage("--region '\(spec)': expected BAR:REGION or BAR:REGION:WIDTH, like 0:0+0x100")
        }
        return (parts[0], try Region(parsing: parts[1]), parts.count == 3 ? parts[2] : nil)
    }

    public init(slot: String, vendorID: UInt16, deviceID: UInt16, driver: String?, time: Int, config: [UInt8],
                registers: [Register], skipped: [String], regions: [String]) {
        self.slot = slot
        self.vendorID = vendorID
        self.deviceID = deviceID
        self.driver = driver
        self.time = time
        self.config = config
        self.registers = registers
        self.skipped = skipped
        self.regions = regions
    }

    public var json: JSON {
        .object([
            ("snapshot", .number(1)),
            ("device", .string(slot)), ("vendor", .number(UInt64(vendorID))), ("deviceID", .number(UInt64(deviceID))),
            ("driver", .string(driver)), ("time", .number(UInt64(max(time, 0)))),
            ("config", .string(config.map { hex($0, digits: 2) }.joined())),
            ("registers", .array(registers.map { register in
                .object([("bar", .number(UInt64(register.bar))), ("name", .string(register.name)),
                         ("offset", .number(register.offset)), ("width", .number(UInt64(register.width.bits))),
                         ("value", .value(register.value, width: register.width))]
                        + (register.bigEndian ? [("bigEndian", JSON.bool(true))] : [])
                        + (register.fields.isEmpty ? [] : [("fields", JSON.array(register.fields.map(Self.json)))]))
            })),
            ("skipped", .array(skipped.map { .string($0) })),
            ("regions", .array(regions.map { .string($0) })),
        ])
    }

    /// A snapshot file, as `json` wrote it.
    public init(parsing bytes: [UInt8], file: String) throws(PCIMMIOError) {
        let root: JSONNode
        do { root = try JSONParser.parse(bytes) } catch {
            throw .usage("\(file):\(error.line): \(error.message) (expected a pcimmio snapshot)")
        }
        func bad(_ what: String) -> PCIMMIOError { .usage("\(file): not a pcimmio snapshot (\(what))") }
        func number(_ node: JSONNode?) -> UInt64? {
            guard case let .number(text, _)? = node else { return nil }
            return UInt64(text)
        }
        func string(_ node: JSONNode?) -> String? {
            guard case let .string(text, _)? = node else { return nil }
            return text
        }
        // Values are hex strings since issue 21; older snapshots hold numbers.
        func hexValue(_ node: JSONNode?) -> UInt64? {
            guard let text = string(node), text.hasPrefix("0x") else { return nil }
            return UInt64(text.dropFirst(2), radix: 16)
        }
        guard number(root["snapshot"]) == 1 else { throw bad("no \"snapshot\": 1") }
        guard let slot = string(root["device"]), let vendor = number(root["vendor"]), let device = number(root["deviceID"]),
              let configText = string(root["config"]), configText.count % 2 == 0 else { throw bad("device, vendor, deviceID or config missing") }
        var config: [UInt8] = []
        var index = configText.startIndex
        while index < configText.endIndex {
            let next = configText.index(index, offsetBy: 2)
            guard let byte = UInt8(configText[index..<next], radix: 16) else { throw bad("config is not hex") }
            config.append(byte)
            index = next
        }
        var registers: [Register] = []
        if case let .array(items, _)? = root["registers"] {
            for item in items {
                guard let bar = number(item["bar"]), let offset = number(item["offset"]), let bits = number(item["width"]),
                      let value = number(item["value"]) ?? hexValue(item["value"]) else { throw bad("a register lacks bar, offset, width or value") }
                // Numbers from the file are checked, never converted with a trap.
                guard let width = Int(exactly: bits).flatMap(Width.init(rawValue:)) else { throw bad("width \(bits) is not 8, 16, 32 or 64") }
                guard bar <= UInt64(BAR.romIndex) else { throw bad("BAR \(bar) is not 0-\(BAR.romIndex)") }
                guard value & ~width.mask == 0 else { throw bad("value 0x\(String(value, radix: 16)) does not fit \(width.bits) bits") }
                var register = Register(bar: Int(bar), name: string(item["name"]), offset: offset, width: width, value: value)
                register.bigEndian = item["bigEndian"].map { if case .bool(true, _) = $0 { return true } else { return false } } ?? false
                if case let .array(fields, _)? = item["fields"] {
                    register.fields = try fields.map { (field) throws(PCIMMIOError) in
                        guard let parsed = Self.field(field, string: string, hexValue: hexValue) else { throw bad("a field lacks name or bits") }
                        return parsed
                    }
                }
                registers.append(register)
            }
        }
        var skipped: [String] = []
        if case let .array(items, _)? = root["skipped"] { skipped = items.compactMap { string($0) } }
        var regions: [String] = []
        if case let .array(items, _)? = root["regions"] { regions = items.compactMap { string($0) } }
        let time = number(root["time"]) ?? 0
        guard let seconds = Int(exactly: time) else { throw bad("time \(time) is past any date") }
        self.init(slot: slot, vendorID: UInt16(truncatingIfNeeded: vendor), deviceID: UInt16(truncatingIfNeeded: device),
                  driver: string(root["driver"]), time: seconds, config: config,
                  registers: registers, skipped: skipped, regions: regions)
    }

    /// A field as a snapshot keeps it: `{"name", "bits": "7" or "3:0", "values": {"ON": "0x1"}}`.
    static func json(_ field: RegisterField) -> JSON {
        .object([("name", .string(field.name)), ("bits", .string(field.high == field.low ? "\(field.low)" : "\(field.high):\(field.low)")),
                 ("values", .object(field.values.map { ($0.name, JSON.fieldValue($0.value)) }))])
    }

    static func field(_ node: JSONNode, string: (JSONNode?) -> String?, hexValue: (JSONNode?) -> UInt64?) -> RegisterField? {
        guard let name = string(node["name"]), let bits = string(node["bits"]) else { return nil }
        let ends = bits.split(separator: ":").map { Int($0) }
        guard let high = ends.first ?? nil, let low = ends.last ?? nil, low >= 0, low <= high, high < 64 else { return nil }
        var values: [RegisterField.NamedValue] = []
        if case let .object(members, _)? = node["values"] {
            for (key, value) in members {
                guard let number = hexValue(value) else { return nil }
                values.append(RegisterField.NamedValue(name: key, value: number))
            }
        }
        return RegisterField(name: name, low: low, high: high, values: values)
    }
}
