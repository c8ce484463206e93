import Glibc

/// Lines of a file or of standard input, read as they arrive: `run --line-buffered` answers
/// each line before the next is written, so it must not wait for a buffer to fill.
public struct LineReader {
    private let file: FileDescriptor
    private var buffer: [UInt8] = []
    private var start = 0
    private var atEnd = false

    /// `-` is standard input.
    public init(path: String) throws(PCIMMIOError) {
        file = path == "-" ? .standardInput(named: path) : try .open(path, O_RDONLY)
    }

    public func close() { if file.path != "-" { file.close() } }

    /// The next line without its newline; nil at the end. A last line without a newline counts.
    public mutating func next() throws(PCIMMIOError) -> ArraySlice<UInt8>? {
        while true {
            if let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
                defer { start = newline + 1 }
                return buffer[start..<newline]
            }
            if atEnd {
                guard start < buffer.count else { return nil }
                defer { start = buffer.count }
                return buffer[start...]
            }
            // Keep only the unfinished line, then read whatever the writer has sent so far.
            buffer.removeSubrange(0..<start)
            start = 0
            // A line longer than any script line can be is not waited for to its end.
            guard buffer.count <= Script.longestLine else {
                throw .usage("\(file.path == "-" ? "standard input" : file.path): a line longer than \(Script.longestLine) bytes")
            }
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            let got = try file.read(into: &chunk)
            if got == 0 { atEnd = true } else { buffer.append(contentsOf: chunk[0..<got]) }
        }
    }
}
