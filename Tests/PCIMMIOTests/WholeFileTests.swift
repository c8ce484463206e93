import Glibc
import Testing
@testable import PCIMMIO

@Suite struct WholeFileTests {
    /// A regular file is read at its size; one of exactly the first read's size, or empty,
    /// still ends where it ends.
    @Test(arguments: [0, 1, 65_535, 65_536, 65_537, 300_001])
    func regularFilesAreReadWhole(size: Int) throws {
        let scratch = ScratchDirectory()
        let path = scratch.file("f", size: UInt64(size), seeded: size)
        #expect(try readWholeFile(path) == (0..<size).map(testPattern))
    }

    /// Files whose size stat does not tell (/proc reports 0) are read on to their end.
    @Test func procFilesAreReadToTheirEnd() throws {
        let status = String(decoding: try readWholeFile("/proc/self/status"), as: UTF8.self)
        #expect(status.hasPrefix("Name:") && status.contains("\nPid:"))
    }

    @Test func aDirectoryIsAReadError() {
        #expect(throws: PCIMMIOError.self) { try readWholeFile("/tmp") }
    }
}
