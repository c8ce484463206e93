import Glibc

/// An open file's descriptor and the name errors give it, with the calls pcimmio makes on
/// it; each failing call throws `.system` with the call, the name and errno. A value, as in
/// swift-system: whoever opens one closes it (OpenFile closes its own when it is released).
struct FileDescriptor {
    let rawValue: Int32
    /// The path, or what stands for it in errors (`-`, `stdout`).
    let path: String

    /// Standard input, named as the user gave it (`-`).
    static func standardInput(named name: String) -> FileDescriptor { FileDescriptor(rawValue: STDIN_FILENO, path: name) }
    static var standardOutput: FileDescriptor { FileDescriptor(rawValue: STDOUT_FILENO, path: "stdout") }
    static var standardError: FileDescriptor { FileDescriptor(rawValue: STDERR_FILENO, path: "stderr") }

    /// open(2), close-on-exec; `call` is how a failure names it (`open for writing`, `open trace file`).
    static func open(_ path: String, _ flags: Int32, permissions: mode_t = 0, call: String = "open") throws(PCIMMIOError) -> FileDescriptor {
        let descriptor = Glibc.open(path, flags | O_CLOEXEC, permissions)
        guard descriptor >= 0 else { throw .system(call: call, path: path, errno: errno) }
        return FileDescriptor(rawValue: descriptor, path: path)
    }

    func close() { _ = Glibc.close(rawValue) }

    /// fstat(2).
    func status() throws(PCIMMIOError) -> stat {
        var info = stat()
        guard fstat(rawValue, &info) == 0 else { throw .system(call: "fstat", path: path, errno: errno) }
        return info
    }

    /// Whether this is a terminal.
    var isTerminal: Bool { isatty(rawValue) != 0 }

    /// One read(2), again when a signal interrupted it: the bytes read, 0 at the end.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(PCIMMIOError) -> Int {
        while true {
            let got = Glibc.read(rawValue, buffer.baseAddress, buffer.count)
            if got >= 0 { return got }
            if errno != EINTR { throw .system(call: "read", path: path, errno: errno) }
        }
    }

    /// `read(into:)` into an array's bytes (Array.withUnsafeMutableBytes rethrows untyped errors).
    func read(into bytes: inout [UInt8]) throws(PCIMMIOError) -> Int {
        var failure: PCIMMIOError?
        let got = bytes.withUnsafeMutableBytes { raw in
            do throws(PCIMMIOError) { return try read(into: raw) } catch {
                failure = error
                return 0
            }
        }
        if let failure { throw failure }
        return got
    }

    /// One pread(2) at `offset`: the bytes read.
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: UInt64) throws(PCIMMIOError) -> Int {
        let got = pread(rawValue, buffer.baseAddress, buffer.count, off_t(offset))
        guard got >= 0 else { throw .system(call: "pread", path: path, errno: errno) }
        return got
    }

    /// One write(2): the bytes written.
    func write(from buffer: UnsafeRawBufferPointer) throws(PCIMMIOError) -> Int {
        let put = Glibc.write(rawValue, buffer.baseAddress, buffer.count)
        guard put >= 0 else { throw .system(call: "write", path: path, errno: errno) }
        return put
    }

    /// One write(2) of the text's UTF-8 bytes: the bytes written.
    @discardableResult
    func write(_ text: String) throws(PCIMMIOError) -> Int {
        var text = text
        var failure: PCIMMIOError?
        let put = text.withUTF8 { bytes in
            do throws(PCIMMIOError) { return try write(from: UnsafeRawBufferPointer(bytes)) } catch {
                failure = error
                return 0
            }
        }
        if let failure { throw failure }
        return put
    }

    /// Every byte, in as many write(2) calls as it takes, again when a signal interrupted one.
    func writeAll(_ bytes: UnsafeRawBufferPointer) throws(PCIMMIOError) {
        var done = 0
        while done < bytes.count {
            let put = Glibc.write(rawValue, bytes.baseAddress! + done, bytes.count - done)
            if put < 0 {
                if errno == EINTR { continue }
                throw .system(call: "write", path: path, errno: errno)
            }
            done += put
        }
    }

    /// One pwrite(2) at `offset`: the bytes written.
    func write(from buffer: UnsafeRawBufferPointer, at offset: UInt64) throws(PCIMMIOError) -> Int {
        let put = pwrite(rawValue, buffer.baseAddress, buffer.count, off_t(offset))
        guard put >= 0 else { throw .system(call: "pwrite", path: path, errno: errno) }
        return put
    }
}
