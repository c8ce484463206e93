/// The operations of the register commands, shared by the one-shot commands and `run`.
extension RegisterSession {
    /// `count` registers from the reference, each one load of the width; `decode` keeps each
    /// register's map definition with its value. With --check-errors, print the readout, then
    /// `throwRaisedErrors`.
    public func read(_ target: RegisterTarget, _ reference: RegisterReference, count: Int = 1,
                     decode: Bool = false) throws(PCIMMIOError) -> RegisterReadout {
        // Found before the read: a read-to-clear register must not be read for nothing.
        let map = try resolver.mapInUse(for: target, decoding: decode)
        let register = try resolver.resolve(target, reference, map: map)
        if register.field != nil, count != 1 { throw .usage("-n \(count): a field is one register's bits; read it alone") }
        let plan = try plan(target, register, count: count, mode: .read)
        let window = try window(for: plan)
        let raw = try checkingErrors("peek", plan) { () throws(PCIMMIOError) in
            try window.read(plan.width, at: plan.offset, count: plan.count)
        }
        if let index = raw.firstIndex(of: plan.width.mask) {
            noteIfAllOnes(plan, offset: plan.offset + UInt64(index * plan.width.bytes), value: raw[index])
        }
        // Each register's own definition and byte order (the first is the one resolved).
        let registers = raw.indices.map { index in
            let offset = plan.offset + UInt64(index * plan.width.bytes)
            let definition = index == 0 ? register.definition : RegisterResolver.definition(in: map, at: offset, of: target, width: plan.width)
            let value = RegisterResolver.bigEndian(target, definition) ? raw[index].byteSwapped(plan.width) : raw[index]
            return RegisterReadout.Register(offset: offset, value: value, definition: decode ? definition : nil, field: register.field)
        }
        return RegisterReadout(location: plan.location, via: plan.via, width: plan.width, health: healthState(plan), registers: registers)
    }

    /// What `poke --dry-run` says it would write, one line per register, after every check a
    /// poke makes; nothing is opened for writing and nothing is read.
    public func describePoke(_ target: RegisterTarget, _ request: PokeRequest, verify: Bool = false) throws(PCIMMIOError) -> [String] {
        let (register, poke) = try resolver.resolve(target, request, verify: verify, map: resolver.mapInUse(for: target, decoding: false))
        guard case let .values(_, values) = request else {
            return [poke.describe(try plan(target, register, mode: .read).location, offset: register.offset)]
        }
        let plan = try plan(target, register, count: values.count, mode: .read)
        var lines: [String] = []
        for (index, value) in values.enumerated() {
            lines.append(try Poke(width: register.width, value: value).describe(plan.location, offset: plan.offset + UInt64(index * register.width.bytes)))
        }
        return lines
    }

    /// One checked write (or, for several values, consecutive registers); `describePoke` says
    /// what it would do without doing it.
    public func poke(_ target: RegisterTarget, _ request: PokeRequest, verify: Bool = false) throws(PCIMMIOError) {
        if case let .values(reference, values) = request {
            return try pokeValues(target, reference, values, verify: verify)
        }
        let (register, poke) = try resolver.resolve(target, request, verify: verify, map: resolver.mapInUse(for: target, decoding: false))
        let plan = try plan(target, register, mode: .write)
        try writeRegister(poke, plan, at: plan.offset, through: window(for: plan), bigEndian: register.bigEndian)
        try throwRaisedErrors()
    }

    /// Polls until the condition holds; returns the final value and its width (print it, then
    /// `throwRaisedErrors`, as after `read`). `before` runs once the wait
    /// is checked, before the first poll (a script flushes what it printed so far).
    public func wait(_ target: RegisterTarget, _ request: WaitRequest, timeout: UInt64, interval: UInt64,
                     before: () throws(PCIMMIOError) -> Void = {}) throws(PCIMMIOError) -> (value: UInt64, width: Width) {
        let (register, condition) = try resolver.resolve(target, request, map: resolver.mapInUse(for: target, decoding: false))
        let plan = try plan(target, register, mode: .read)
        try before()
        let window = try window(for: plan, bigEndian: register.bigEndian)
        let value: UInt64
        do {
            value = try checkingErrors("wait", plan) { () throws(PCIMMIOError) in
                try condition.wait(on: window, at: plan.offset, location: plan.location, timeout: timeout, interval: interval)
            }
        } catch {
            if case let .timeout(_, _, last, _) = error, last == formatRegister(plan.width.mask, width: plan.width) {
                noteIfAllOnes(plan, offset: plan.offset, value: plan.width.mask)
            }
            throw error
        }
        return (value, plan.width)
    }

    /// The region in `format`, streamed to the sink `open` gives once the region has been
    /// checked (so a typo does not empty an earlier dump's -o file).
    public func dump(_ target: RegisterTarget, region: Region, format: DumpFormat, progress: Bool = false,
                     to open: () throws(PCIMMIOError) -> OutputSink) throws(PCIMMIOError) {
        let plan = try plan(target, region: region)
        let sink = try open()
        let meter = ProgressMeter("dump", total: plan.length, enabled: progress)
        defer { meter?.finish() }
        do {
            let reader = RegionReader(window: try window(for: plan), width: plan.width, region: plan.region, firstChunk: { first in
                self.noteIfAllOnes(plan, offset: plan.offset, value: registerValue(first, at: 0, width: plan.width))
            }, progress: { done in meter?.advance(to: done) })
            try checkingErrors("dump", plan) { () throws(PCIMMIOError) in
                try summarizingTrace("read", plan) { () throws(PCIMMIOError) in
                    try format.write(reader, plan: plan, to: sink, bigEndian: RegisterResolver.bigEndian(target, nil))
                }
            }
        } catch {
            // What was read before a fault is still worth having.
            try? sink.flush()
            throw error
        }
        try sink.flush()
        try throwRaisedErrors()
    }

    /// The BAR offsets `dump --decode` covers: the region, or from START to the end of the BAR,
    /// checked against the BAR (overflow-safe) before anything is read.
    public func registerRegion(_ target: RegisterTarget, _ region: Region) throws(PCIMMIOError) -> Range<UInt64> {
        guard case let .bar(selector, index) = target.place else {
            throw .usage("dump --decode decodes a device's BAR: phys has none (peek phys REGISTER --decode reads one register)")
        }
        let device = try device(selector)
        guard let bar = device.bar(index) else {
            throw .unusedBAR(slot: device.slot, bar: index, used: device.bars.map(\.index))
        }
        let length = region.size ?? (region.start < bar.size ? bar.size - region.start : 0)
        let (end, overflow) = region.start.addingReportingOverflow(length)
        guard !overflow, length > 0, end <= bar.size else {
            throw .outOfBounds(slot: device.slot, bar: index, offset: region.start, length: length, size: bar.size)
        }
        return region.start..<end
    }

    /// `dump --decode`: each register of the map inside the region, read once at its own width,
    /// handed to `each` as it is read. Write-only and read-side-effect (rc) registers are
    /// skipped, and reported as skipped, unless `includeSideEffects`.
    public func decodedRegisters(_ target: RegisterTarget, region: Region, includeSideEffects: Bool,
                                 each: (DecodedRead) throws(PCIMMIOError) -> Void) throws(PCIMMIOError) {
        let map = try map(for: target)
        let region = try registerRegion(target, region)
        for register in map.registers(bar: target.place.barIndex ?? 0, in: region) {
            if !register.access.safeToRead && !includeSideEffects {
                try each(.skipped(register))
                continue
            }
            let resolved = ResolvedRegister(offset: register.offset, width: register.width, definition: register,
                                            bigEndian: RegisterResolver.bigEndian(target, register))
            let plan = try plan(target, resolved, mode: .read)
            try each(.read(register, value: window(for: plan, bigEndian: resolved.bigEndian).read(register.width, at: register.offset)))
        }
    }

    /// The region's first sample, then every `interval` the registers that changed, each
    /// handed to `report`, until `samples` samples or forever. `named` adds each register's
    /// name from the device's map; `sampled` runs after each sample (the tool flushes).
    /// As in a decoded dump, the map's wo and rc registers are never read unless
    /// `includeSideEffects`: each is handed to `skipped` first.
    public func watch(_ target: RegisterTarget, region: Region, interval: UInt64, samples: UInt64?, named: Bool,
                      includeSideEffects: Bool = false,
                      skipped: (RegisterDefinition) throws(PCIMMIOError) -> Void = { _ in },
                      report: (WatchEvent) throws(PCIMMIOError) -> Void,
                      sampled: () throws(PCIMMIOError) -> Void = {}) throws(PCIMMIOError) {
        let plan = try plan(target, region: region)
        guard plan.count <= 1 << 24 else {
            throw .usage("watch keeps each sample in memory: at most 16777216 registers (\(plan.count) asked)")
        }
        let map = named ? try map(for: target) : try resolver.mapIfAny(for: target)
        var unsafe: [Range<UInt64>] = []
        if let map, !includeSideEffects, let bar = target.place.barIndex {
            for register in map.registers(bar: bar, overlapping: plan.offset..<plan.offset + plan.length) where !register.access.safeToRead {
                try skipped(register)
                unsafe.append(register.offset..<register.end)
            }
        }
        let names = named ? map : nil
        let definition = { (offset: UInt64) in RegisterResolver.definition(in: names, at: offset, of: target, width: plan.width) }
        // Each register in its own byte order (changes are found on the raw values).
        let event = { (elapsed: UInt64, offset: UInt64, old: UInt64?, new: UInt64) -> WatchEvent in
            let register = definition(offset)
            let swap = RegisterResolver.bigEndian(target, register)
            return WatchEvent(elapsed: elapsed, offset: offset, name: register?.name,
                              old: old.map { swap ? $0.byteSwapped(plan.width) : $0 }, new: swap ? new.byteSwapped(plan.width) : new,
                              width: plan.width)
        }
        let window = try window(for: plan)
        let start = MonotonicClock.now()
        var watcher = try RegionWatcher(plan: plan, window: window, skipping: unsafe)
        for (offset, value) in watcher.values {
            try report(event(0, offset, nil, value))
        }
        try sampled()
        var taken: UInt64 = 1
        while samples.map({ taken < $0 }) ?? true {
            MonotonicClock.sleep(nanoseconds: interval)
            for change in try watcher.sample(window) {
                try report(event(MonotonicClock.now() - start, change.offset, change.old, change.new))
            }
            try sampled()
            taken += 1
        }
    }
}
