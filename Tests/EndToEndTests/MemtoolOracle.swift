// memtool (Debian package memtool) reading a resource file: the oracle for register values.
// `memtool md -s FILE -b|-w|-l|-q START+SIZE` prints lines like
//   00000000: 18110a03 342d261f 5049423b 6c655e57                .....&-4;BIPW^el
// (offset, then 16 bytes' worth of values at the access width, then ASCII).
import Foundation

/// One register of a dump: byte offset within the BAR and its value.
struct Register: Equatable, CustomStringConvertible {
    let offset: UInt64
    let value: UInt64
    var description: String { "\(hex(offset))=\(hex(value))" }
}

enum Memtool {
    static func flag(width: Int) -> String {
        switch width {
        case 8: "-b"
        case 16: "-w"
        case 32: "-l"
        default: "-q"
        }
    }

    /// Registers of FILE[start, start+size) read by memtool at `width` bits.
    static func read(_ file: String, width: Int, start: UInt64, size: UInt64) throws -> [Register] {
        let result = try runProcess(try E2E.tool("memtool"),
                                    ["md", "-s", file, flag(width: width), "\(hex(start))+\(hex(size))"])
        guard result.status == 0 else { throw E2EFailure("memtool failed: \(result)") }
        return try parseHexDump(result.out, width: width, start: start, size: size, source: "memtool")
    }
}

/// Parses a memtool-style hex dump (memtool's own, or pcimmio's `dump --format hex`): each
/// line is "OFFSET: " then the values of 16 bytes (fewer on the last line) at `width`, then
/// ASCII. Checks that every value has exactly width/4 hex digits and the lines are consecutive.
func parseHexDump(_ text: String, width: Int, start: UInt64, size: UInt64, source: String) throws -> [Register] {
    let bytesPerValue = UInt64(width / 8)
    var registers: [Register] = []
    var expectedOffset = start
    for line in text.split(separator: "\n") {
        guard let colon = line.firstIndex(of: ":"),
              let lineOffset = UInt64(line[..<colon].trimmingCharacters(in: .whitespaces), radix: 16) else {
            throw E2EFailure("\(source): hex dump line without an offset: '\(line)'")
        }
        guard lineOffset == expectedOffset else {
            throw E2EFailure("\(source): line at \(hex(lineOffset)), expected \(hex(expectedOffset)): '\(line)'")
        }
        let remaining = start + size - lineOffset
        let count = Int(min(16, remaining) / bytesPerValue)
        let tokens = line[line.index(after: colon)...].split(separator: " ", omittingEmptySubsequences: true)
        guard tokens.count >= count else {
            throw E2EFailure("\(source): expected \(count) values in '\(line)'")
        }
        for (i, token) in tokens.prefix(count).enumerated() {
            guard token.count == width / 4, let value = UInt64(token, radix: 16) else {
                throw E2EFailure("\(source): '\(token)' is not a \(width)-bit hex value in '\(line)'")
            }
            registers.append(Register(offset: lineOffset + UInt64(i) * bytesPerValue, value: value))
        }
        expectedOffset = lineOffset + 16
    }
    guard UInt64(registers.count) * bytesPerValue == size else {
        throw E2EFailure("\(source): \(registers.count) values of \(width) bits, expected \(size) bytes:\n\(text)")
    }
    return registers
}

/// The registers of FILE[start, start+size) computed from its bytes (little-endian).
func fileRegisters(_ file: String, width: Int, start: UInt64, size: UInt64) throws -> [Register] {
    let bytes = try readBytes(file, offset: start, count: Int(size))
    let step = width / 8
    return stride(from: 0, to: bytes.count, by: step).map { i in
        Register(offset: start + UInt64(i), value: littleEndian(bytes[i..<(i + step)]))
    }
}
