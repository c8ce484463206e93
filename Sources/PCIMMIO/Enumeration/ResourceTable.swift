/// The sysfs `resource` file: one `start end flags` line (hex) per BAR, then the ROM and, for
/// bridges, their windows. Read as libpci reads it: the base keeps the flags' low four bits,
/// and a region whose end is not past its start has size 0, as has one of all 2^64 addresses
/// (its size does not fit in 64 bits: libpci's arithmetic wraps it to 0 too).
struct ResourceTable {
    struct Entry {
        let base: UInt64
        let size: UInt64
        let flags: UInt64
    }

    let entries: [Entry]

    init?(_ text: UnsafeBufferPointer<UInt8>) {
        // Three numbers a line; lines past the ROM's (bridge windows) are not BARs.
        guard let numbers = whitespaceSeparatedNumbers(text, limit: 3 * 7), !numbers.isEmpty, numbers.count % 3 == 0 else { return nil }
        entries = stride(from: 0, to: numbers.count, by: 3).map { index in
            let (start, end, flags) = (numbers[index], numbers[index + 1], numbers[index + 2])
            let (size, tooLarge) = end > start ? (end - start).addingReportingOverflow(1) : (0, false)
            return Entry(base: start | (flags & 0xf), size: tooLarge ? 0 : size, flags: flags)
        }
    }

    func bars(directory: String) -> [BAR] {
        entries.prefix(6).enumerated().compactMap { index, entry in
            BAR.decoding(index: index, base: entry.base, size: entry.size, resourceFlags: entry.flags, directory: directory)
        }
    }

    func rom(directory: String) -> BAR? {
        guard entries.count > BAR.romIndex else { return nil }
        let entry = entries[BAR.romIndex]
        return BAR.expansionROM(base: entry.base, size: entry.size, directory: directory)
    }
}
