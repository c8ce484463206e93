/// `load`, `fill` and multi-value `poke`: many consecutive registers written in ascending
/// order, each with one store of the width. Under `--wc` the stores are a write-combining
/// burst (MMIOAccess.h) and, unless `flush` is false, one read of the BAR's first register
/// then pushes the posted writes out. Everything is checked before the first store.
extension RegisterSession {
    static let bulkChunk = 1 << 20

    /// Writes `bytes` (little-endian, as in memory) to consecutive registers from `offset`.
    public func load(_ target: RegisterTarget, offset: UInt64, bytes: [UInt8], verify: Bool = false, flush: Bool = true,
                     progress: Bool = false) throws(PCIMMIOError) {
        let width = target.width
        guard !bytes.isEmpty else { throw .usage("the file is empty: nothing to load") }
        guard bytes.count % width.bytes == 0 else {
            throw .usage("the file's \(bytes.count) bytes are not a whole number of \(width.bits)-bit registers (a multiple of \(width.bytes) bytes)")
        }
        let plan = try plan(target, ResolvedRegister(offset: offset, width: width, definition: nil, bigEndian: target.bigEndian),
                            count: bytes.count / width.bytes, mode: .write)
        let window = try window(for: plan, bigEndian: RegisterResolver.bigEndian(target, nil))
        try checkingErrors("load", plan) { () throws(PCIMMIOError) in
            try withBytes(of: bytes) { (raw) throws(PCIMMIOError) in
                try writeInChunks(plan, window, "load", progress: progress) { start, count in
                    UnsafeRawBufferPointer(rebasing: raw[start..<start + count])
                }
            }
            if flush { try flushPostedWrites(plan, target) }
            if verify {
                try withBytes(of: bytes) { (raw) throws(PCIMMIOError) in
                    try verifyRegion(plan, window) { index in registerValue(raw, at: index * width.bytes, width: width) }
                }
            }
        }
        try throwRaisedErrors()
    }

    /// `value`, `value + step`, … (wrapping at the width) over the region.
    /// `verify` reads the region back afterwards and fails at the first register that differs.
    public func fill(_ target: RegisterTarget, region: Region, value: UInt64, step: UInt64 = 0, flush: Bool = true,
                     verify: Bool = false, progress: Bool = false) throws(PCIMMIOError) {
        let width = target.width
        let plan = try fillPlan(target, region: region, value: value, step: step)
        let window = try window(for: plan, bigEndian: RegisterResolver.bigEndian(target, nil))
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.bulkChunk, alignment: 16)
        defer { buffer.deallocate() }
        var filled = -1  // with step 0 every chunk is the same: built once
        try checkingErrors("fill", plan) { () throws(PCIMMIOError) in
            try writeInChunks(plan, window, "fill", progress: progress) { start, count in
                if step != 0 || filled < count {
                    for at in stride(from: 0, to: count, by: width.bytes) {
                        let register = (value &+ UInt64((start + at) / width.bytes) &* step) & width.mask
                        switch width {
                        case .w8: buffer.storeBytes(of: UInt8(truncatingIfNeeded: register), toByteOffset: at, as: UInt8.self)
                        case .w16: buffer.storeBytes(of: UInt16(truncatingIfNeeded: register).littleEndian, toByteOffset: at, as: UInt16.self)
                        case .w32: buffer.storeBytes(of: UInt32(truncatingIfNeeded: register).littleEndian, toByteOffset: at, as: UInt32.self)
                        case .w64: buffer.storeBytes(of: register.littleEndian, toByteOffset: at, as: UInt64.self)
                        }
                    }
                    filled = count
                }
                return UnsafeRawBufferPointer(rebasing: buffer[0..<count])
            }
            if flush { try flushPostedWrites(plan, target) }
            if verify { try verifyRegion(plan, window) { index in (value &+ UInt64(index) &* step) & width.mask } }
        }
        try throwRaisedErrors()
    }

    /// The fill's plan, every check made and nothing opened (what --dry-run stops at).
    private func fillPlan(_ target: RegisterTarget, region: Region, value: UInt64, step: UInt64) throws(PCIMMIOError) -> AccessPlan {
        let width = target.width
        guard value & ~width.mask == 0 else { throw .valueTooWide(value: value, width: width) }
        guard step & ~width.mask == 0 else { throw .usage("--increment 0x\(String(step, radix: 16)) does not fit in \(width.bits) bits") }
        return try plan(target, region: region, mode: .write)
    }

    /// `fill --dry-run`: what would be written, after every check a fill makes; nothing is opened.
    public func describeFill(_ target: RegisterTarget, region: Region, value: UInt64, step: UInt64 = 0) throws(PCIMMIOError) -> String {
        let plan = try fillPlan(target, region: region, value: value, step: step)
        let last = (value &+ UInt64(plan.count - 1) &* step) & plan.width.mask
        return "would write \(plan.count) \(plan.width.bits)-bit register\(plan.count == 1 ? "" : "s") to \(Self.span(plan)): "
            + (step == 0 ? "each \(formatRegister(value, width: plan.width))"
                         : "\(formatRegister(value, width: plan.width)), then +0x\(String(step, radix: 16)) each, to \(formatRegister(last, width: plan.width))")
    }

    /// `load --dry-run`: likewise.
    public func describeLoad(_ target: RegisterTarget, offset: UInt64, bytes: [UInt8], from file: String) throws(PCIMMIOError) -> String {
        let width = target.width
        guard !bytes.isEmpty, bytes.count % width.bytes == 0 else {
            throw .usage("the file's \(bytes.count) bytes are not a whole number of \(width.bits)-bit registers (a multiple of \(width.bytes) bytes)")
        }
        let plan = try plan(target, ResolvedRegister(offset: offset, width: width, definition: nil, bigEndian: target.bigEndian),
                            count: bytes.count / width.bytes, mode: .write)
        return "would write \(plan.count) \(width.bits)-bit register\(plan.count == 1 ? "" : "s") to \(Self.span(plan)) from \(file) (\(bytes.count) bytes)"
    }

    /// `0000:00:04.0 BAR 2 offset 0x1000-0x10ff`.
    private static func span(_ plan: AccessPlan) -> String {
        plan.location.describe(offset: plan.offset) + "-0x" + String(plan.offset + plan.length - 1, radix: 16)
    }

    /// Chunks of at most `bulkChunk` bytes from `chunk(start, count)`, stored in order.
    private func writeInChunks(_ plan: AccessPlan, _ window: RegisterWindow, _ verb: String, progress: Bool,
                               _ chunk: (Int, Int) throws(PCIMMIOError) -> UnsafeRawBufferPointer) throws(PCIMMIOError) {
        let total = Int(plan.length)
        let meter = ProgressMeter(verb, total: plan.length, enabled: progress)
        defer { meter?.finish() }
        try summarizingTrace("write", plan) { () throws(PCIMMIOError) in
            var start = 0
            while start < total {
                let count = min(Self.bulkChunk, total - start)
                let bytes = try chunk(start, count)
                let at = plan.offset + UInt64(start)
                if plan.writeCombining {
                    try window.writeBurst(plan.width, at: at, from: bytes)
                } else {
                    try window.write(plan.width, at: at, from: bytes)
                }
                start += count
                meter?.advance(to: UInt64(start))
            }
        }
    }

    /// After a write-combining burst: one read of the BAR's first register, through the same
    /// mapping, so the posted writes reach the device before the command ends.
    private func flushPostedWrites(_ plan: AccessPlan, _ target: RegisterTarget) throws(PCIMMIOError) {
        guard plan.writeCombining else { return }
        let first = try self.plan(target, ResolvedRegister(offset: 0, width: plan.width, definition: nil, bigEndian: false), mode: .read)
        _ = try window(for: first).read(plan.width, at: 0)
    }

    /// Reads the range back and fails at the first register that differs from `expected`
    /// (by register index, as stored: little-endian, like the bytes written).
    private func verifyRegion(_ plan: AccessPlan, _ window: RegisterWindow, expected: (Int) -> UInt64) throws(PCIMMIOError) {
        var mismatch: PCIMMIOError?
        try summarizingTrace("read", plan) { () throws(PCIMMIOError) in
            try RegionReader(window: window, width: plan.width, region: plan.region).forEachChunk { (chunk, offset) throws(PCIMMIOError) in
                guard mismatch == nil else { return }
                let base = Int(offset - plan.offset) / plan.width.bytes
                for at in stride(from: 0, to: chunk.count, by: plan.width.bytes) {
                    let read = registerValue(chunk, at: at, width: plan.width)
                    let wrote = expected(base + at / plan.width.bytes)
                    guard read != wrote else { continue }
                    mismatch = .verifyMismatch(offset: offset + UInt64(at), wrote: formatRegister(wrote, width: plan.width),
                                               read: formatRegister(read, width: plan.width))
                    return
                }
            }
        }
        if let mismatch { throw mismatch }
    }
}

extension RegisterSession {
    /// `poke DEVICE BAR OFFSET V1 V2 …`: consecutive registers, one store each in ascending
    /// order; `verify` reads them all back afterwards.
    func pokeValues(_ target: RegisterTarget, _ reference: RegisterReference, _ values: [UInt64], verify: Bool) throws(PCIMMIOError) {
        let (register, _) = try resolver.resolve(target, .values(reference, values), verify: verify, map: resolver.mapInUse(for: target, decoding: false))
        let width = register.width
        let plan = try plan(target, register, count: values.count, mode: .write)
        let bytes = values.flatMap { value in (0..<width.bytes).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) } }
        let window = try window(for: plan, bigEndian: register.bigEndian)
        try checkingErrors("poke", plan) { () throws(PCIMMIOError) in
            try withBytes(of: bytes) { (raw) throws(PCIMMIOError) in try window.write(width, at: plan.offset, from: raw) }
            guard verify else { return }
            for (index, read) in try window.read(width, at: plan.offset, count: values.count).enumerated() where read != values[index] {
                throw .verifyMismatch(offset: plan.offset + UInt64(index * width.bytes), wrote: formatRegister(values[index], width: width),
                                      read: formatRegister(read, width: width))
            }
        }
        try throwRaisedErrors()
    }
}
