/// Power Management (capability 0x01): the version and the current power state, the first
/// thing to check when a BAR reads all ones (a function in D3hot answers config reads only).
public struct PowerManagementCapability: Equatable {
    public let version: Int
    /// PowerState, bits 1:0 of PMCSR: 0-3 for D0-D3hot (D3cold cannot be read at all).
    public let powerState: Int
    public let noSoftReset: Bool
    public let pmeEnabled: Bool
    public let pmeStatus: Bool

    public init(at offset: Int, in config: some ConfigRegisters) throws(PCIMMIOError) {
        let capabilities = try config.word(at: offset + 2)
        let control = try config.word(at: offset + 4)
        version = Int(capabilities & 0x7)
        powerState = Int(control & 0x3)
        noSoftReset = bit(control, 3)
        pmeEnabled = bit(control, 8)
        pmeStatus = bit(control, 15)
    }

    /// D0, D1, D2 or D3hot.
    public var powerStateName: String { powerState == 3 ? "D3hot" : "D\(powerState)" }

    func describe(into decoded: inout DecodedCapability) {
        decoded.version = version
        decoded.lines = ["Status: \(powerStateName) \(flag("NoSoftRst", noSoftReset)) \(flag("PME-Enable", pmeEnabled)) \(flag("PME", pmeStatus))"]
        decoded.fields = [
            ("powerState", .string(powerStateName)),
            ("noSoftReset", .bool(noSoftReset)),
            ("pmeEnabled", .bool(pmeEnabled)),
            ("pmeStatus", .bool(pmeStatus)),
        ]
    }
}
