import Glibc

/// The target of the symbolic link at `path`.
func readLink(_ path: String) throws(PCIMMIOError) -> String {
    var buffer = [CChar](repeating: 0, count: 4096)
    let length = readlink(path, &buffer, buffer.count - 1)
    guard length >= 0 else { throw .system(call: "readlink", path: path, errno: errno) }
    return String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
