/// `--trace` for config space: every read and write the commands make, after it happened, as
/// TracingWindow does for BARs (`"space":"config"` in place of `"bar"`).
final class TracingConfigSpace: ConfigSpace {
    private let inner: ConfigSpace
    private let log: TraceLog

    init(_ inner: ConfigSpace, log: TraceLog) {
        self.inner = inner
        self.log = log
    }

    var slot: String { inner.slot }
    var size: Int { inner.size }
    var via: AccessVia { inner.via }

    func read(_ width: Width, at offset: Int) throws(PCIMMIOError) -> UInt32 {
        let value = try inner.read(width, at: offset)
        log.recordConfig("read", slot: slot, via: via, offset: offset, width: width, value: value)
        return value
    }

    func write(_ width: Width, at offset: Int, value: UInt32) throws(PCIMMIOError) {
        try inner.write(width, at: offset, value: value)
        log.recordConfig("write", slot: slot, via: via, offset: offset, width: width, value: value)
    }
}
