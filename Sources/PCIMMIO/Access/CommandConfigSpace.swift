/// Config space as the commands reach it (`config`, `caps`, `enable`, `snapshot`), accounted
/// for like BAR accesses: every read and write traced after it happened (`"space":"config"`
/// where a BAR access has its `bar`), and before the first write the warning a poke gets when
/// a kernel driver owns the device (HealthMonitor.beforeWrite).
final class CommandConfigSpace: ConfigSpace {
    private let inner: ConfigSpace
    private let device: PCIDevice
    private let health: HealthMonitor
    private let trace: TraceLog?

    init(_ inner: ConfigSpace, device: PCIDevice, health: HealthMonitor, trace: TraceLog?) {
        self.inner = inner
        self.device = device
        self.health = health
        self.trace = trace
    }

    var slot: String { inner.slot }
    var size: Int { inner.size }
    var via: AccessVia { inner.via }

    func read(_ width: Width, at offset: Int) throws(PCIMMIOError) -> UInt32 {
        let value = try inner.read(width, at: offset)
        trace?.recordConfig("read", slot: slot, via: via, offset: offset, width: width, value: value)
        return value
    }

    func write(_ width: Width, at offset: Int, value: UInt32) throws(PCIMMIOError) {
        health.beforeWrite(device)
        try inner.write(width, at: offset, value: value)
        trace?.recordConfig("write", slot: slot, via: via, offset: offset, width: width, value: value)
    }
}
