/// Config space as the commands write it: before the first write, the warning a poke gets
/// when a kernel driver owns the device (HealthMonitor.beforeWrite).
final class CheckedConfigSpace: ConfigSpace {
    private let inner: ConfigSpace
    private let device: PCIDevice
    private let health: HealthMonitor

    init(_ inner: ConfigSpace, device: PCIDevice, health: HealthMonitor) {
        self.inner = inner
        self.device = device
        self.health = health
    }

    var slot: String { inner.slot }
    var size: Int { inner.size }
    var via: AccessVia { inner.via }

    func read(_ width: Width, at offset: Int) throws(PCIMMIOError) -> UInt32 {
        try inner.read(width, at: offset)
    }

    func write(_ width: Width, at offset: Int, value: UInt32) throws(PCIMMIOError) {
        health.beforeWrite(device)
        try inner.write(width, at: offset, value: value)
    }
}
