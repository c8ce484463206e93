import Glibc

/// A whole file's bytes (scripts, maps); `-` is standard input.
public func readWholeFile(_ path: String) throws(PCIMMIOError) -> [UInt8] {
    let descriptor = path == "-" ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { throw .system(call: "open", path: path, errno: errno) }
    defer { if path != "-" { close(descriptor) } }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let got = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        if got < 0 {
            if errno == EINTR { continue }
            throw .system(call: "read", path: path, errno: errno)
        }
        if got == 0 { return bytes }
        bytes.append(contentsOf: chunk[0..<got])
    }
}
