/// Advanced Error Reporting (extended capability 0x0001): the uncorrectable and correctable
/// error status, mask and severity registers, with the set bits named.
public struct AERCapability: Equatable {
    /// Uncorrectable error bits: lspci's names first (the ones it prints), then the newer ones.
    public static let uncorrectableBits: [(Int, String)] = [
        (4, "DLP"), (5, "SDES"), (12, "TLP"), (13, "FCP"), (14, "CmpltTO"), (15, "CmpltAbrt"),
        (16, "UnxCmplt"), (17, "RxOF"), (18, "MalfTLP"), (19, "ECRC"), (20, "UnsupReq"), (21, "ACSViol"),
        (22, "UncorrIntErr"), (23, "BlockedTLP"), (24, "AtomicOpBlocked"), (25, "TLPBlockedErr"), (26, "PoisonTLPBlocked"),
    ]
    public static let correctableBits: [(Int, String)] = [
        (0, "RxErr"), (6, "BadTLP"), (7, "BadDLLP"), (8, "Rollover"), (12, "Timeout"), (13, "AdvNonFatalErr"),
        (14, "CorrIntErr"), (15, "HeaderOF"),
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
    static func flags(_ value: UInt32, _ table: [(Int, String)], lspciCount: Int) -> String {
        let known = table.prefix(lspciCount).map { flag($0.1, bit(value, $0.0)) }
        let newer = table.dropFirst(lspciCount).filter { bit(value, $0.0) }.map { $0.1 + "+" }
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
        func names(_ value: UInt32, _ table: [(Int, String)]) -> JSON { .array(setBitNames(value, table).map(JSON.string)) }
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
