import Glibc

/// A file descriptor that closes itself; every failing call throws a typed error naming the
/// file, diagnosed for what the file is (MappingDiagnosis).
final class OpenFile {
    let fileDescriptor: FileDescriptor
    var descriptor: Int32 { fileDescriptor.rawValue }
    var path: String { fileDescriptor.path }
    /// What the file is, for the diagnosis of a refusal (the back-end that opened it knows).
    let kind: MappingDiagnosis.FileKind

    /// `synchronous` (O_SYNC) makes /dev/mem map uncached.
    init(path: String, writable: Bool, synchronous: Bool = false, kind: MappingDiagnosis.FileKind = .other) throws(PCIMMIOError) {
        do {
            fileDescriptor = try .open(path, (writable ? O_RDWR : O_RDONLY) | (synchronous ? O_SYNC : 0), call: writable ? "open for writing" : "open")
        } catch {
            if error.systemErrno == ENOENT, kind == .resourceFile { throw .missingResourceFile(path: path) }
            throw Self.diagnosed(error, kind: kind)
        }
        self.kind = kind
    }

    /// A descriptor opened elsewhere (a VFIO device), closed with this object.
    init(adopting descriptor: Int32, path: String) {
        self.fileDescriptor = FileDescriptor(rawValue: descriptor, path: path)
        self.kind = .vfio
    }

    deinit { fileDescriptor.close() }

    /// The size the file claims: a sysfs resource file reports its BAR's size.
    func size() throws(PCIMMIOError) -> UInt64 {
        UInt64(try fileDescriptor.status().st_size)
    }

    /// Exactly `buffer.count` bytes at `offset`, in one pread.
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: UInt64) throws(PCIMMIOError) {
        let got: Int
        do { got = try fileDescriptor.read(into: buffer, at: offset) } catch { throw Self.diagnosed(error, kind: kind) }
        guard got == buffer.count else {
            throw .shortTransfer(call: "pread", path: path, offset: offset, expected: buffer.count, got: got)
        }
    }

    /// Exactly `buffer.count` bytes at `offset`, in one pwrite.
    func write(from buffer: UnsafeRawBufferPointer, at offset: UInt64) throws(PCIMMIOError) {
        let put: Int
        do { put = try fileDescriptor.write(from: buffer, at: offset) } catch { throw Self.diagnosed(error, kind: kind) }
        guard put == buffer.count else {
            throw .shortTransfer(call: "pwrite", path: path, offset: offset, expected: buffer.count, got: put)
        }
    }

    /// A failed call on a file of `kind`, with the cause and remedy MappingDiagnosis knows.
    private static func diagnosed(_ error: PCIMMIOError, kind: MappingDiagnosis.FileKind) -> PCIMMIOError {
        guard case let .system(call, path, code) = error else { return error }
        return MappingDiagnosis.error(call: call, path: path, kind: kind, errno: code)
    }
}
