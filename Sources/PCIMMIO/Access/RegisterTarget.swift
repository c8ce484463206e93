/// DEVICE, BAR and the access options of a register command, parsed once at the edge.
public struct RegisterTarget {
    public let device: DeviceSelector
    public let bar: Int
    /// -w when given; a named register otherwise brings its own width.
    public let explicitWidth: Width?
    public let writeCombining: Bool
    /// `--via`: nil lets the plan choose (VFIO for a device bound to vfio-pci, else sysfs).
    public let via: AccessVia?
    /// `--big-endian`: values are byte-swapped between the register and the user.
    public let bigEndian: Bool

    public var width: Width { explicitWidth ?? .w32 }

    public init(device: String, bar: String, width: String? = nil, writeCombining: Bool = false,
                via: String? = nil, bigEndian: Bool = false) throws(PCIMMIOError) {
        try self.init(device: DeviceSelector(device), bar: bar, width: width, writeCombining: writeCombining, via: via,
                      bigEndian: bigEndian)
    }

    /// With a selector already parsed (a script names the same device on many lines). For
    /// `phys` the BAR word is the placeholder `withPhysicalBAR` inserted, and the BAR is -1.
    public init(device: DeviceSelector, bar: String, width: String? = nil, writeCombining: Bool = false,
                via: String? = nil, bigEndian: Bool = false) throws(PCIMMIOError) {
        self.device = device
        self.bigEndian = bigEndian
        self.bar = device.isPhysical ? -1 : try BARNumber.parse(bar)
        self.explicitWidth = try width.map { (text) throws(PCIMMIOError) in try Width(parsing: text) }
        self.writeCombining = writeCombining
        self.via = try via.map { (text) throws(PCIMMIOError) in try AccessVia(parsing: text) }
        if device.isPhysical, writeCombining {
            throw .invalidArgument("--wc: phys addresses are mapped uncached through /dev/mem (drop --wc)")
        }
    }

    /// `phys ADDRESS …` takes the place of `DEVICE BAR OFFSET …`: the words get a BAR
    /// placeholder after `phys`, so every command keeps one grammar.
    public static func withPhysicalBAR(_ positional: [String]) -> [String] {
        guard positional.first == DeviceSelector.physicalWord else { return positional }
        return [positional[0], DeviceSelector.physicalWord] + positional.dropFirst()
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
    case masked(RegisterReference, mask: UInt64, value: UInt64)
    case fields([FieldAssignment])
}

/// A register reference made concrete for one device.
public struct ResolvedRegister {
    public let offset: UInt64
    public let width: Width
    /// The map's definition, when the register was named (or decoding found it).
    public let definition: RegisterDefinition?
}
