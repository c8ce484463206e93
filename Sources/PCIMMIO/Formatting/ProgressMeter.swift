/// A progress line on stderr for long transfers, the way `dd status=progress` and `pv` show
/// one: bytes done, rate, time left. Only when stderr is a terminal, and only once a transfer
/// has run for a second (short ones never show it); redrawn at most five times a second and
/// erased at the end. Never in pipes or logs.
final class ProgressMeter {
    private let verb: String
    private let total: UInt64
    private let start = MonotonicClock.now()
    private var lastDrawn: UInt64 = 0
    private var shown = false

    /// nil when progress is off (`--no-progress`) or stderr is not a terminal.
    init?(_ verb: String, total: UInt64, enabled: Bool) {
        guard enabled, FileDescriptor.standardError.isTerminal, total > 0 else { return nil }
        self.verb = verb
        self.total = total
    }

    func advance(to done: UInt64) {
        let now = MonotonicClock.now()
        let elapsed = now - start
        guard elapsed >= 1_000_000_000, now - lastDrawn >= 200_000_000 else { return }
        lastDrawn = now
        shown = true
        draw(Self.line(verb, done: done, total: total, elapsed: elapsed))
    }

    /// `load 12.0M of 64M (18%), 25.3MB/s, 3 s left`.
    static func line(_ verb: String, done: UInt64, total: UInt64, elapsed: UInt64) -> String {
        let rate = Double(done) / (Double(max(elapsed, 1)) / 1e9)
        let left = rate > 0 ? Double(total - min(done, total)) / rate : 0
        return "\(verb) \(humanSize(done)) of \(humanSize(total)) (\(min(done, total) * 100 / total)%), "
            + "\(humanSize(UInt64(rate)))B/s, \(Int(left.rounded(.up))) s left"
    }

    /// Erases the line (the command's own output or error follows on a clean line).
    func finish() {
        guard shown else { return }
        draw("")
        shown = false
    }

    private func draw(_ text: String) {
        writeToStandardError("\r\u{1b}[K" + (text.isEmpty ? "" : "pcimmio: " + text))
    }

    deinit { finish() }
}
