/// memtool-style hex lines, 16 bytes each: the BAR offset, the values at the access width,
/// then the bytes as ASCII. Formats straight into the output buffer: dumps are large.
public struct HexDumpFormatter {
    public let width: Width
    public let offsetDigits: Int
    /// Values read as big-endian registers (the ASCII column keeps memory order).
    public let bigEndian: Bool

    /// `end` is the last BAR offset the dump reaches; it decides how many offset digits to print.
    public init(width: Width, end: UInt64, bigEndian: Bool = false) {
        self.width = width
        self.offsetDigits = end > 0xffff_ffff ? 16 : 8
        self.bigEndian = bigEndian
    }

    private static let digits = Array("0123456789abcdef".utf8)
    static let bytesPerLine = 16

    /// Appends the lines for `bytes`, which were read starting at BAR offset `offset`.
    public func write(_ bytes: UnsafeRawBufferPointer, offset: UInt64, to sink: OutputSink) throws(PCIMMIOError) {
        let valuesPerLine = Self.bytesPerLine / width.bytes
        let valueColumns = valuesPerLine * (width.hexDigits + 1)
        let lineCapacity = offsetDigits + 2 + valueColumns + 2 + Self.bytesPerLine + 1
        var lineStart = 0
        while lineStart < bytes.count {
            let count = min(Self.bytesPerLine, bytes.count - lineStart)
            let out = try sink.reserve(lineCapacity).assumingMemoryBound(to: UInt8.self)
            var at = 0
            putHex(offset + UInt64(lineStart), digits: offsetDigits, into: out, at: &at)
            out[at] = UInt8(ascii: ":"); at += 1
            var column = 0
            while column < count {
                out[at] = UInt8(ascii: " "); at += 1
                // Little-endian: the most significant byte is the last one in memory.
                for index in 0..<width.bytes {
                    let value = bytes[lineStart + column + (bigEndian ? index : width.bytes - 1 - index)]
                    out[at] = Self.digits[Int(value >> 4)]
                    out[at + 1] = Self.digits[Int(value & 0xf)]
                    at += 2
                }
                column += width.bytes
            }
            // Pad a short last line so its ASCII column lines up.
            let missing = (Self.bytesPerLine - count) / width.bytes * (width.hexDigits + 1)
            for _ in 0..<(missing + 2) { out[at] = UInt8(ascii: " "); at += 1 }
            for index in 0..<count {
                let value = bytes[lineStart + index]
                out[at] = value >= 0x20 && value < 0x7f ? value : UInt8(ascii: "."); at += 1
            }
            out[at] = UInt8(ascii: "\n"); at += 1
            sink.commit(at)
            lineStart += count
        }
    }

    private func putHex(_ value: UInt64, digits: Int, into out: UnsafeMutablePointer<UInt8>, at: inout Int) {
        for index in 0..<digits {
            out[at + index] = Self.digits[Int((value >> UInt64(4 * (digits - 1 - index))) & 0xf)]
        }
        at += digits
    }
}

/// A register value as scripts read it: `0x` and exactly width/4 lowercase hex digits.
public func formatRegister(_ value: UInt64, width: Width) -> String {
    "0x" + hex(value, digits: width.hexDigits)
}
