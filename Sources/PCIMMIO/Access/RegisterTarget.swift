/// DEVICE and BAR (or `phys`) and the access options of a register command, parsed once at the edge.
public struct RegisterTarget {
    public let place: AccessTarget
    /// -w when given; a named register otherwise brings its own width.
    public let explicitWidth: Width?
    public let writeCombining: Bool
    /// `--via`: nil lets the session choose once per device (BackendChoice).
    public let via: AccessVia?
    /// `--big-endian`: values are byte-swapped between the register and the user.
    public let bigEndian: Bool

    public var width: Width { explicitWidth ?? .w32 }

    /// A BAR of one device (`phys` is read by RegisterCommandSyntax.target, where the words are).
    public init(device: String, bar: String, width: String? = nil, writeCombining: Bool = false,
                via: String? = nil, bigEndian: Bool = false) throws(PCIMMIOError) {
        try self.init(place: .bar(DeviceSelector(device), index: BARNumber.parse(bar)), width: width, writeCombining: writeCombining,
                      via: via, bigEndian: bigEndian)
    }

    public init(place: AccessTarget, width: String? = nil, writeCombining: Bool = false,
                via: String? = nil, bigEndian: Bool = false) throws(PCIMMIOError) {
        self.place = place
        self.bigEndian = bigEndian
        self.explicitWidth = try width.map { (text) throws(PCIMMIOError) in try Width(parsing: text) }
        self.writeCombining = writeCombining
        self.via = try via.map { (text) throws(PCIMMIOError) in try AccessVia(parsing: text) }
        if place == .physical, writeCombining {
            throw .usage("--wc: phys addresses are mapped uncached through /dev/mem (drop --wc)")
        }
        if place == .physical, let via = self.via, via != .devmem {
            throw .usage("phys addresses go through /dev/mem: drop --via \(via.rawValue)")
        }
    }
}

/// What a poke writes: a value at an offset or named register (optionally under a mask), or
/// named fields of one register.
public enum PokeRequest {
    case value(RegisterReference, UInt64, mask: UInt64?)
    /// Several values to consecutive registers from the reference, as `memtool mw` takes them.
    case values(RegisterReference, [UInt64])
    case fields([FieldAssignment])
}

/// What a wait waits for: masked bits of a register, or named fields of one register.
public enum WaitRequest {
    /// `mask` nil: the whole width (`--value` alone).
    case masked(RegisterReference, mask: UInt64?, value: UInt64)
    case fields([FieldAssignment])
}
