/// One access request checked against the device's BAR before anything is opened: the BAR
/// exists and has a size, the width suits it, the offset is aligned, the whole run of
/// registers is inside the BAR, and the resource file to use exists.
public struct AccessPlan: Sendable, Equatable {
    public enum Mode: Sendable { case read, write }

    public let location: AccessLocation
    public let bar: BAR
    public let offset: UInt64
    public let width: Width
    public let count: Int
    public let mode: Mode
    /// resourceN, or resourceN_wc with `writeCombining`.
    public let path: String

    public var length: UInt64 { UInt64(count) * UInt64(width.bytes) }
    public var region: Range<UInt64> { offset..<offset + length }

    public init(device: PCIDevice, bar index: Int, offset: UInt64, width: Width, count: Int = 1,
                mode: Mode, writeCombining: Bool = false) throws(PCIMMIOError) {
        let slot = device.slot
        let location = AccessLocation(slot: slot, bar: index)
        guard let bar = device.bar(index) else {
            throw .unusedBAR(slot: slot, bar: index, used: device.bars.map(\.index))
        }
        guard bar.size > 0 else { throw .zeroSizedBAR(slot: slot, bar: index) }
        guard bar.assigned else { throw .unassignedBAR(slot: slot, bar: index) }
        guard count > 0 else { throw .invalidArgument("the count of registers must be at least 1") }
        if bar.kind == .io, width == .w64 { throw location.ioWidthUnsupported(width) }
        let (length, overflow) = UInt64(count).multipliedReportingOverflow(by: UInt64(width.bytes))
        guard !overflow else { throw .outOfBounds(slot: slot, bar: index, offset: offset, length: .max, size: bar.size) }
        try location.checkInside(0..<bar.size, offset: offset, length: length, width: width)
        self.location = location
        self.bar = bar
        self.offset = offset
        self.width = width
        self.count = count
        self.mode = mode
        self.path = try Self.resourcePath(bar, location: location, writeCombining: writeCombining, device: device)
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
    /// log, every access through the window is recorded.
    /// `wholeBAR` maps all of it: for sessions that keep coming back to the same BAR.
    public func open(trace: TraceLog? = nil, wholeBAR: Bool = false) throws(PCIMMIOError) -> RegisterWindow {
        let window = try openUntraced(whole: wholeBAR)
        return trace.map { TracingWindow(window, log: $0, location: location) } ?? window
    }

    private func openUntraced(whole: Bool) throws(PCIMMIOError) -> RegisterWindow {
        let writable = mode == .write
        let file = try OpenFile(path: path, writable: writable)
        // A resource file smaller than its BAR (a fake tree, or one truncated) would fault.
        let fileSize = try file.size()
        if bar.kind.isMemory, fileSize < region.upperBound {
            throw .outOfBounds(slot: location.slot, bar: bar.index, offset: offset, length: length, size: fileSize)
        }
        if bar.kind == .io { return IOPortWindow(file: file, region: 0..<bar.size, location: location) }
        return try MappedWindow(file: file, covering: whole ? 0..<min(bar.size, fileSize) : region,
                                limit: min(bar.size, fileSize), barAddress: bar.address, writable: writable,
                                location: location)
    }
}
