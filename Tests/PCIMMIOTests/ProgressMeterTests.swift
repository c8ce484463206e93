import Glibc
import Testing
@testable import PCIMMIO

@Suite struct ProgressMeterTests {
    @Test func theLineSaysDoneTotalRateAndTimeLeft() {
        #expect(ProgressMeter.line("load", done: 16 << 20, total: 64 << 20, elapsed: 2_000_000_000)
                == "load 16M of 64M (25%), 8MB/s, 6 s left")
        #expect(ProgressMeter.line("dump", done: 64 << 20, total: 64 << 20, elapsed: 1_000_000_000) == "dump 64M of 64M (100%), 64MB/s, 0 s left")
    }

    /// The test process's stderr is not a terminal (swift test pipes it), and --no-progress is off.
    @Test func nothingWithoutATerminalOrWhenTurnedOff() {
        #expect(ProgressMeter("load", total: 1 << 30, enabled: true) == nil || isStderrTerminal())
        #expect(ProgressMeter("load", total: 1 << 30, enabled: false) == nil)
    }
}

private func isStderrTerminal() -> Bool {
    #if canImport(Glibc)
    return Glibc.isatty(2) != 0
    #else
    return false
    #endif
}
