/// One register write, checked before anything is touched: the value (and mask) fit the
/// width, and a masked value has no bits outside its mask.
public struct Poke: Sendable, Equatable {
    public let width: Width
    public let value: UInt64
    /// Only these bits change: one read, then one write of `(old & ~mask) | value`.
    public let mask: UInt64?
    /// Read back after writing and fail unless the written bits (the masked ones) match.
    public let verify: Bool
    /// Bits outside the mask written 0 or 1 whatever was read: fields where writing back the
    /// old value would act (a w1c field's 1 clears it). `neutralNote` says which, for --dry-run.
    public private(set) var clearing: UInt64 = 0
    public private(set) var setting: UInt64 = 0
    public private(set) var neutralNote: String? = nil
    /// The bits --verify compares: the mask less fields whose writes do not store.
    public private(set) var verified: UInt64? = nil

    public init(width: Width, value: UInt64, mask: UInt64? = nil, verify: Bool = false) throws(PCIMMIOError) {
        guard value & ~width.mask == 0 else { throw .valueTooWide(value: value, width: width) }
        if let mask {
            guard mask & ~width.mask == 0 else { throw .maskTooWide(mask: mask, width: width) }
            guard value & ~mask == 0 else {
                throw .usage("value \(formatRegister(value, width: width)) has bits outside mask \(formatRegister(mask, width: width)) (bits 0x\(String(value & ~mask, radix: 16))); they would not be written")
            }
        }
        self.width = width
        self.value = value
        self.mask = mask
        self.verify = verify
    }

    /// The same write with the map's write-side-effect fields kept neutral (RegisterDefinition.neutralBits).
    func keeping(_ neutral: RegisterDefinition.NeutralBits, verified: UInt64?) -> Poke {
        var poke = self
        poke.clearing = neutral.zeros
        poke.setting = neutral.ones
        poke.neutralNote = neutral.note
        poke.verified = verified
        return poke
    }

    /// Whether applying it reads the register first: a mask that leaves bits unchanged.
    public var readsFirst: Bool { mask.map { $0 != width.mask } ?? false }

    /// What --dry-run prints: the write that would happen, without reading anything.
    public func describe(_ location: AccessLocation, offset: UInt64) -> String {
        let place = location.describe(offset: offset) + " (\(width.bits)-bit)"
        guard let mask, readsFirst else { return "would write \(formatRegister(value, width: width)) to \(place)" }
        var formula = "(old & ~\(formatRegister(mask | clearing, width: width)))"
        if setting != 0 { formula += " | \(formatRegister(setting, width: width))" }
        return "would read \(place), then write \(formula) | \(formatRegister(value, width: width))" + (neutralNote.map { " (\($0))" } ?? "")
    }

    /// What is written over a register that held `old` (read only when `readsFirst`): the
    /// one read-modify-write formula, for BARs and config space alike.
    public func written(over old: UInt64) -> UInt64 {
        guard let mask, readsFirst else { return value }
        return old & ~mask & ~clearing | setting & ~mask | value
    }

    /// Performs the poke; returns the value written.
    @discardableResult
    public func apply(to window: RegisterWindow, at offset: UInt64) throws(PCIMMIOError) -> UInt64 {
        let written = written(over: readsFirst ? try window.read(width, at: offset) : 0)
        try window.write(width, at: offset, value: written)
        if verify {
            let readBack = try window.read(width, at: offset)
            let compared = verified ?? mask ?? width.mask
            if readBack & compared != written & compared {
                throw .verifyMismatch(offset: offset, wrote: formatRegister(written, width: width),
                                      read: formatRegister(readBack, width: width))
            }
        }
        return written
    }
}
