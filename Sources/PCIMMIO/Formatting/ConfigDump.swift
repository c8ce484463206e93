/// Config space bytes laid out as `lspci -x` prints them: `OFFSET: ` (two hex digits, three
/// from 0x100) and 16 bytes per line.
public func configDumpLines(_ bytes: [UInt8]) -> [String] {
    stride(from: 0, to: bytes.count, by: 16).map { start in
        hex(start, digits: 2) + ": " + bytes[start..<min(start + 16, bytes.count)].map { hex($0, digits: 2) }.joined(separator: " ")
    }
}

/// How much `--dump` shows for lspci's -x (64 bytes), -xxx (256) and -xxxx (4096).
public func configDumpLength(xCount: Int, size: Int) -> Int {
    min(xCount >= 4 ? 4096 : xCount == 3 ? 256 : 64, size)
}
