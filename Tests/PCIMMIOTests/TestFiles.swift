import Glibc
@testable import PCIMMIO

/// A private directory with resource files, removed when released.
final class ScratchDirectory {
    let path: String

    init() {
        var template = Array("/tmp/pcimmio-unit-XXXXXX".utf8CString)
        path = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
    }

    deinit {
        // Only what the tests made: plain files in one flat directory.
        if let dir = opendir(path) {
            while let entry = readdir(dir) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
                if name != "." && name != ".." { unlink(path + "/" + name) }
            }
            closedir(dir)
        }
        rmdir(path)
    }

    /// A file of `size` bytes whose byte i is `pattern(i)` for the first `seeded` bytes; the rest is a hole.
    @discardableResult
    func file(_ name: String, size: UInt64, seeded: Int = 0, pattern: (Int) -> UInt8 = testPattern) -> String {
        let full = path + "/" + name
        let fd = open(full, O_RDWR | O_CREAT | O_TRUNC, 0o644)
        precondition(fd >= 0)
        ftruncate(fd, off_t(size))
        let bytes = (0..<seeded).map(pattern)
        _ = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        close(fd)
        return full
    }
}

func testPattern(_ index: Int) -> UInt8 { UInt8(truncatingIfNeeded: index &* 7 &+ 3) }

/// The file's bytes, read with plain pread: the oracle for what the mapper saw or wrote.
func fileBytes(_ path: String, at offset: UInt64, count: Int) -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: count)
    let fd = open(path, O_RDONLY)
    precondition(fd >= 0)
    let got = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, count, off_t(offset)) }
    close(fd)
    precondition(got == count)
    return bytes
}

func littleEndian(_ bytes: [UInt8]) -> UInt64 {
    bytes.reversed().reduce(0) { $0 << 8 | UInt64($1) }
}

/// A device with the given BARs, slot 0000:00:03.0.
func device(_ bars: [BAR]) -> PCIDevice {
    PCIDevice(address: PCIAddress(domain: 0, bus: 0, device: 3, function: 0), vendorID: 0x1234, deviceID: 0x11e8,
              deviceClass: 0x00ff, revision: 0, subsystemVendorID: 0, subsystemID: 0, vendorName: nil,
              deviceName: nil, className: nil, driver: nil, bars: bars)
}

func memoryBAR(_ index: Int = 0, size: UInt64, file: String?, wc: String? = nil, prefetchable: Bool = false) -> BAR {
    BAR(index: index, kind: prefetchable ? .mem64 : .mem32, prefetchable: prefetchable, address: 0xfe00_0000,
        size: size, resourceFile: file, writeCombiningFile: wc)
}

/// Lines of /proc/self/maps that map `path`.
func mappings(of path: String) -> [String] {
    guard let maps = fopen("/proc/self/maps", "r") else { return [] }
    defer { fclose(maps) }
    var lines: [String] = []
    var buffer = [CChar](repeating: 0, count: 4096)
    while fgets(&buffer, Int32(buffer.count), maps) != nil {
        let line = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        if line.hasSuffix(path + "\n") { lines.append(line) }
    }
    return lines
}

/// Bytes covered by one /proc/self/maps line.
func mappedLength(_ line: String) -> UInt64 {
    let range = line.split(separator: " ")[0].split(separator: "-")
    return UInt64(range[1], radix: 16)! - UInt64(range[0], radix: 16)!
}

/// Open descriptors of this process that refer to `path`.
func openDescriptors(of path: String) -> Int {
    guard let dir = opendir("/proc/self/fd") else { return 0 }
    defer { closedir(dir) }
    var count = 0
    var target = [CChar](repeating: 0, count: 4096)
    while let entry = readdir(dir) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
        let length = readlink("/proc/self/fd/" + name, &target, target.count - 1)
        if length > 0 {
            target[length] = 0
            if target.withUnsafeBufferPointer({ String(cString: $0.baseAddress!) }) == path { count += 1 }
        }
    }
    return count
}
