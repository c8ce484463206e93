// A resource file shrunk under a live mapping: the next access faults (SIGBUS). Every command
// that holds a mapping across time must report that as one error line and exit 1, never die
// of the signal. These run against the binary users get (Scripts/test sets PCIMMIO_BIN to
// the release build): the optimiser decides whether the fault guard survives.
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite struct FaultTests {
    /// Runs pcimmio while another thread truncates `file` to 0 bytes after `delay` seconds.
    func runTruncating(_ file: String, after delay: TimeInterval, _ arguments: [String], sysfs tree: URL) throws -> ProcessResult {
        let truncator = Thread {
            Thread.sleep(forTimeInterval: delay)
            truncate(file, 0)
        }
        truncator.start()
        return try pcimmio(arguments, sysfs: tree)
    }

    func expectOneFaultLine(_ result: ProcessResult, naming location: String) {
        #expect(result.exitedNormally, "killed by a signal: \(result)")
        #expect(result.status == 1, "\(result)")
        #expect(result.errLines.count == 1, "\(result)")
        #expect(result.errLines.first?.contains("bus error (SIGBUS)") == true, "\(result)")
        #expect(result.errLines.first?.contains(location) == true, "\(result)")
        #expect(!result.err.contains("Fatal error") && !result.err.contains("Backtrace"))
    }

    @Test func watchReportsAFileShrunkUnderItsMapping() throws {
        try withPrivateTree("basic") { tree in
            let file = resourceFile(tree, "0000:00:03.0", "resource0")
            let result = try runTruncating(file, after: 0.3, ["watch", "00:03.0", "0", "0x800+8", "--interval", "50ms", "--count", "100"], sysfs: tree)
            expectOneFaultLine(result, naming: "accessing 0000:00:03.0 BAR 0 at offset 0x800")
            #expect(result.outLines.count == 2, "the first sample, then nothing: \(result)")
        }
    }

    @Test func waitReportsAFileShrunkUnderItsMapping() throws {
        try withPrivateTree("basic") { tree in
            let file = resourceFile(tree, "0000:00:03.0", "resource0")
            let value = littleEndian(patternBytes(0x800, 4))
            let result = try runTruncating(file, after: 0.3, ["wait", "00:03.0", "0", "0x800", "--mask", "0xffffffff",
                                                              "--value", hex(value ^ 1), "--timeout", "20s", "--interval", "10ms"], sysfs: tree)
            expectOneFaultLine(result, naming: "accessing 0000:00:03.0 BAR 0 at offset 0x800")
        }
    }

    /// A 256 MiB dump takes seconds in hex; the file is cut a fraction of a second in.
    @Test func dumpReportsAFileShrunkWhileItReads() throws {
        try withPrivateTree("large-bar") { tree in
            let file = resourceFile(tree, "0000:01:00.0", "resource1")
            let result = try runTruncating(file, after: 0.3, ["dump", "01:00.0", "1", "0+256M", "-w", "64", "-o", "/dev/null"], sysfs: tree)
            expectOneFaultLine(result, naming: "accessing 0000:01:00.0 BAR 1 at offset 0x")
        }
    }
}
