/// The operations of the register commands, shared by the one-shot commands and `run`.
extension RegisterSession {
    /// `decode` explains each value with the device's register map.
    public func peek(_ target: RegisterTarget, _ reference: RegisterReference, count: Int = 1, json: Bool = false,
                     decode: Bool = false) throws(PCIMMIOError) {
        // Found before the read: a read-to-clear register must not be read for nothing.
        let map = try resolver.mapInUse(for: target, decoding: decode)
        let register = try resolver.resolve(target, reference, map: map)
        let plan = try plan(target, register, count: count, mode: .read)
        let window = try window(for: plan)
        let raw = try checkingErrors("peek", plan) { () throws(PCIMMIOError) in
            try window.read(plan.width, at: plan.offset, count: plan.count)
        }
        if let index = raw.firstIndex(of: plan.width.mask) {
            noteIfAllOnes(plan, offset: plan.offset + UInt64(index * plan.width.bytes), value: raw[index])
        }
        // Each register's own definition and byte order (the first is the one resolved).
        let definitions = raw.indices.map { index in
            index == 0 ? register.definition
                : target.place.barIndex.flatMap { bar in
                    map?.register(at: plan.offset + UInt64(index * plan.width.bytes), bar: bar).flatMap { $0.width == plan.width ? $0 : nil }
                }
        }
        let values = raw.indices.map { index in
            RegisterResolver.bigEndian(target, definitions[index]) ? raw[index].byteSwapped(plan.width) : raw[index]
        }
        let decoded = { (index: Int) in decode || map != nil ? definitions[index] : nil }
        if json {
            let registers = values.enumerated().map { index, value in
                decoded(index)?.decodedJSON(value) ?? JSON.object([
                    ("offset", .number(plan.offset + UInt64(index * plan.width.bytes))),
                    ("value", .number(value)),
                    ("hex", .string(formatRegister(value, width: plan.width))),
                ])
            }
            try output.write(JSON.object([
                ("device", .string(plan.location.slot)), ("bar", plan.location.barIndex.map { .number(UInt64($0)) } ?? .null),
                ("via", .string(plan.via.rawValue)),
                ("width", .number(UInt64(plan.width.bits))), ("registers", .array(registers)),
            ] + (healthState(plan).map { [("health", JSON.string($0))] } ?? [])).rendered() + "\n")
        } else {
            for (index, value) in values.enumerated() {
                try output.write(decoded(index)?.decoded(value) ?? formatRegister(value, width: plan.width) + "\n")
            }
        }
        try throwRaisedErrors()
    }

    /// With `dryRun`, prints the write and opens nothing for writing (and reads nothing).
    public func poke(_ target: RegisterTarget, _ request: PokeRequest, verify: Bool = false, dryRun: Bool = false) throws(PCIMMIOError) {
        if case let .values(reference, values) = request {
            return try pokeValues(target, reference, values, verify: verify, dryRun: dryRun)
        }
        let (register, poke) = try resolver.resolve(target, request, verify: verify, map: resolver.mapInUse(for: target, decoding: false))
        let plan = try plan(target, register, mode: dryRun ? .read : .write)
        if dryRun {
            try output.write(poke.describe(plan.location, offset: plan.offset) + "\n")
            return
        }
        try writeRegister(poke, plan, at: plan.offset, through: window(for: plan), bigEndian: register.bigEndian)
        try throwRaisedErrors()
    }

    /// Polls until the condition holds; prints and returns the final value.
    @discardableResult
    public func wait(_ target: RegisterTarget, _ request: WaitRequest, timeout: UInt64, interval: UInt64) throws(PCIMMIOError) -> UInt64 {
        let (register, condition) = try resolver.resolve(target, request, map: resolver.mapInUse(for: target, decoding: false))
        let plan = try plan(target, register, mode: .read)
        try output.flush()
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
        try output.write(formatRegister(value, width: plan.width) + "\n")
        try output.flush()
        try throwRaisedErrors()
        return value
    }

    /// `outputFile` (-o) is created only once the region has been checked: a typo must not
    /// empty an earlier dump.
    public func dump(_ target: RegisterTarget, region: Region, format: DumpFormat, outputFile: String? = nil,
                     progress: Bool = false) throws(PCIMMIOError) {
        let plan = try plan(target, region: region)
        let sink = try outputFile.map { (path) throws(PCIMMIOError) in try OutputSink(path: path) } ?? output
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

    /// The BAR offsets `dump --map` covers: the region, or from START to the end of the BAR,
    /// checked against the BAR (overflow-safe) before anything is read.
    public func registerRegion(_ target: RegisterTarget, _ region: Region) throws(PCIMMIOError) -> Range<UInt64> {
        guard case let .bar(selector, index) = target.place else {
            throw .usage("dump --map decodes a device's BAR: phys has none (peek phys REGISTER --decode reads one register)")
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

    /// `dump --map`: each register of the map inside the region, read once at its own width
    /// and decoded. Write-only and read-side-effect (rc) registers are skipped, and listed as
    /// skipped, unless `includeSideEffects`.
    public func dumpRegisters(_ target: RegisterTarget, region: Region, includeSideEffects: Bool,
                              outputFile: String? = nil) throws(PCIMMIOError) {
        let map = try map(for: target)
        let region = try registerRegion(target, region)
        let registers = map.registers(bar: target.place.barIndex ?? 0, in: region)
        let out = try outputFile.map { (path) throws(PCIMMIOError) in try OutputSink(path: path) } ?? output
        for register in registers {
            if (!register.access.readable || register.access.readHasSideEffects) && !includeSideEffects {
                try out.write("skipped " + register.name + " @0x" + String(register.offset, radix: 16) + " (" + register.access.rawValue
                              + (register.access.readable ? ": reading it has side effects; --include-side-effects reads it)\n" : ": write-only)\n"))
                continue
            }
            let resolved = ResolvedRegister(offset: register.offset, width: register.width, definition: register,
                                            bigEndian: RegisterResolver.bigEndian(target, register))
            let plan = try plan(target, resolved, mode: .read)
            try out.write(register.decoded(window(for: plan, bigEndian: resolved.bigEndian).read(register.width, at: register.offset)))
        }
        try out.flush()
    }

    /// Prints the region's first sample, then every `interval` the registers that changed
    /// (time since the start, offset, old -> new), until `samples` samples or forever.
    /// `named` adds each register's name from the device's map.
    public func watch(_ target: RegisterTarget, region: Region, interval: UInt64, samples: UInt64?,
                      named: Bool) throws(PCIMMIOError) {
        let plan = try plan(target, region: region)
        guard plan.count <= 1 << 24 else {
            throw .usage("watch keeps each sample in memory: at most 16777216 registers (\(plan.count) asked)")
        }
        let map = named ? try map(for: target) : nil
        let definition = { (offset: UInt64) in
            target.place.barIndex.flatMap { bar in map?.register(at: offset, bar: bar).flatMap { $0.width == plan.width ? $0 : nil } }
        }
        let label = { (offset: UInt64) in "0x" + String(offset, radix: 16) + (definition(offset).map { " " + $0.name } ?? "") }
        // Each register in its own byte order (changes are found on the raw values).
        let shown = { (offset: UInt64, value: UInt64) in
            formatRegister(RegisterResolver.bigEndian(target, definition(offset)) ? value.byteSwapped(plan.width) : value, width: plan.width)
        }
        let window = try window(for: plan)
        let start = MonotonicClock.now()
        var watcher = try RegionWatcher(plan: plan, window: window)
        for (index, value) in watcher.values.enumerated() {
            let offset = plan.offset + UInt64(index * plan.width.bytes)
            try output.write(elapsed(0) + " " + label(offset) + " " + shown(offset, value) + "\n")
        }
        try output.flush()
        var taken: UInt64 = 1
        while samples.map({ taken < $0 }) ?? true {
            MonotonicClock.sleep(nanoseconds: interval)
            for change in try watcher.sample(window) {
                try output.write(elapsed(MonotonicClock.now() - start) + " " + label(change.offset) + " "
                                 + shown(change.offset, change.old) + " -> " + shown(change.offset, change.new) + "\n")
            }
            try output.flush()
            taken += 1
        }
    }
}

/// `+1.250s`: time since a watch started, to the millisecond.
func elapsed(_ nanoseconds: UInt64) -> String {
    let milliseconds = nanoseconds / 1_000_000
    return "+" + String(milliseconds / 1000) + "." + String(milliseconds % 1000).leftPadded(3) + "s"
}
