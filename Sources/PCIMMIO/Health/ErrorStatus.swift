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

    /// One snapshot, walking the function's chains to find its registers (HealthMonitor keeps
    /// an ErrorStatusReader per config space, which walks them once).
    public static func read(_ space: ConfigSpace) throws(PCIMMIOError) -> ErrorStatus {
        try ErrorStatusReader(space).read()
    }

    /// The error bits of the header's STATUS register, flagged as lspci's `Status:` line flags them.
    static let statusBits: [StatusBit] = [
        StatusBit(8, "ParErr", "Master Data Parity Error"),
        StatusBit(11, ">TAbort", "Signaled Target Abort"),
        StatusBit(12, "<TAbort", "Received Target Abort"),
        StatusBit(13, "<MAbort", "Received Master Abort"),
        StatusBit(14, ">SERR", "Signaled System Error"),
        StatusBit(15, "<PERR", "Detected Parity Error"),
    ]

    /// The error conditions set now that were clear in `before`, named, with where they show.
    public func raised(since before: ErrorStatus) -> [String] {
        func named(_ now: UInt32, _ then: UInt32, _ bits: [StatusBit], _ register: String) -> [String] {
            bits.filter { now & $0.mask != 0 && then & $0.mask == 0 }.map { $0.name + " (" + register + ")" }
        }
        return named(uncorrectable, before.uncorrectable, AERCapability.uncorrectableBits, "AER uncorrectable status")
            + named(correctable, before.correctable, AERCapability.correctableBits, "AER correctable status")
            + named(UInt32(deviceStatus), UInt32(before.deviceStatus), ExpressCapability.deviceStatusErrorBits, "Express DevSta")
            + named(UInt32(status), UInt32(before.status), Self.statusBits, "STATUS")
    }
}
