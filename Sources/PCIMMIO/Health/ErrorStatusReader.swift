/// Reads one function's ErrorStatus snapshots. Its Express and AER capabilities do not move,
/// so their offsets are found by one walk of its chains and every later snapshot reads only
/// the four status registers (a `run` script with --check-errors takes two per access).
final class ErrorStatusReader {
    let space: ConfigSpace
    /// Where the walk found the capabilities (nil inside: the function has none); nil until
    /// the first walk.
    private var located: (express: Int?, aer: Int?)?

    init(_ space: ConfigSpace) { self.space = space }

    func read() throws(PCIMMIOError) -> ErrorStatus {
        let status = UInt16(try space.read(.w16, at: 0x06))
        var snapshot = ErrorStatus(status: status & UInt16(ErrorStatus.statusBits.mask))
        // A function that reads all ones (gone, its link down) has no chain to walk, and its
        // capabilities are looked for again once it answers.
        guard status != 0xffff else { return snapshot }
        let (express, aer) = try capabilities()
        if let express {
            snapshot.deviceStatus = UInt16(try space.read(.w16, at: express + 0x0a)) & UInt16(ExpressCapability.deviceStatusErrorBits.mask)
        }
        if let aer {
            snapshot.uncorrectable = try space.read(.w32, at: aer + 0x04)
            snapshot.correctable = try space.read(.w32, at: aer + 0x10)
        }
        return snapshot
    }

    private func capabilities() throws(PCIMMIOError) -> (express: Int?, aer: Int?) {
        if let located { return located }
        let chain = try CapabilityChain(walking: CachedConfigRegisters(space))
        let found = (express: chain.entries(of: KnownCapability.express).first?.offset,
                     aer: chain.entries(of: KnownCapability.advancedErrorReporting).first?.offset)
        located = found
        return found
    }
}
