/// One access request checked against the device's BAR before anything is opened: the BAR
/// exists and has a size, the width suits it, the offset is aligned, the whole run of
/// registers is inside the BAR, and the path that will reach it (sysfs, VFIO, /dev/mem) can:
/// its resource file exists, the device is bound to vfio-pci, the physical range is not RAM.
public struct AccessPlan: Sendable, Equatable {
    public enum Mode: Sendable { case read, write }

    public let location: AccessLocation
    public let bar: BAR
    public let offset: UInt64
    public let width: Width
    public let count: Int
    public let mode: Mode
    public let via: AccessVia
    public let writeCombining: Bool
    /// The file the access goes through: resourceN (resourceN_wc with `writeCombining`),
    /// /dev/mem, or for VFIO the device's sysfs directory (its group is found from there).
    public let path: String

    public var length: UInt64 { UInt64(count) * UInt64(width.bytes) }
    public var region: Range<UInt64> { offset..<offset + length }

    /// `via` nil chooses: /dev/mem for physical addresses, VFIO for a device bound to
    /// vfio-pci, else the sysfs resource files.
    public init(device: PCIDevice, bar index: Int, offset: UInt64, width: Width, count: Int = 1,
                mode: Mode, writeCombining: Bool = false, via: AccessVia? = nil) throws(PCIMMIOError) {
        let slot = device.slot
        let location = AccessLocation(slot: slot, bar: index)
        guard let bar = device.bar(index) else {
            throw .unusedBAR(slot: slot, bar: index, used: device.bars.map(\.index))
        }
        guard bar.size > 0 else { throw .zeroSizedBAR(slot: slot, bar: index) }
        guard bar.assigned else { throw .unassignedBAR(slot: slot, bar: index) }
        guard count > 0 else { throw .invalidArgument("the count of registers must be at least 1") }
        if bar.kind == .io, width == .w64 { throw location.ioWidthUnsupported(width) }
        if bar.kind == .rom, mode == .write {
            throw .invalidArgument("\(slot)'s expansion ROM is read-only: peek and dump it, never poke")
        }
        let (length, overflow) = UInt64(count).multipliedReportingOverflow(by: UInt64(width.bytes))
        guard !overflow else { throw .outOfBounds(slot: slot, bar: index, offset: offset, length: .max, size: bar.size) }
        try location.checkInside(0..<bar.size, offset: offset, length: length, width: width)
        let chosen = try Self.choose(via, device: device)
        if writeCombining, chosen != .sysfs {
            throw .writeCombiningUnavailable(slot: slot, bar: index,
                reason: "only the sysfs path has write-combining mappings (resourceN_wc), and this access goes through \(chosen.rawValue)")
        }
        self.location = location
        self.bar = bar
        self.offset = offset
        self.width = width
        self.count = count
        self.mode = mode
        self.via = chosen
        self.writeCombining = writeCombining
        switch chosen {
        case .sysfs:
            path = try Self.resourcePath(bar, location: location, writeCombining: writeCombining, device: device)
        case .vfio:
            path = device.directory ?? "<sysfs>/devices/" + slot
        case .devmem:
            guard bar.kind == .mem32 || bar.kind == .mem64 else {
                throw .invalidArgument("\(slot) BAR \(index) is \(bar.kind == .rom ? "the expansion ROM, which must be enabled to be read (sysfs or VFIO do that)" : "an I/O-port BAR: /dev/mem reaches memory only"); drop --via devmem")
            }
            path = PhysicalMemoryPath.file
            try PhysicalMemoryPath.checkRange(bar.address + offset, length: length)
        }
    }

    private static func choose(_ asked: AccessVia?, device: PCIDevice) throws(PCIMMIOError) -> AccessVia {
        if device.isPhysicalMemory {
            guard asked == nil || asked == .devmem else {
                throw .invalidArgument("phys addresses go through /dev/mem: drop --via \(asked!.rawValue)")
            }
            return .devmem
        }
        switch asked {
        case nil: return device.driver == VFIOPath.driverName ? .vfio : .sysfs
        case .vfio?:
            guard device.driver == VFIOPath.driverName else {
                throw .invalidArgument("--via vfio: \(device.slot) is bound to \(device.driver ?? "no driver"), not vfio-pci (bind it first: pcimmio bind \(device.slot) vfio-pci)")
            }
            return .vfio
        case let other?: return other
        }
    }

    private static func resourcePath(_ bar: BAR, location: AccessLocation, writeCombining: Bool,
                                     device: PCIDevice) throws(PCIMMIOError) -> String {
        if writeCombining {
            guard bar.kind.isMemory, bar.prefetchable else {
                throw .writeCombiningUnavailable(slot: location.slot, bar: bar.index,
                    reason: bar.kind == .io ? "it is an I/O-port BAR" : "it is not prefetchable")
            }
            guard let path = bar.writeCombiningFile else {
                throw .writeCombiningUnavailable(slot: location.slot, bar: bar.index,
                    reason: "the kernel created no resource\(bar.index)_wc for it")
            }
            return path
        }
        guard let path = bar.resourceFile else {
            throw .missingResourceFile(path: (device.directory ?? "<sysfs>/devices/" + location.slot) + "/resource\(bar.index)")
        }
        return path
    }

    /// Opens and maps exactly what the plan covers (read-only unless it writes); with a trace
    /// log, every access through the window is recorded. `wholeBAR` maps all of it: for
    /// sessions that keep coming back to the same BAR. A session passes its own `paths`, so a
    /// VFIO device is opened once however many windows it serves.
    public func open(trace: TraceLog? = nil, wholeBAR: Bool = false) throws(PCIMMIOError) -> RegisterWindow {
        try open(through: AccessPaths(), trace: trace, wholeBAR: wholeBAR, state: nil)
    }

    /// `state` (decoding disabled, D3hot…) goes into every trace line.
    func open(through paths: AccessPaths, trace: TraceLog?, wholeBAR: Bool, state: String?) throws(PCIMMIOError) -> RegisterWindow {
        let covering = wholeBAR && !location.isPhysical ? 0..<bar.size : region
        let window = try paths.path(via).open(self, covering: covering)
        return trace.map { TracingWindow(window, log: $0, location: location, via: via, state: state) } ?? window
    }
}
