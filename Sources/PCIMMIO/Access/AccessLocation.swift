/// Where an access goes, carried into every error and trace line so the user sees where: a
/// BAR of a PCI function, or the physical address space (`phys`, through /dev/mem), where an
/// offset is the physical address itself.
public enum AccessLocation: Sendable, Equatable {
    case bar(slot: String, index: Int)
    case physical

    /// What trace lines and JSON call the device: its slot, or `phys`.
    public var slot: String {
        switch self {
        case let .bar(slot, _): return slot
        case .physical: return AccessTarget.physicalWord
        }
    }

    /// The BAR's index; nil for a physical address.
    public var barIndex: Int? {
        if case let .bar(_, index) = self { return index }
        return nil
    }

    /// `0000:00:02.0 BAR 0 offset 0x20`, or `physical address 0xfea00020`.
    public func describe(offset: UInt64) -> String {
        switch self {
        case let .bar(slot, index): return "\(slot) BAR \(index) offset 0x" + String(offset, radix: 16)
        case .physical: return "physical address 0x" + String(offset, radix: 16)
        }
    }

    func fault(at offset: UInt64, signal: Int32) -> PCIMMIOError {
        switch self {
        case let .bar(slot, index): return .accessFault(slot: slot, bar: index, offset: offset, signal: signal)
        case .physical: return .physicalAccessFault(address: offset, signal: signal)
        }
    }

    func outOfBounds(offset: UInt64, length: UInt64, size: UInt64) -> PCIMMIOError {
        switch self {
        case let .bar(slot, index): return .outOfBounds(slot: slot, bar: index, offset: offset, length: length, size: size)
        case .physical: return .physicalRangeTooLong(address: offset, length: length)
        }
    }

    func timeout(offset: UInt64, condition: String, last: String, after: String) -> PCIMMIOError {
        .timeout(place: describe(offset: offset), condition: condition, last: last, after: after)
    }

    /// Alignment first (it names the fix), then bounds; both overflow-safe.
    func checkInside(_ region: Range<UInt64>, offset: UInt64, length: UInt64, width: Width) throws(PCIMMIOError) {
        guard offset % UInt64(width.bytes) == 0 else { throw .misaligned(offset: offset, width: width) }
        let (end, overflow) = offset.addingReportingOverflow(length)
        guard !overflow, offset >= region.lowerBound, end <= region.upperBound else {
            throw outOfBounds(offset: offset, length: length, size: region.upperBound)
        }
    }
}
