import Glibc

/// Buffered output to stdout or a file, written with write(2) in large blocks.
public final class OutputSink {
    private let descriptor: Int32
    private let ownsDescriptor: Bool
    private let name: String
    private let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
    private var used = 0

    public static func standardOutput() -> OutputSink { OutputSink(descriptor: STDOUT_FILENO, name: "stdout") }

    public init(path: String) throws(PCIMMIOError) {
        let opened = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard opened >= 0 else {
            buffer.deallocate()
            throw .system(call: "open output file", path: path, errno: errno)
        }
        descriptor = opened
        ownsDescriptor = true
        name = path
    }

    private init(descriptor: Int32, name: String) {
        self.descriptor = descriptor
        self.ownsDescriptor = false
        self.name = name
    }

    deinit {
        try? flush()
        buffer.deallocate()
        if ownsDescriptor { close(descriptor) }
    }

    public func write(_ text: String) throws(PCIMMIOError) {
        var text = text
        var failure: PCIMMIOError?
        text.withUTF8 { bytes in
            do throws(PCIMMIOError) { try write(UnsafeRawBufferPointer(bytes)) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws(PCIMMIOError) {
        if used + bytes.count > buffer.count { try flush() }
        if bytes.count >= buffer.count {
            try writeAll(bytes)
        } else {
            UnsafeMutableRawBufferPointer(rebasing: buffer[used..<used + bytes.count]).copyMemory(from: bytes)
            used += bytes.count
        }
    }

    /// Room to format directly into: at least `count` bytes; call `commit` with what was used.
    public func reserve(_ count: Int) throws(PCIMMIOError) -> UnsafeMutableRawPointer {
        precondition(count <= buffer.count)
        if used + count > buffer.count { try flush() }
        return buffer.baseAddress! + used
    }

    public func commit(_ count: Int) { used += count }

    /// `0x` and exactly width/4 hex digits, then a newline, formatted in place: the hot path
    /// of a script of peeks.
    public func writeRegister(_ value: UInt64, width: Width) throws(PCIMMIOError) {
        let digits = width.hexDigits
        let out = try reserve(digits + 3).assumingMemoryBound(to: UInt8.self)
        out[0] = UInt8(ascii: "0")
        out[1] = UInt8(ascii: "x")
        for index in 0..<digits {
            let nibble = UInt8(truncatingIfNeeded: value >> UInt64(4 * (digits - 1 - index))) & 0xf
            out[2 + index] = nibble < 10 ? nibble + 48 : nibble + 87
        }
        out[digits + 2] = UInt8(ascii: "\n")
        commit(digits + 3)
    }

    /// Whether this is a terminal: interactive output is flushed line by line.
    public var isTerminal: Bool { isatty(descriptor) != 0 }

    public func flush() throws(PCIMMIOError) {
        guard used > 0 else { return }
        let pending = UnsafeRawBufferPointer(rebasing: buffer[0..<used])
        used = 0
        try writeAll(pending)
    }

    private func writeAll(_ bytes: UnsafeRawBufferPointer) throws(PCIMMIOError) {
        var done = 0
        while done < bytes.count {
            let put = Glibc.write(descriptor, bytes.baseAddress! + done, bytes.count - done)
            if put < 0 {
                if errno == EINTR { continue }
                throw .system(call: "write", path: name, errno: errno)
            }
            done += put
        }
    }
}
