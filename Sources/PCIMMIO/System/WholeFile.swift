import Glibc

/// A whole file's bytes (scripts, maps); `-` is standard input.
///
/// A regular file is read straight into an array of its size (from fstat): a 20 MB map is
/// read once, not copied through a growing array. Whatever the size does not tell (standard
/// input, /proc files, a file still growing) is read on in chunks.
public func readWholeFile(_ path: String) throws(PCIMMIOError) -> [UInt8] {
    let descriptor = path == "-" ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { throw .system(call: "open", path: path, errno: errno) }
    defer { if path != "-" { close(descriptor) } }
    var info = stat()
    let expected = fstat(descriptor, &info) == 0 && info.st_mode & S_IFMT == S_IFREG ? Int(info.st_size) : 0
    // One byte more than expected, so that reaching the end needs no second array.
    var failure: Int32 = 0
    var ended = false
    var bytes = [UInt8](unsafeUninitializedCapacity: max(expected + 1, 1 << 16)) { buffer, count in
        while count < buffer.count {
            let got = read(descriptor, buffer.baseAddress! + count, buffer.count - count)
            if got < 0 {
                if errno == EINTR { continue }
                failure = errno
                return
            }
            if got == 0 { ended = true; return }
            count += got
        }
    }
    var chunk = [UInt8](repeating: 0, count: ended || failure != 0 ? 0 : 1 << 16)
    while !ended, failure == 0 {
        let got = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        if got < 0 {
            if errno != EINTR { failure = errno }
        } else if got == 0 {
            ended = true
        } else {
            bytes.append(contentsOf: chunk[0..<got])
        }
    }
    if failure != 0 { throw .system(call: "read", path: path, errno: failure) }
    return bytes
}
