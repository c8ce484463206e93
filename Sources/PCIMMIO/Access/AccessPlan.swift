/// One access request checked before anything is opened: the BAR exists and has a size, the
/// width suits it, the offset is aligned, the whole run of registers is inside the BAR (or,
/// for `phys`, inside the physical address space), and the device's back-end can reach it:
/// its resource file exists, the device is bound to vfio-pci, the physical range is not RAM.
public struct AccessPlan {
    public enum Mode: Sendable { case read, write }

    public let location: AccessLocation
    /// The BAR; nil for a physical address.
    public let bar: BAR?
    public let offset: UInt64
    public let width: Width
    public let count: Int
    public let mode: Mode
    public let writeCombining: Bool
    /// What the access goes through (DeviceBackend.route): resourceN (resourceN_wc with
    /// `writeCombining`), /dev/mem, or for VFIO the device's sysfs directory.
    public let path: String
    let backend: DeviceBackend

    public var via: AccessVia { backend.via }
    public var length: UInt64 { UInt64(count) * UInt64(width.bytes) }
    public var region: Range<UInt64> { offset..<offset + length }
    /// The offsets the target has: the BAR's, or every physical address.
    let span: Range<UInt64>

    /// A BAR of `device`, reached through `backend`.
    init(device: PCIDevice, bar index: Int, offset: UInt64, width: Width, count: Int = 1, mode: Mode,
         writeCombining: Bool = false, backend: DeviceBackend) throws(PCIMMIOError) {
        let slot = device.slot
        let location = AccessLocation.bar(slot: slot, index: index)
        guard let bar = device.bar(index) else {
            throw .unusedBAR(slot: slot, bar: index, used: device.bars.map(\.index))
        }
        guard bar.size > 0 else { throw .zeroSizedBAR(slot: slot, bar: index) }
        guard bar.assigned else { throw .unassignedBAR(slot: slot, bar: index) }
        if bar.kind == .io, width == .w64 { throw .ioWidthUnsupported(slot: slot, bar: index, width: width) }
        if bar.kind == .rom, mode == .write {
            throw .usage("\(slot)'s expansion ROM is read-only: peek and dump it, never poke")
        }
        try self.init(location: location, bar: bar, offset: offset, width: width, count: count, mode: mode,
                      writeCombining: writeCombining, backend: backend)
    }

    /// A plan outside any session (tests, a one-off access): the back-end chosen and made as a
    /// session would (BackendChoice).
    init(device: PCIDevice, bar index: Int, offset: UInt64, width: Width, count: Int = 1, mode: Mode,
         writeCombining: Bool = false, via: AccessVia? = nil) throws(PCIMMIOError) {
        let root = PCITree.root(option: nil)
        let chosen = try BackendChoice.via(asked: via, for: device)
        try self.init(device: device, bar: index, offset: offset, width: width, count: count, mode: mode, writeCombining: writeCombining,
                      backend: BackendChoice.backend(chosen, for: device, root: root, diagnostics: .standardError()))
    }

    /// `phys`: `address` is the offset, through the /dev/mem back-end.
    init(physicalAddress address: UInt64, width: Width, count: Int = 1, mode: Mode, backend: DeviceBackend) throws(PCIMMIOError) {
        try self.init(location: .physical, bar: nil, offset: address, width: width, count: count, mode: mode,
                      writeCombining: false, backend: backend)
    }

    private init(location: AccessLocation, bar: BAR?, offset: UInt64, width: Width, count: Int, mode: Mode,
                 writeCombining: Bool, backend: DeviceBackend) throws(PCIMMIOError) {
        guard count > 0 else { throw .usage("the count of registers must be at least 1") }
        let (length, overflow) = UInt64(count).multipliedReportingOverflow(by: UInt64(width.bytes))
        let span = 0..<(bar?.size ?? .max)
        guard !overflow else { throw location.outOfBounds(offset: offset, length: .max, size: span.upperBound) }
        try location.checkInside(span, offset: offset, length: length, width: width)
        if writeCombining, backend.via != .sysfs, let bar {
            throw .writeCombiningUnavailable(slot: location.slot, bar: bar.index,
                reason: "only the sysfs path has write-combining mappings (resourceN_wc), and this access goes through \(backend.via.rawValue)")
        }
        self.location = location
        self.span = span
        self.bar = bar
        self.offset = offset
        self.width = width
        self.count = count
        self.mode = mode
        self.writeCombining = writeCombining
        self.backend = backend
        path = try backend.route(bar, location: location, offset: offset, length: length,
                                 mode: mode, writeCombining: writeCombining)
    }

    /// Opens and maps exactly what the plan covers (read-only unless it writes); with a trace
    /// log, every access through the window is recorded. `wholeBAR` maps all of it: for
    /// sessions that keep coming back to the same BAR. `state` (decoding disabled, D3hot…)
    /// goes into every trace line.
    func open(trace: TraceLog? = nil, wholeBAR: Bool = false, state: String? = nil) throws(PCIMMIOError) -> RegisterWindow {
        let covering = wholeBAR && bar != nil ? span : region
        let window = try backend.openWindow(self, covering: covering)
        return trace.map { TracingWindow(window, log: $0, location: location, via: via, state: state) } ?? window
    }
}
