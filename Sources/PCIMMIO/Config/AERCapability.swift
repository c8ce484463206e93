/// Advanced Error Reporting (extended capability 0x0001): the uncorrectable and correctable
/// error status, mask and severity registers, with the set bits named.
public struct AERCapability: Equatable {
    /// Uncorrectable error bits: lspci's names first (the ones it prints), then the newer ones.
    public static let uncorrectableBits: [StatusBit] = [
        StatusBit(4, "DLP", "Data Link Protocol Error"),
        StatusBit(5, "SDES", "Surprise Down"),
        StatusBit(12, "TLP", "Poisoned TLP"),
        StatusBit(13, "FCP", "Flow Control Protocol Error"),
        StatusBit(14, "CmpltTO", "Completion Timeout"),
        StatusBit(15, "CmpltAbrt", "Completer Abort"),
        StatusBit(16, "UnxCmplt", "Unexpected Completion"),
        StatusBit(17, "RxOF", "Receiver Overflow"),
        StatusBit(18, "MalfTLP", "Malformed TLP"),
        StatusBit(19, "ECRC", "ECRC Error"),
        StatusBit(20, "UnsupReq", "Unsupported Request"),
        StatusBit(21, "ACSViol", "ACS Violation"),
        StatusBit(22, "UncorrIntErr", "Uncorrectable Internal Error"),
        StatusBit(23, "BlockedTLP", "MC Blocked TLP"),
        StatusBit(24, "AtomicOpBlocked", "AtomicOp Egress Blocked"),
        StatusBit(25, "TLPBlockedErr", "TLP Prefix Blocked"),
        StatusBit(26, "PoisonTLPBlocked", "Poisoned TLP Egress Blocked"),
    ]
    public static let correctableBits: [StatusBit] = [
        StatusBit(0, "RxErr", "Receiver Error"),
        StatusBit(6, "BadTLP", "Bad TLP"),
        StatusBit(7, "BadDLLP", "Bad DLLP"),
        StatusBit(8, "Rollover", "REPLAY_NUM Rollover"),
        StatusBit(12, "Timeout", "Replay Timer Timeout"),
        StatusBit(13, "AdvNonFatalErr", "Advisory Non-Fatal Error"),
        StatusBit(14, "CorrIntErr", "Corrected Internal Error"),
        StatusBit(15, "HeaderOF", "Header Log Overflow"),
    ]
    /// How many of each table lspci 3.9 prints as flags.
    static let lspciUncorrectable = 12
    static let lspciCorrectable = 6

    public let uncorrectableStatus: UInt32
    public let uncorrectableMask: UInt32
    public let uncorrectableSeverity: UInt32
    public let correctableStatus: UInt32
    public let correctableMask: UInt32

    public init(at offset: Int, in config: some ConfigRegisters) throws(PCIMMIOError) {
        uncorrectableStatus = try config.dword(at: offset + 0x4)
        uncorrectableMask = try config.dword(at: offset + 0x8)
        uncorrectableSeverity = try config.dword(at: offset + 0xC)
        correctableStatus = try config.dword(at: offset + 0x10)
        correctableMask = try config.dword(at: offset + 0x14)
    }

    /// lspci's flags for its bits, then the names of any newer bit that is set.
    static func flags(_ value: UInt32, _ table: [StatusBit], lspciCount: Int) -> String {
        let known = table.prefix(lspciCount).map { flag($0.flag, bit(value, $0.bit)) }
        let newer = table.dropFirst(lspciCount).filter { bit(value, $0.bit) }.map { $0.flag + "+" }
        return (known + newer).joined(separator: " ")
    }

    func describe(into decoded: inout DecodedCapability) {
        let u = Self.uncorrectableBits, c = Self.correctableBits
        decoded.lines = [
            "UESta: " + Self.flags(uncorrectableStatus, u, lspciCount: Self.lspciUncorrectable),
            "UEMsk: " + Self.flags(uncorrectableMask, u, lspciCount: Self.lspciUncorrectable),
            "UESvrt: " + Self.flags(uncorrectableSeverity, u, lspciCount: Self.lspciUncorrectable),
            "CESta: " + Self.flags(correctableStatus, c, lspciCount: Self.lspciCorrectable),
            "CEMsk: " + Self.flags(correctableMask, c, lspciCount: Self.lspciCorrectable),
        ]
        func names(_ value: UInt32, _ table: [StatusBit]) -> JSON { .array(setBitNames(value, table).map(JSON.string)) }
        decoded.fields = [
            ("uncorrectableStatus", .number(UInt64(uncorrectableStatus))),
            ("uncorrectableErrors", names(uncorrectableStatus, u)),
            ("uncorrectableMask", .number(UInt64(uncorrectableMask))),
            ("uncorrectableMasked", names(uncorrectableMask, u)),
            ("uncorrectableSeverity", .number(UInt64(uncorrectableSeverity))),
            ("correctableStatus", .number(UInt64(correctableStatus))),
            ("correctableErrors", names(correctableStatus, c)),
            ("correctableMask", .number(UInt64(correctableMask))),
            ("correctableMasked", names(correctableMask, c)),
        ]
    }
}
