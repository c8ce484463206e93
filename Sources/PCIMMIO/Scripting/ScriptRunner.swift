/// Runs a parsed script in one session: devices resolved once, windows kept open, each
/// distinct line planned (checked against its BAR) once.
public final class ScriptRunner {
    public let script: Script
    public let session: RegisterSession
    private var plans: [Int: AccessPlan] = [:]
    private var pokes: [Int: Poke] = [:]
    private var windows: [Int: RegisterWindow] = [:]
    private let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 8, alignment: 8)
    private let flushEachLine: Bool

    public init(script: Script, session: RegisterSession) {
        self.script = script
        self.session = session
        flushEachLine = session.output.isTerminal
    }

    deinit { scratch.deallocate() }

    /// --dry-run: every line checked against its device and BAR (existence, bounds,
    /// alignment, width, resource files); no resource file is opened.
    public func check() -> [PCIMMIOError] {
        var failures: [PCIMMIOError] = []
        var checked: [Int: PCIMMIOError?] = [:]
        for line in script.lines {
            if checked[line.statement] == nil {
                do throws(PCIMMIOError) {
                    _ = try plan(line.statement)
                    checked[line.statement] = .some(nil)
                } catch {
                    checked[line.statement] = .some(error)
                }
            }
            if case let .some(.some(error)) = checked[line.statement] {
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
        }
        var failures: [PCIMMIOError] = []
        for line in script.lines {
            do throws(PCIMMIOError) {
                try execute(line.statement)
                if flushEachLine { try session.output.flush() }
            } catch {
                failures.append(.inScript(file: script.name, line: line.number, error))
                if !keepGoing { break }
            }
        }
        try? session.output.flush()
        return failures
    }

    /// The statement checked against its device: resolved names, bounds, alignment, width.
    private func plan(_ index: Int) throws(PCIMMIOError) -> AccessPlan? {
        if let known = plans[index] { return known }
        let plan: AccessPlan
        switch script.statements[index] {
        case let .peek(target, reference, count, _, decode):
            plan = try session.plan(target, session.resolve(target, reference), count: count, mode: .read)
            if decode { _ = try session.map(for: target) }
        case let .poke(target, request, verify):
            let (register, poke) = try session.resolve(target, request, verify: verify)
            if case let .values(_, values) = request {
                // Several registers: written by the session's pokeValues.
                _ = try session.plan(target, register, count: values.count, mode: .write)
                return nil
            }
            plan = try session.plan(target, register, mode: .write)
            pokes[index] = poke
        case let .dump(target, region, _, decode, _):
            guard !decode else {
                // A decoded dump reads the map's registers, each at its own width.
                _ = try session.map(for: target)
                _ = try session.registerRegion(target, region)
                return nil
            }
            plan = try session.plan(target, region: region)
        case let .wait(target, request, _, _):
            plan = try session.plan(target, session.resolve(target, request).0, mode: .read)
        case let .load(target, offset, bytes, _, _):
            _ = try session.plan(target, ResolvedRegister(offset: offset, width: target.width, definition: nil),
                                 count: bytes.count / target.width.bytes, mode: .write)
            return nil
        case let .fill(target, region, _, _, _):
            _ = try session.plan(target, region: region, mode: .write)
            return nil
        case .sleep, .echo: return nil
        }
        plans[index] = plan
        return plan
    }

    private func window(_ index: Int, _ plan: AccessPlan) throws(PCIMMIOError) -> RegisterWindow {
        if let open = windows[index] { return open }
        let window = try session.window(for: plan)
        windows[index] = window
        return window
    }

    private func execute(_ index: Int) throws(PCIMMIOError) {
        let output = session.output
        switch script.statements[index] {
        case let .peek(target, reference, count, json, decode):
            if count == 1 && !json && !decode, let plan = try plan(index) {
                // The common line: one register, formatted straight into the output buffer.
                let bytes = UnsafeMutableRawBufferPointer(rebasing: scratch[0..<plan.width.bytes])
                let window = try window(index, plan)
                if session.checkErrors {
                    try session.checkingErrors("peek", target) { () throws(PCIMMIOError) in try window.read(plan.width, at: plan.offset, into: bytes) }
                } else {
                    try window.read(plan.width, at: plan.offset, into: bytes)
                }
                let value = registerValue(UnsafeRawBufferPointer(bytes), at: 0, width: plan.width)
                if value == plan.width.mask { session.noteIfAllOnes(plan, offset: plan.offset, value: value) }
                try output.writeRegister(value, width: plan.width)
                try session.throwRaisedErrors()
            } else {
                try session.peek(target, reference, count: count, json: json, decode: decode)
            }
        case let .poke(target, request, verify):
            guard let plan = try plan(index), let poke = pokes[index] else {
                return try session.poke(target, request, verify: verify)
            }
            let window = try window(index, plan)
            try session.checkingErrors("poke", target) { () throws(PCIMMIOError) in try poke.apply(to: window, at: plan.offset) }
            try session.throwRaisedErrors()
        case let .dump(target, region, format, decode, includeSideEffects):
            if decode {
                try session.dumpRegisters(target, region: region, includeSideEffects: includeSideEffects)
            } else {
                try session.dump(target, region: region, format: format)
            }
        case let .wait(target, request, timeout, interval):
            try session.wait(target, request, timeout: timeout, interval: interval)
        case let .load(target, offset, bytes, verify, flush):
            try session.load(target, offset: offset, bytes: bytes, verify: verify, flush: flush)
        case let .fill(target, region, value, step, flush):
            try session.fill(target, region: region, value: value, step: step, flush: flush)
        case let .sleep(nanoseconds):
            try output.flush()
            MonotonicClock.sleep(nanoseconds: nanoseconds)
        case let .echo(text):
            try output.write(text + "\n")
        }
    }
}
