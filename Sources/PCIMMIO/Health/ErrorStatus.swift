/// The error bits a device reports in config space: STATUS, the PCI Express Device Status,
/// and AER's uncorrectable and correctable status. Read before and after an access,
/// `--check-errors` names what the access raised.
public struct ErrorStatus: Sendable, Equatable {
    public var status: UInt16 = 0
    public var deviceStatus: UInt16 = 0
    public var uncorrectable: UInt32 = 0
    public var correctable: UInt32 = 0

    public init(status: UInt16 = 0, deviceStatus: UInt16 = 0, uncorrectable: UInt32 = 0, correctable: UInt32 = 0) {
        self.status = status
        self.deviceStatus = deviceStatus
        self.uncorrectable = uncorrectable
        self.correctable = correctable
    }

    public static func read(_ space: ConfigSpace) throws(PCIMMIOError) -> ErrorStatus {
        var snapshot = ErrorStatus()
        snapshot.status = UInt16(try space.read(.w16, at: 0x06)) & Self.statusBits.keys.reduce(0, |)
        if let express = try CapabilityLocator.offset(of: KnownCapability.express.id, extended: false, instance: 0, in: space) {
            snapshot.deviceStatus = UInt16(try space.read(.w16, at: express + 0x0a)) & 0xf
        }
        if let aer = try CapabilityLocator.offset(of: KnownCapability.advancedErrorReporting.id, extended: true, instance: 0, in: space) {
            snapshot.uncorrectable = try space.read(.w32, at: aer + 0x04)
            snapshot.correctable = try space.read(.w32, at: aer + 0x10)
        }
        return snapshot
    }

    static let statusBits: [UInt16: String] = [
        0x0100: "Master Data Parity Error", 0x0800: "Signaled Target Abort", 0x1000: "Received Target Abort",
        0x2000: "Received Master Abort", 0x4000: "Signaled System Error", 0x8000: "Detected Parity Error",
    ]
    static let deviceStatusBits: [UInt16: String] = [
        0x1: "Correctable Error Detected", 0x2: "Non-Fatal Error Detected", 0x4: "Fatal Error Detected",
        0x8: "Unsupported Request Detected",
    ]
    static let uncorrectableBits: [UInt32: String] = [
        1 << 4: "Data Link Protocol Error", 1 << 5: "Surprise Down", 1 << 12: "Poisoned TLP", 1 << 13: "Flow Control Protocol Error",
        1 << 14: "Completion Timeout", 1 << 15: "Completer Abort", 1 << 16: "Unexpected Completion", 1 << 17: "Receiver Overflow",
        1 << 18: "Malformed TLP", 1 << 19: "ECRC Error", 1 << 20: "Unsupported Request", 1 << 21: "ACS Violation",
        1 << 22: "Uncorrectable Internal Error", 1 << 23: "MC Blocked TLP", 1 << 24: "AtomicOp Egress Blocked",
        1 << 25: "TLP Prefix Blocked", 1 << 26: "Poisoned TLP Egress Blocked",
    ]
    static let correctableBits: [UInt32: String] = [
        1 << 0: "Receiver Error", 1 << 6: "Bad TLP", 1 << 7: "Bad DLLP", 1 << 8: "REPLAY_NUM Rollover",
        1 << 12: "Replay Timer Timeout", 1 << 13: "Advisory Non-Fatal Error", 1 << 14: "Corrected Internal Error",
        1 << 15: "Header Log Overflow",
    ]

    /// The error conditions set now that were clear in `before`, named, with where they show.
    public func raised(since before: ErrorStatus) -> [String] {
        func named<T: FixedWidthInteger>(_ now: T, _ then: T, _ names: [T: String], _ register: String) -> [String] {
            names.keys.sorted().filter { now & $0 != 0 && then & $0 == 0 }.map { names[$0]! + " (" + register + ")" }
        }
        return named(uncorrectable, before.uncorrectable, Self.uncorrectableBits, "AER uncorrectable status")
            + named(correctable, before.correctable, Self.correctableBits, "AER correctable status")
            + named(deviceStatus, before.deviceStatus, Self.deviceStatusBits, "Express DevSta")
            + named(status, before.status, Self.statusBits, "STATUS")
    }
}
