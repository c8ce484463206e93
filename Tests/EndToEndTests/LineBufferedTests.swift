import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `run --line-buffered -` as a co-process: the test writes one line into a real pipe, reads
/// the answer from another, and only then writes the next line, built from that answer.
@Suite struct LineBufferedTests {
    let slot = "0000:00:03.0"

    /// A running `pcimmio run` with its standard input and output on pipes.
    final class CoProcess {
        let process = Process()
        let input = Pipe()
        let output = Pipe()
        let errors = Pipe()
        private var pending: [UInt8] = []

        init(_ arguments: [String], tree: URL) throws {
            process.executableURL = URL(fileURLWithPath: try E2E.binary())
            process.arguments = ["--sysfs", tree.path] + arguments
            process.environment = pcimmioEnvironment()
            process.standardInput = input
            process.standardOutput = output
            process.standardError = errors
            try process.run()
        }

        func send(_ line: String) {
            input.fileHandleForWriting.write(Data((line + "\n").utf8))
        }

        /// The next output line, or nil when none came within `timeout` seconds.
        func receive(timeout: Double = 10) -> String? {
            let deadline = Date().addingTimeInterval(timeout)
            let fd = output.fileHandleForReading.fileDescriptor
            while true {
                if let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    defer { pending.removeSubrange(0...newline) }
                    return String(decoding: pending[..<newline], as: UTF8.self)
                }
                let left = deadline.timeIntervalSinceNow
                guard left > 0 else { return nil }
                var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                guard poll(&poller, 1, Int32(left * 1000)) > 0 else { return nil }
                var chunk = [UInt8](repeating: 0, count: 4096)
                let got = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                guard got > 0 else { return nil }
                pending += chunk[0..<got]
            }
        }

        /// Closes its input and waits: the exit status and standard error.
        func finish() -> (Int32, String) {
            try? input.fileHandleForWriting.close()
            process.waitUntilExit()
            let err = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            return (process.terminationStatus, err)
        }
    }

    @Test func eachLineIsAnsweredBeforeTheNextIsWritten() throws {
        try withPrivateTree("basic") { tree in
            let file = resourceFile(tree, slot, "resource0")
            let co = try CoProcess(["run", "--line-buffered", "-"], tree: tree)
            co.send("peek 00:03.0 0 0x10")
            let first = try #require(co.receive(), "no answer to the first line")
            #expect(first == hexRegister(try fileRegister(file, offset: 0x10, width: 32), width: 32))
            // The next line depends on the answer: a shell loop reading with `read` does this.
            let next = (UInt64(first.dropFirst(2), radix: 16)! &+ 1) & 0xffff_ffff
            co.send("poke 00:03.0 0 0x20 \(hex(next))")
            co.send("peek 00:03.0 0 0x20")
            #expect(co.receive() == hexRegister(next, width: 32))
            #expect(try fileRegister(file, offset: 0x20, width: 32) == next)
            co.send("echo done")
            #expect(co.receive() == "done")
            let (status, err) = co.finish()
            #expect(status == 0 && err.isEmpty, "\(err)")
        }
    }

    @Test func aBadLineStopsTheCoProcessWithItsLineNumber() throws {
        try withPrivateTree("basic") { tree in
            let co = try CoProcess(["run", "--line-buffered", "-"], tree: tree)
            co.send("peek 00:03.0 0 0x10")
            #expect(co.receive() != nil)
            co.send("peek 00:03.0 0 0x200000")
            let (status, err) = co.finish()
            #expect(status == 1)
            #expect(err.hasPrefix("pcimmio: <stdin>:2: offset 0x200000"), "\(err)")
        }
    }

    /// Without the flag a pipe gets the output only at the end: what makes the flag needed.
    @Test func withoutTheFlagNothingComesBeforeTheEnd() throws {
        try withPrivateTree("basic") { tree in
            let co = try CoProcess(["run", "-"], tree: tree)
            co.send("peek 00:03.0 0 0x10")
            #expect(co.receive(timeout: 0.3) == nil)
            let (status, _) = co.finish()
            #expect(status == 0)
            #expect(co.receive() != nil)
        }
    }
}
