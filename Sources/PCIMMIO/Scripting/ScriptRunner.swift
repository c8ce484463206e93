/// Runs a parsed script in one session: devices resolved once, windows kept open, each
/// line checked against its BAR before any line runs.
///
/// What it remembers is bounded: plain accesses are checked with a bounded set of the
/// (target, offset) pairs already seen and use the last window of their target, so a
/// million distinct peeks cost no memory beyond their 40-byte lines.
public final class ScriptRunner {
    public private(set) var script: Script
    public let session: RegisterSession
    /// Where the lines' results go (ReadoutFormat): what a command line of the same words prints.
    public let output: OutputSink
    /// Statements as checked: plan, poke, byte order, and the window once one ran.
    private var prepared = BoundedCache<Int, Prepared>()
    /// Plain accesses already checked against their BAR.
    private var checkedAccesses = BoundedCache<AccessKey, Bool>()
    /// Per target of plain accesses: the windows its last read and write went through, and
    /// the map that decides byte order at its offsets. Windows themselves are the session's.
    private var targets: [TargetState?] = []
    /// The last access checked: runs of identical lines skip even the hash.
    private var lastChecked: AccessKey?
    /// Every line passed check(): running needs no second look.
    private var checkedUpFront = false
    private let flushEachLine: Bool

    private final class Prepared {
        let plan: AccessPlan?
        let poke: Poke?
        /// --big-endian, or a register its map says is big-endian (RegisterResolver.bigEndian).
        let bigEndian: Bool
        var window: RegisterWindow?

        init(plan: AccessPlan?, poke: Poke?, bigEndian: Bool) {
            self.plan = plan
            self.poke = poke
            self.bigEndian = bigEndian
        }
    }

    private final class TargetState {
        /// Read (0) and write (1).
        var windows: [TargetWindow?] = [nil, nil]
        /// nil until asked; then the map in use, or none (only with --map).
        var map: RegisterMap??
    }

    /// A window and a plan of its BAR, kept as one reference: a line costs one retain, not
    /// one per string in the plan.
    private final class TargetWindow {
        let window: RegisterWindow
        let plan: AccessPlan

        init(window: RegisterWindow, plan: AccessPlan) {
            self.window = window
            self.plan = plan
        }
    }

    private struct AccessKey: Hashable {
        let target: UInt32
        let offset: UInt64
        let write: Bool
    }

    /// `flushEachLine` (run --line-buffered) flushes the output after every line even when
    /// it is not a terminal.
    public init(script: Script, session: RegisterSession, output: OutputSink = .standardOutput(), flushEachLine: Bool = false) {
        self.script = script
        self.session = session
        self.output = output
        self.flushEachLine = flushEachLine || output.isTerminal
    }

    /// --dry-run: every line checked against its device and BAR (existence, bounds,
    /// alignment, width, resource files); no resource file is opened.
    public func check() -> [PCIMMIOError] {
        var failures: [PCIMMIOError] = []
        for line in script.lines {
            do throws(PCIMMIOError) {
                try check(line)
            } catch {
                failures.append(.inScript(file: script.name, line: line.number, error))
            }
        }
        return failures
    }

    /// Runs the lines in order; returns the errors. Without `keepGoing` every line is first
    /// checked against its device (as --dry-run does) and nothing runs if one is wrong; then
    /// the first error at run time (a fault, a timeout, a failed verify) stops the script.
    /// With `keepGoing` every line runs that can, and all errors are returned.
    public func run(keepGoing: Bool = false) -> [PCIMMIOError] {
        if !keepGoing {
            let problems = check()
            if !problems.isEmpty { return problems }
            checkedUpFront = true
        }
        var failures: [PCIMMIOError] = []
        for line in script.lines {
            do throws(PCIMMIOError) {
                try runLine(line)
                if flushEachLine { try output.flush() }
            } catch {
                failures.append(.inScript(file: script.name, line: line.number, error))
                if !keepGoing { break }
            }
        }
        try? output.flush()
        return failures
    }

    /// `run --line-buffered`: each line is parsed, checked and run as it arrives, and its
    /// output flushed before the next one is read, so a co-process can send a line and read
    /// the answer. A line cannot be checked before it is written: a wrong one stops the
    /// script there (or, with `keepGoing`, is reported and skipped).
    public func runLines(from input: inout LineReader, keepGoing: Bool = false) -> [PCIMMIOError] {
        var failures: [PCIMMIOError] = []
        var number = 0
        while true {
            let raw: ArraySlice<UInt8>
            do throws(PCIMMIOError) {
                guard let next = try input.next() else { break }
                raw = next
            } catch {
                failures.append(error)
                break
            }
            number += 1
            do throws(PCIMMIOError) {
                guard let line = try script.parse(raw, number: number) else { continue }
                do throws(PCIMMIOError) {
                    try check(line)
                    try runLine(line)
                } catch {
                    throw .inScript(file: script.name, line: number, error)
                }
            } catch {
                failures.append(error)
                if !keepGoing { break }
            }
            do throws(PCIMMIOError) { try output.flush() } catch { failures.append(error); break }
        }
        try? output.flush()
        return failures
    }

    private func check(_ line: Script.Line) throws(PCIMMIOError) {
        if let statement = line.statement {
            _ = try prepare(statement)
        } else {
            _ = try checkedPlan(line)
        }
    }

    /// A plain access checked against its BAR: nil when it was already, else its plan.
    private func checkedPlan(_ line: Script.Line) throws(PCIMMIOError) -> AccessPlan? {
        let key = AccessKey(target: line.index, offset: line.offset, write: line.kind != .peek)
        if key == lastChecked || checkedUpFront || checkedAccesses[key] != nil { return nil }
        let plan = try plan(line)
        checkedAccesses[key] = true
        lastChecked = key
        return plan
    }

    /// The plan a command line of the same words would make (the session resolves the offset).
    private func plan(_ line: Script.Line) throws(PCIMMIOError) -> AccessPlan {
        let target = script.targets[Int(line.index)]
        return try session.plan(target, session.resolve(target, .offset(line.offset)), mode: line.kind == .peek ? .read : .write)
    }

    /// A plain access's byte order: the target's, and with --map the register's there.
    private func bigEndian(_ line: Script.Line) throws(PCIMMIOError) -> Bool {
        let index = Int(line.index)
        let target = script.targets[index]
        guard session.maps.explicit != nil else { return target.bigEndian }
        let state = state(index)
        if state.map == nil { state.map = .some(try session.resolver.mapInUse(for: target, decoding: false)) }
        return RegisterResolver.bigEndian(target, RegisterResolver.definition(in: state.map!, at: line.offset, of: target, width: target.width))
    }

    private func state(_ index: Int) -> TargetState {
        if index >= targets.count { targets += Array(repeating: nil, count: index + 1 - targets.count) }
        if let known = targets[index] { return known }
        let made = TargetState()
        targets[index] = made
        return made
    }

    /// The window for a plain access: its target's last one when it covers the register,
    /// else the session's (which maps the whole BAR once a second place in it is needed).
    private func window(_ line: Script.Line) throws(PCIMMIOError) -> TargetWindow {
        let state = state(Int(line.index))
        let slot = line.kind == .peek ? 0 : 1
        let width = UInt64(script.targets[Int(line.index)].width.bytes)
        let checked = try checkedPlan(line)
        if checked == nil, let open = state.windows[slot],
           open.window.region.lowerBound <= line.offset, line.offset + width <= open.window.region.upperBound {
            return open
        }
        let plan: AccessPlan
        if let checked { plan = checked } else { plan = try self.plan(line) }
        let open = TargetWindow(window: try session.window(for: plan), plan: plan)
        state.windows[slot] = open
        return open
    }

    /// The statement checked against its device: resolved names, bounds, alignment, width.
    private func prepare(_ index: Int) throws(PCIMMIOError) -> Prepared {
        if let known = prepared[index] { return known }
        var plan: AccessPlan?
        var poke: Poke?
        var bigEndian = script.statements[index].target.map { RegisterResolver.bigEndian($0, nil) } ?? false
        switch script.statements[index] {
        case let .peek(target, reference, count, _, decode):
            let register = try session.resolver.resolve(target, reference, map: session.resolver.mapInUse(for: target, decoding: decode))
            bigEndian = register.bigEndian
            plan = try session.plan(target, register, count: count, mode: .read)
        case let .poke(target, request, verify):
            let (register, checked) = try session.resolver.resolve(target, request, verify: verify,
                                                                   map: session.resolver.mapInUse(for: target, decoding: false))
            bigEndian = register.bigEndian
            if case let .values(_, values) = request {
                // Several registers: written by the session's pokeValues.
                _ = try session.plan(target, register, count: values.count, mode: .write)
                break
            }
            plan = try session.plan(target, register, mode: .write)
            poke = checked
        case let .dump(target, region, _, decode, _):
            if decode {
                // A decoded dump reads the map's registers, each at its own width.
                _ = try session.map(for: target)
                _ = try session.registerRegion(target, region)
            } else {
                plan = try session.plan(target, region: region)
            }
        case let .wait(target, request, _, _):
            plan = try session.plan(target, session.resolver.resolve(target, request).0, mode: .read)
        case let .load(target, offset, bytes, _, _):
            _ = try session.plan(target, ResolvedRegister(offset: offset, width: target.width, definition: nil, bigEndian: target.bigEndian),
                                 count: bytes.count / target.width.bytes, mode: .write)
        case let .fill(target, region, _, _, _, _):
            _ = try session.plan(target, region: region, mode: .write)
        case .sleep, .echo: break
        }
        let made = Prepared(plan: plan, poke: poke, bigEndian: bigEndian)
        prepared[index] = made
        return made
    }

    private func window(_ prepared: Prepared, _ plan: AccessPlan) throws(PCIMMIOError) -> RegisterWindow {
        if let open = prepared.window { return open }
        let window = try session.window(for: plan)
        prepared.window = window
        return window
    }

    /// Each line runs through the session's own single-register read and write (the ones a
    /// one-shot peek and poke use) or its commands; only the caches are the runner's.
    /// A line, then the error bits it raised (--check-errors), once its output is written.
    private func runLine(_ line: Script.Line) throws(PCIMMIOError) {
        try execute(line)
        try session.throwRaisedErrors()
    }

    private func execute(_ line: Script.Line) throws(PCIMMIOError) {
        guard let index = line.statement else {
            // A plain access: most lines of a long script.
            let target = script.targets[Int(line.index)]
            let open = try window(line)
            let bigEndian = try bigEndian(line)
            if line.kind == .peek {
                try output.writeRegister(session.readRegister(open.plan, at: line.offset, through: open.window, bigEndian: bigEndian),
                                         width: target.width)
            } else {
                let poke = try Poke(width: target.width, value: line.value, mask: line.mask, verify: line.kind == .pokeVerify)
                try session.writeRegister(poke, open.plan, at: line.offset, through: open.window, bigEndian: bigEndian)
            }
            return
        }
        switch script.statements[index] {
        case let .peek(target, reference, count, json, decode):
            let prepared = try prepare(index)
            if count == 1 && !json && !decode, let plan = prepared.plan {
                // One named register, formatted straight into the output buffer.
                let value = try session.readRegister(plan, at: plan.offset, through: window(prepared, plan), bigEndian: prepared.bigEndian)
                try output.writeRegister(value, width: plan.width)
            } else {
                let readout = try session.read(target, reference, count: count, decode: decode)
                try output.write(json ? ReadoutFormat.json(readout) : ReadoutFormat.text(readout))
            }
        case let .poke(target, request, verify):
            let prepared = try prepare(index)
            guard let plan = prepared.plan, let poke = prepared.poke else {
                return try session.poke(target, request, verify: verify)
            }
            try session.writeRegister(poke, plan, at: plan.offset, through: window(prepared, plan), bigEndian: prepared.bigEndian)
        case let .dump(target, region, format, decode, includeSideEffects):
            if decode {
                try session.decodedRegisters(target, region: region, includeSideEffects: includeSideEffects) { (read) throws(PCIMMIOError) in
                    try output.write(ReadoutFormat.text(read))
                }
            } else {
                try session.dump(target, region: region, format: format) { () throws(PCIMMIOError) in output }
            }
        case let .wait(target, request, timeout, interval):
            let final = try session.wait(target, request, timeout: timeout, interval: interval) { () throws(PCIMMIOError) in try output.flush() }
            try output.write(formatRegister(final.value, width: final.width) + "\n")
            try output.flush()
        case let .load(target, offset, bytes, verify, flush):
            try session.load(target, offset: offset, bytes: bytes, verify: verify, flush: flush)
        case let .fill(target, region, value, step, flush, verify):
            try session.fill(target, region: region, value: value, step: step, flush: flush, verify: verify)
        case let .sleep(nanoseconds):
            try output.flush()
            MonotonicClock.sleep(nanoseconds: nanoseconds)
        case let .echo(text):
            try output.write(text + "\n")
        }
    }
}
