/// Which device and BAR an access is for: carried into every error so the user sees where.
public struct AccessLocation: Sendable, Equatable {
    public let slot: String
    public let bar: Int

    public init(slot: String, bar: Int) {
        self.slot = slot
        self.bar = bar
    }

    /// A physical address through /dev/mem: no device, no BAR (`bar` is -1).
    public var isPhysical: Bool { bar < 0 }

    func fault(at offset: UInt64, signal: Int32) -> PCIMMIOError {
        .accessFault(slot: slot, bar: bar, offset: offset, signal: signal)
    }

    func ioWidthUnsupported(_ width: Width) -> PCIMMIOError {
        .ioWidthUnsupported(slot: slot, bar: bar, width: width)
    }

    /// Alignment first (it names the fix), then bounds; both overflow-safe.
    func checkInside(_ region: Range<UInt64>, offset: UInt64, length: UInt64, width: Width) throws(PCIMMIOError) {
        guard offset % UInt64(width.bytes) == 0 else { throw .misaligned(offset: offset, width: width) }
        let (end, overflow) = offset.addingReportingOverflow(length)
        guard !overflow, offset >= region.lowerBound, end <= region.upperBound else {
            throw .outOfBounds(slot: slot, bar: bar, offset: offset, length: length, size: region.upperBound)
        }
    }
}
