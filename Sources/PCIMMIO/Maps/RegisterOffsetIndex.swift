/// A map's registers in order of BAR and offset (file order among equals), for look-ups by
/// offset and by range in a binary search, without hashing: maps are nearly always written
/// in offset order, and then building this is one pass over them.
struct RegisterOffsetIndex: Sendable {
    private struct Entry: Sendable, Comparable {
        let bar: Int
        let offset: UInt64
        /// The register's index in the map.
        let register: Int

        static func < (a: Entry, b: Entry) -> Bool {
            (a.bar, a.offset, a.register) < (b.bar, b.offset, b.register)
        }
    }

    private let entries: [Entry]

    init(_ registers: [RegisterDefinition]) {
        var entries = registers.indices.map { Entry(bar: registers[$0].bar, offset: registers[$0].offset, register: $0) }
        if !zip(entries, entries.dropFirst()).allSatisfy({ $0 < $1 }) { entries.sort() }
        self.entries = entries
    }

    /// The first register (in the file) at `offset` of `bar`.
    func register(at offset: UInt64, bar: Int) -> Int? {
        let first = firstEntry(notBefore: bar, offset)
        guard first < entries.count, entries[first].bar == bar, entries[first].offset == offset else { return nil }
        return entries[first].register
    }

    /// The registers of `bar` starting in `offsets`, by offset.
    func registers(bar: Int, startingIn offsets: Range<UInt64>) -> [Int] {
        var found: [Int] = []
        var entry = firstEntry(notBefore: bar, offsets.lowerBound)
        while entry < entries.count, entries[entry].bar == bar, entries[entry].offset < offsets.upperBound {
            found.append(entries[entry].register)
            entry += 1
        }
        return found
    }

    /// The BARs that have registers, ascending: one search per BAR, not a look at every register.
    var bars: [Int] {
        var bars: [Int] = []
        var entry = 0
        while entry < entries.count {
            let bar = entries[entry].bar
            bars.append(bar)
            guard bar < Int.max else { break }
            entry = firstEntry(notBefore: bar + 1, 0)
        }
        return bars
    }

    private func firstEntry(notBefore bar: Int, _ offset: UInt64) -> Int {
        var low = 0, high = entries.count
        while low < high {
            let middle = (low + high) / 2
            if (entries[middle].bar, entries[middle].offset) < (bar, offset) { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
