import Glibc

/// A whole file's bytes (scripts, maps); `-` is standard input.
///
/// A regular file is read straight into an array of its size (from fstat): a 20 MB map is
/// read once, not copied through a growing array. Whatever the size does not tell (standard
/// input, /proc files, a file still growing) is read on in chunks.
public func readWholeFile(_ path: String) throws(PCIMMIOError) -> [UInt8] {
    let file = path == "-" ? FileDescriptor.standardInput(named: path) : try FileDescriptor.open(path, O_RDONLY)
    defer { if path != "-" { file.close() } }
    let expected = (try? file.status()).map { $0.st_mode & S_IFMT == S_IFREG ? Int($0.st_size) : 0 } ?? 0
    // One byte more than expected, so that reaching the end needs no second array.
    var failure: PCIMMIOError?
    var ended = false
    var bytes = [UInt8](unsafeUninitializedCapacity: max(expected + 1, 1 << 16)) { buffer, count in
        while count < buffer.count {
            let got: Int
            do throws(PCIMMIOError) {
                got = try file.read(into: UnsafeMutableRawBufferPointer(start: buffer.baseAddress! + count, count: buffer.count - count))
            } catch {
                failure = error
                return
            }
            if got == 0 { ended = true; return }
            count += got
        }
    }
    var chunk = [UInt8](repeating: 0, count: ended || failure != nil ? 0 : 1 << 16)
    while !ended, failure == nil {
        do throws(PCIMMIOError) {
            let got = try file.read(into: &chunk)
            if got == 0 { ended = true } else { bytes.append(contentsOf: chunk[0..<got]) }
        } catch {
            failure = error
        }
    }
    if let failure { throw failure }
    return bytes
}
