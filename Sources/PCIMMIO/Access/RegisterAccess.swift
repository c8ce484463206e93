/// The one read and the one write of a single register that every peek and poke makes,
/// one-shot or on a `run` line: --check-errors around the access, the note for a read of all
/// ones, and the register's byte order applied to the value (never to the access).
extension RegisterSession {
    /// One load of `plan.width` at `offset` (inside the plan's BAR); the value as the user sees it.
    /// `plan` names the device, BAR and width: any plan of the window's BAR will do.
    func readRegister(_ plan: AccessPlan, at offset: UInt64, through window: RegisterWindow, bigEndian: Bool) throws(PCIMMIOError) -> UInt64 {
        let width = plan.width
        var raw: UInt64 = 0
        try withUnsafeMutableBytes(of: &raw) { (bytes) throws(PCIMMIOError) in
            let register = UnsafeMutableRawBufferPointer(rebasing: bytes[0..<width.bytes])
            if checkErrors {
                try checkingErrors("peek", plan) { () throws(PCIMMIOError) in try window.read(width, at: offset, into: register) }
            } else {
                try window.read(width, at: offset, into: register)
            }
        }
        let value = UInt64(littleEndian: raw)
        if value == width.mask { noteIfAllOnes(plan, offset: offset, value: value) }
        return bigEndian ? value.byteSwapped(width) : value
    }

    /// The poke's one store (after one load when it has a mask, and one more with --verify);
    /// a big-endian register's values are swapped on their way, so messages show the user's.
    func writeRegister(_ poke: Poke, _ plan: AccessPlan, at offset: UInt64, through window: RegisterWindow, bigEndian: Bool) throws(PCIMMIOError) {
        let window = bigEndian ? ByteSwappedWindow(window) : window
        try checkingErrors("poke", plan) { () throws(PCIMMIOError) in try poke.apply(to: window, at: offset) }
    }
}
