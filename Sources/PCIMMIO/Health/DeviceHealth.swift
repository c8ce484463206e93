/// What config space says about whether a function can answer on its BARs at all: present
/// (vendor ID not 0xffff), decoding on (COMMAND's Memory Space and I/O Space bits), and in D0
/// (the Power Management capability's PMCSR). Config reads only: never a BAR read.
public struct DeviceHealth: Sendable, Equatable {
    public let vendorID: UInt16
    public let command: UInt16
    /// 0-3 for D0-D3hot; nil without a PM capability.
    public let powerState: Int?
    /// Where the PM capability is, for the remedy.
    public let powerCapability: Int?

    public init(vendorID: UInt16, command: UInt16, powerState: Int?, powerCapability: Int?) {
        self.vendorID = vendorID
        self.command = command
        self.powerState = powerState
        self.powerCapability = powerCapability
    }

    public static func read(_ space: ConfigSpace) throws(PCIMMIOError) -> DeviceHealth {
        let vendor = UInt16(try space.read(.w16, at: 0x00))
        guard vendor != 0xffff else { return DeviceHealth(vendorID: vendor, command: 0xffff, powerState: nil, powerCapability: nil) }
        let command = UInt16(try space.read(.w16, at: 0x04))
        let pm = try CapabilityLocator.offset(of: KnownCapability.powerManagement.id, extended: false, instance: 0, in: space)
        let state = try pm.map { (offset) throws(PCIMMIOError) in Int(try space.read(.w16, at: offset + 4) & 0x3) }
        return DeviceHealth(vendorID: vendor, command: command, powerState: state, powerCapability: pm)
    }

    public var isGone: Bool { vendorID == 0xffff }

    public func decodes(_ kind: BARKind) -> Bool {
        command & (kind == .io ? 0x1 : 0x2) != 0
    }

    public var powerStateName: String? { powerState.map { $0 == 3 ? "D3hot" : "D\($0)" } }

    /// One sentence per reason the BAR cannot answer, each with its remedy.
    public func problems(slot: String, kind: BARKind) -> [String] {
        if isGone {
            return ["\(slot) reads vendor ID 0xffff in config space: the device is gone or its link is down (check lspci, dmesg, the slot's power)"]
        }
        var problems: [String] = []
        if !decodes(kind) {
            let bit = kind == .io ? "I/O Space" : "Memory Space"
            let mask = kind == .io ? "0x1:0x1" : "0x2:0x2"
            problems.append("\(slot) has \(kind == .io ? "I/O" : "memory") decoding disabled (COMMAND 0x\(hex(command, digits: 4)): \(bit) bit clear), so its BARs read all ones and drop writes; enable it with 'pcimmio enable \(slot)' or 'pcimmio config \(slot) COMMAND.W=\(mask)'")
        }
        if let powerState, powerState != 0, let at = powerCapability {
            problems.append("\(slot) is in \(powerStateName!) (PM capability at 0x\(hex(at, digits: 2))), so its BARs may read all ones; bring it to D0 with 'pcimmio config \(slot) CAP_PM+4.W=0:3' or by binding its driver")
        }
        return problems
    }

    /// For a read that returned all ones: what was checked and found.
    public func explainAllOnes(slot: String, kind: BARKind) -> String {
        if isGone { return "vendor ID reads 0xffff: the device is gone or its link is down" }
        var found: [String] = []
        if !decodes(kind) { found.append("\(kind == .io ? "I/O" : "memory") decoding is disabled (COMMAND 0x\(hex(command, digits: 4)))") }
        if let powerState, powerState != 0 { found.append("the function is in \(powerStateName!)") }
        if found.isEmpty {
            return "vendor ID 0x\(hex(vendorID, digits: 4)), \(kind == .io ? "I/O" : "memory") decoding on, \(powerStateName ?? "no PM capability"): nothing in config space explains it, the register may really hold all ones"
        }
        return found.joined(separator: ", and ")
    }

    /// For trace lines and JSON: nil when all is well.
    public func stateSummary(kind: BARKind) -> String? {
        if isGone { return "device gone (vendor ID 0xffff)" }
        var parts: [String] = []
        if !decodes(kind) { parts.append("decoding disabled") }
        if let powerState, powerState != 0 { parts.append(powerStateName!) }
        return parts.isEmpty ? nil : parts.joined(separator: ", ")
    }
}
