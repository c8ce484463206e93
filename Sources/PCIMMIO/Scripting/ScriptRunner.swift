/// Runs a parsed script in one session: devices resolved once, windows kept open, each
/// distinct line planned (checked against its BAR) once.
public final class ScriptRunner {
    public let script: Script
    public let session: RegisterSession
    private var plans: [Int: AccessPlan] = [:]
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

    /// Runs the lines in order; stops at the first error unless `keepGoing`. Returns the errors.
    public func run(keepGoing: Bool = false) -> [PCIMMIOError] {
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

    private func plan(_ index: Int) throws(PCIMMIOError) -> AccessPlan? {
        if let known = plans[index] { return known }
        let plan: AccessPlan
        switch script.statements[index] {
        case let .peek(target, offset, count, _): plan = try session.plan(target, offset: offset, count: count, mode: .read)
        case let .poke(target, offset, _): plan = try session.plan(target, offset: offset, mode: .write)
        case let .dump(target, region, _): plan = try session.plan(target, region: region)
        case let .wait(target, offset, _, _, _): plan = try session.plan(target, offset: offset, mode: .read)
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
        case let .peek(target, offset, count, json):
            if count == 1 && !json, let plan = try plan(index) {
                // The common line: one register, formatted straight into the output buffer.
                let bytes = UnsafeMutableRawBufferPointer(rebasing: scratch[0..<plan.width.bytes])
                try window(index, plan).read(plan.width, at: plan.offset, into: bytes)
                try output.writeRegister(registerValue(UnsafeRawBufferPointer(bytes), at: 0, width: plan.width), width: plan.width)
            } else {
                try session.peek(target, offset: offset, count: count, json: json)
            }
        case let .poke(_, _, poke):
            guard let plan = try plan(index) else { return }
            try poke.apply(to: window(index, plan), at: plan.offset)
        case let .dump(target, region, format):
            try session.dump(target, region: region, format: format)
        case let .wait(target, offset, condition, timeout, interval):
            try session.wait(target, offset: offset, condition: condition, timeout: timeout, interval: interval)
        case let .sleep(nanoseconds):
            try output.flush()
            Clock.sleep(nanoseconds: nanoseconds)
        case let .echo(text):
            try output.write(text + "\n")
        }
    }
}
