import Glibc

/// A file descriptor that closes itself; every failing call throws a typed error naming the file.
final class OpenFile {
    let descriptor: Int32
    let path: String
    /// What the file is, for the diagnosis of a refusal (the back-end that opened it knows).
    let kind: MappingDiagnosis.FileKind

    /// `synchronous` (O_SYNC) makes /dev/mem map uncached.
    init(path: String, writable: Bool, synchronous: Bool = false, kind: MappingDiagnosis.FileKind = .other) throws(PCIMMIOError) {
        let descriptor = open(path, (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC | (synchronous ? O_SYNC : 0))
        guard descriptor >= 0 else {
            let code = errno
            if code == ENOENT, kind == .resourceFile { throw .missingResourceFile(path: path) }
            throw MappingDiagnosis.error(call: writable ? "open for writing" : "open", path: path, kind: kind, errno: code)
        }
        self.descriptor = descriptor
        self.path = path
        self.kind = kind
    }

    /// A descriptor opened elsewhere (a VFIO device), closed with this object.
    init(adopting descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
        self.kind = .vfio
    }

    deinit { close(descriptor) }

    /// The size the file claims: a sysfs resource file reports its BAR's size.
    func size() throws(PCIMMIOError) -> UInt64 {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw .system(call: "fstat", path: path, errno: errno) }
        return UInt64(info.st_size)
    }

    /// Exactly `buffer.count` bytes at `offset`, in one pread.
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: UInt64) throws(PCIMMIOError) {
        let got = pread(descriptor, buffer.baseAddress, buffer.count, off_t(offset))
        guard got >= 0 else { throw MappingDiagnosis.error(call: "pread", path: path, kind: kind, errno: errno) }
        guard got == buffer.count else {
            throw .shortTransfer(call: "pread", path: path, offset: offset, expected: buffer.count, got: got)
        }
    }

    /// Exactly `buffer.count` bytes at `offset`, in one pwrite.
    func write(from buffer: UnsafeRawBufferPointer, at offset: UInt64) throws(PCIMMIOError) {
        let put = pwrite(descriptor, buffer.baseAddress, buffer.count, off_t(offset))
        guard put >= 0 else { throw MappingDiagnosis.error(call: "pwrite", path: path, kind: kind, errno: errno) }
        guard put == buffer.count else {
            throw .shortTransfer(call: "pwrite", path: path, offset: offset, expected: buffer.count, got: put)
        }
    }
}
