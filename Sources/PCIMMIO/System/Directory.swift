import Glibc

/// Calls `body` with the name of each entry of the directory at `path`, as bytes without the
/// NUL (`.` and `..` included), in readdir's order: no String is made for names the caller
/// only parses. Inlined, so that a peek's walk of `devices/` costs what its own loop did.
@inline(__always)
func forEachDirectoryEntry(_ path: String, _ body: (Slice<UnsafeRawBufferPointer>) -> Void) throws(PCIMMIOError) {
    guard let directory = opendir(path) else { throw .system(call: "opendir", path: path, errno: errno) }
    defer { closedir(directory) }
    while let entry = readdir(directory) {
        withUnsafeBytes(of: entry.pointee.d_name) { name in body(name.prefix { $0 != 0 }) }
    }
}

/// Entry names of a directory (without . and ..).
func listDirectory(_ path: String) throws(PCIMMIOError) -> [String] {
    var names: [String] = []
    try forEachDirectoryEntry(path) { bytes in
        let name = String(decoding: bytes, as: UTF8.self)
        if name != "." && name != ".." { names.append(name) }
    }
    return names
}
