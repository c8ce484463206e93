@testable import PCIMMIO

/// A device's BARs and config space in memory, behind the same DeviceBackend seam as sysfs,
/// VFIO and /dev/mem: every BAR access is recorded (read or write, BAR, offset, width,
/// value), so the session and the script executor can be checked in-process for exactly the
/// loads and stores a command makes.
final class InMemoryBackend: DeviceBackend {
    struct Access: Equatable, CustomStringConvertible {
        let write: Bool
        let bar: Int
        let offset: UInt64
        let width: Width
        let value: UInt64

        var description: String { "\(write ? "W" : "R")\(width.bits) BAR\(bar)+0x\(String(offset, radix: 16)) = 0x\(String(value, radix: 16))" }
    }

    let via: AccessVia
    var bars: [Int: [UInt8]]
    let config: MutableConfigSpace
    private(set) var accesses: [Access] = []
    /// Runs after each BAR access: a test's device reacting (setting an error bit, say).
    var onAccess: ((Access) -> Void)?

    init(via: AccessVia = .sysfs, bars: [Int: [UInt8]], config: MutableConfigSpace = .device()) {
        self.via = via
        self.bars = bars
        self.config = config
    }

    func route(_ bar: BAR?, location: AccessLocation, offset: UInt64, length: UInt64, mode: AccessPlan.Mode,
               writeCombining: Bool) throws(PCIMMIOError) -> String {
        guard let bar, bars[bar.index] != nil else { throw .usage("no BAR in memory") }
        return "memory:BAR\(bar.index)"
    }

    func openWindow(_ plan: AccessPlan, covering region: Range<UInt64>) throws(PCIMMIOError) -> RegisterWindow {
        MemoryWindow(backend: self, bar: plan.bar!.index, region: region, location: plan.location)
    }

    func configSpace() throws(PCIMMIOError) -> ConfigSpace { config }

    /// The little-endian value of `width` at `offset` of a BAR, as the device holds it.
    func value(bar: Int, at offset: UInt64, width: Width) -> UInt64 {
        (0..<width.bytes).reversed().reduce(0) { $0 << 8 | UInt64(bars[bar]![Int(offset) + $1]) }
    }

    fileprivate func record(_ access: Access) {
        accesses.append(access)
        onAccess?(access)
    }
}

/// One BAR's bytes, each register one recorded access of its width.
final class MemoryWindow: RegisterWindow {
    let region: Range<UInt64>
    private let backend: InMemoryBackend
    private let bar: Int
    private let location: AccessLocation

    init(backend: InMemoryBackend, bar: Int, region: Range<UInt64>, location: AccessLocation) {
        self.backend = backend
        self.bar = bar
        self.region = region
        self.location = location
    }

    func read(_ width: Width, at offset: UInt64, into values: UnsafeMutableRawBufferPointer) throws(PCIMMIOError) {
        try location.checkInside(region, offset: offset, length: UInt64(values.count), width: width)
        for start in stride(from: 0, to: values.count, by: width.bytes) {
            let at = offset + UInt64(start)
            for index in 0..<width.bytes { values[start + index] = backend.bars[bar]![Int(at) + index] }
            backend.record(.init(write: false, bar: bar, offset: at, width: width, value: backend.value(bar: bar, at: at, width: width)))
        }
    }

    func write(_ width: Width, at offset: UInt64, from values: UnsafeRawBufferPointer) throws(PCIMMIOError) {
        try location.checkInside(region, offset: offset, length: UInt64(values.count), width: width)
        for start in stride(from: 0, to: values.count, by: width.bytes) {
            let at = offset + UInt64(start)
            for index in 0..<width.bytes { backend.bars[bar]![Int(at) + index] = values[start + index] }
            backend.record(.init(write: true, bar: bar, offset: at, width: width, value: backend.value(bar: bar, at: at, width: width)))
        }
    }
}
