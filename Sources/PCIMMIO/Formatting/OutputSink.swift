import Glibc

/// Buffered output to stdout or a file, written with write(2) in large blocks.
public final class OutputSink {
    private let file: FileDescriptor
    private let ownsDescriptor: Bool
    private let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
    private var used = 0

    public static func standardOutput() -> OutputSink { OutputSink(file: .standardOutput) }

    public init(path: String) throws(PCIMMIOError) {
        do {
            file = try .open(path, O_WRONLY | O_CREAT | O_TRUNC, permissions: 0o644, call: "open output file")
        } catch {
            buffer.deallocate()
            throw error
        }
        ownsDescriptor = true
    }

    private init(file: FileDescriptor) {
        self.file = file
        self.ownsDescriptor = false
    }

    deinit {
        try? flush()
        buffer.deallocate()
        if ownsDescriptor { file.close() }
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
            try file.writeAll(bytes)
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
    public var isTerminal: Bool { file.isTerminal }

    public func flush() throws(PCIMMIOError) {
        guard used > 0 else { return }
        let pending = UnsafeRawBufferPointer(rebasing: buffer[0..<used])
        used = 0
        try file.writeAll(pending)
    }
}
