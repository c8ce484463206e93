import Glibc

/// stat(2) of `path`, links followed.
func fileStatus(_ path: String) throws(PCIMMIOError) -> stat {
    var info = stat()
    guard stat(path, &info) == 0 else { throw .system(call: "stat", path: path, errno: errno) }
    return info
}

/// Whether anything is at `path`. One stat and no error value: BAR decoding asks for every
/// BAR's resource files in a peek's start-up.
func fileExists(_ path: String) -> Bool {
    var info = stat()
    return stat(path, &info) == 0
}

/// Whether `path` is a directory.
func isDirectory(_ path: String) -> Bool {
    (try? fileStatus(path)).map { $0.st_mode & S_IFMT == S_IFDIR } ?? false
}

/// Whether this process may execute `path` (access(2), X_OK).
public func isExecutable(_ path: String) -> Bool {
    access(path, X_OK) == 0
}

/// Whether `path` is a regular file (whose size is known before it is read).
public func isRegularFile(_ path: String) -> Bool {
    (try? fileStatus(path)).map { $0.st_mode & S_IFMT == S_IFREG } ?? false
}
