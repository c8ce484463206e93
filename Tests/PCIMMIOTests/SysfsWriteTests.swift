// The sysfs attribute write bind, unbind and enable share, on plain files and /dev/full (a
// file whose writes fail, as a refused driver_override or drivers_probe write does).
import Glibc
import Testing
@testable import PCIMMIO

@Suite struct SysfsWriteTests {
    private func contents(_ path: String) -> [UInt8] {
        let fd = open(path, O_RDONLY)
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        return Array(buffer.prefix(max(count, 0)))
    }

    @Test func writesTheValueAndNamesItsStepWhenOneFails() throws {
        let scratch = ScratchDirectory()
        let path = scratch.file("driver_override", size: 0)
        try SysfsWrite(path: path, value: "vfio-pci").perform()
        #expect(contents(path) == Array("vfio-pci".utf8))
        #expect(throws: SysfsWrite.Failure(step: .open, call: "open for writing", errno: ENOENT)) {
            try SysfsWrite(path: scratch.path + "/missing", value: "1").perform()
        }
        #expect(throws: SysfsWrite.Failure(step: .write, call: "write '\\n' to", errno: ENOSPC)) {
            try SysfsWrite(path: "/dev/full", value: "\n").perform()
        }
    }

    @Test func bindingStopsAtAFailedWriteExceptDriversProbes() throws {
        let scratch = ScratchDirectory()
        let probe = scratch.path + "/drivers_probe"
        #expect(symlink("/dev/full", probe) == 0)
        func binding(_ paths: [String]) -> DriverBinding {
            DriverBinding(slot: "0000:00:02.0", current: nil, wanted: "vfio-pci",
                          writes: paths.map { SysfsWrite(path: $0, value: "0000:00:02.0") }, directory: scratch.path, root: scratch.path)
        }
        try binding([probe]).perform()
        #expect(throws: PCIMMIOError.system(call: "write '0000:00:02.0' to", path: "/dev/full", errno: ENOSPC)) {
            try binding(["/dev/full", probe]).perform()
        }
        #expect(throws: PCIMMIOError.system(call: "open for writing", path: scratch.path + "/none", errno: ENOENT)) {
            try binding([scratch.path + "/none"]).perform()
        }
    }
}
