/// What a register command reaches, parsed once at the edge: a BAR of a PCI function, or the
/// physical address space through /dev/mem (`phys ADDRESS`: the address takes the offset's
/// place, and there is no device and no BAR).
public enum AccessTarget: Equatable, Hashable {
    case bar(DeviceSelector, index: Int)
    case physical

    /// The word that names physical memory where a device would be.
    public static let physicalWord = "phys"

    /// The BAR a map's registers are looked up in; for `phys`, the map's BAR with a base address is found per register.
    public var barIndex: Int? {
        if case let .bar(_, index) = self { return index }
        return nil
    }
}
