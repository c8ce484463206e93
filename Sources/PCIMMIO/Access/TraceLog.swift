import Glibc

/// `--trace FILE`: one JSON line per device access, appended, so a session can be audited
/// and replayed. `-` means stderr.
public final class TraceLog {
    private let file: FileDescriptor
    private let ownsDescriptor: Bool
    /// `--trace-summary`: runs of several registers (load, fill, dump chunks) leave one summary
    /// line per command instead of one line per access.
    public let summary: Bool
    /// Set while a transfer that writes its own summary line runs (load, fill, dump): only
    /// then are its per-register lines left out.
    var summarizing = false

    public init(path: String, summary: Bool = false) throws(PCIMMIOError) {
        self.summary = summary
        if path == "-" {
            file = .standardError
            ownsDescriptor = false
            return
        }
        file = try .open(path, O_WRONLY | O_APPEND | O_CREAT, permissions: 0o644, call: "open trace file")
        ownsDescriptor = true
    }

    deinit { if ownsDescriptor { file.close() } }

    /// One line for a whole transfer: `count` registers of `width` from `offset`.
    func recordSummary(_ operation: String, _ location: AccessLocation, via: AccessVia, offset: UInt64, width: Width, count: Int) {
        line(operation, location, via: via,
             "\"offset\":\(offset),\"width\":\(width.bits),\"count\":\(count),\"bytes\":\(count * width.bytes),")
    }

    /// A physical address (/dev/mem) has `"device":"phys"` and no `bar`; its offset is the address.
    /// `state` is the device's health when something is wrong (`"health":"decoding disabled"`).
    func record(_ operation: String, _ location: AccessLocation, via: AccessVia, offset: UInt64, width: Width, value: UInt64,
                state: String? = nil) {
        line(operation, location, via: via,
             "\"offset\":\(offset),\"width\":\(width.bits),\"value\":\"0x\(hex(value, digits: width.hexDigits))\",",
             after: state.map { ",\"health\":\"" + $0 + "\"" } ?? "")
    }

    /// A config-space access: `"space":"config"` where a BAR access has its `bar`.
    func recordConfig(_ operation: String, slot: String, via: AccessVia, offset: Int, width: Width, value: UInt32) {
        line(operation, slot: slot, place: "\"space\":\"config\",", via: via,
             "\"offset\":\(offset),\"width\":\(width.bits),\"value\":\"0x\(hex(UInt64(value), digits: width.hexDigits))\",")
    }

    private func line(_ operation: String, _ location: AccessLocation, via: AccessVia, _ fields: String, after: String = "") {
        line(operation, slot: location.slot, place: location.barIndex.map { "\"bar\":\($0)," } ?? "", via: via, fields, after: after)
    }

    /// `{"op", "via", "device", PLACE FIELDS "time" AFTER}`, written in one write(2).
    private func line(_ operation: String, slot: String, place: String, via: AccessVia, _ fields: String, after: String = "") {
        let now = WallClock.now()
        let text = "{\"op\":\"\(operation)\",\"via\":\"\(via.rawValue)\",\"device\":\"\(slot)\"," + place + fields
            + "\"time\":\(now.tv_sec).\(String(now.tv_nsec / 1000).leftPadded(6))" + after + "}\n"
        _ = try? file.write(text)
    }
}

/// Logs every access of the window it wraps, after it happened.
final class TracingWindow: RegisterWindow {
    private let inner: RegisterWindow
    private let log: TraceLog
    private let location: AccessLocation
    private let via: AccessVia
    private let state: String?

    init(_ inner: RegisterWindow, log: TraceLog, location: AccessLocation, via: AccessVia, state: String?) {
        self.inner = inner
        self.log = log
        self.location = location
        self.via = via
        self.state = state
    }

    var region: Range<UInt64> { inner.region }

    func read(_ width: Width, at offset: UInt64, into values: UnsafeMutableRawBufferPointer) throws(PCIMMIOError) {
        try traced("read", width, offset, UnsafeRawBufferPointer(values)) { () throws(PCIMMIOError) in
            try inner.read(width, at: offset, into: values)
        }
    }

    func write(_ width: Width, at offset: UInt64, from values: UnsafeRawBufferPointer) throws(PCIMMIOError) {
        try traced("write", width, offset, values) { () throws(PCIMMIOError) in try inner.write(width, at: offset, from: values) }
    }

    func writeBurst(_ width: Width, at offset: UInt64, from values: UnsafeRawBufferPointer) throws(PCIMMIOError) {
        try traced("write", width, offset, values) { () throws(PCIMMIOError) in try inner.writeBurst(width, at: offset, from: values) }
    }

    /// Runs the access, then records it; after a fault, records the accesses made before it.
    private func traced(_ operation: String, _ width: Width, _ offset: UInt64, _ values: UnsafeRawBufferPointer,
                        _ access: () throws(PCIMMIOError) -> Void) throws(PCIMMIOError) {
        do {
            try access()
            record(operation, width, offset, values)
        } catch {
            record(operation, width, offset, values, before: error)
            throw error
        }
    }

    /// A fault part-way through a run of registers: the accesses before it did happen.
    private func record(_ operation: String, _ width: Width, _ offset: UInt64, _ values: UnsafeRawBufferPointer,
                        before error: PCIMMIOError) {
        let faultOffset: UInt64
        switch error {
        case let .accessFault(_, _, at, _), let .physicalAccessFault(at, _): faultOffset = at
        default: return
        }
        guard faultOffset > offset else { return }
        record(operation, width, offset, UnsafeRawBufferPointer(rebasing: values[0..<Int(faultOffset - offset)]))
    }

    private func record(_ operation: String, _ width: Width, _ offset: UInt64, _ values: UnsafeRawBufferPointer) {
        // With --trace-summary the command writes one line for its whole run instead.
        if log.summary && log.summarizing { return }
        for start in stride(from: 0, to: values.count, by: width.bytes) {
            log.record(operation, location, via: via, offset: offset + UInt64(start), width: width,
                       value: registerValue(values, at: start, width: width), state: state)
        }
    }
}
