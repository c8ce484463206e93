import Glibc

/// `/proc/iomem`: the kernel's tree of physical address ranges, what each is (System RAM,
/// ACPI tables, a PCI BAR) and who claimed it (a driver's name under its device's range).
/// Root sees real addresses; anyone else sees zeros.
public struct IOMemMap: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public let range: ClosedRange<UInt64>
        public let name: String
        /// 0 at the top level, one more per two spaces of indentation.
        public let depth: Int
        /// The names of the entries containing this one, outermost first.
        public let parents: [String]
    }

    public let entries: [Entry]

    /// Lines like `  fea00000-feafffff : 0000:00:02.0`.
    public init(parsing text: String) throws(PCIMMIOError) {
        var entries: [Entry] = []
        var stack: [Entry] = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: true).enumerated() {
            let indent = line.prefix { $0 == " " }.count
            let body = line.dropFirst(indent)
            guard let colon = body.firstRange(of: " : "),
                  case let bounds = body[..<colon.lowerBound].split(separator: "-"), bounds.count == 2,
                  let low = UInt64(bounds[0], radix: 16), let high = UInt64(bounds[1], radix: 16), low <= high else {
                throw .unreadableKernelData(source: IOMemMap.file, detail: "line \(number + 1) is '\(line)' (expected START-END : NAME)")
            }
            let depth = indent / 2
            while let last = stack.last, last.depth >= depth { stack.removeLast() }
            let entry = Entry(range: low...high, name: String(body[colon.upperBound...]), depth: depth,
                              parents: stack.map(\.name))
            entries.append(entry)
            stack.append(entry)
        }
        self.entries = entries
    }

    /// `PCIMMIO_IOMEM` stands in for /proc/iomem in tests (with `PCIMMIO_DEVMEM` for /dev/mem).
    public static var file: String { environment("PCIMMIO_IOMEM") ?? "/proc/iomem" }

    /// This machine's map, read once per process.
    public static func system() throws(PCIMMIOError) -> IOMemMap { try loaded.get() }

    private static let loaded: Result<IOMemMap, PCIMMIOError> = Result { () throws(PCIMMIOError) in
        let bytes = try readWholeFile(file)
        let map = try IOMemMap(parsing: String(decoding: bytes, as: UTF8.self))
        // Without CAP_SYS_ADMIN the kernel prints every address as 0.
        if !map.entries.isEmpty, map.entries.allSatisfy({ $0.range == 0...0 }) {
            throw .system(call: "read addresses from", path: file, errno: EPERM)
        }
        return map
    }

    /// The entries that overlap [start, start + length), innermost last.
    public func overlapping(_ start: UInt64, length: UInt64) -> [Entry] {
        let end = start &+ (length - 1)
        return entries.filter { $0.range.lowerBound <= end && start <= $0.range.upperBound }
    }

    /// Names of RAM and what lives in it; /dev/mem on these is memory the kernel owns.
    static let memoryNames = ["System RAM", "Kernel code", "Kernel rodata", "Kernel data", "Kernel bss",
                              "ACPI Tables", "ACPI Non-volatile Storage", "Crash kernel", "Persistent Memory",
                              "Soft Reserved", "RAM buffer"]

    /// The first RAM-like entry the range overlaps, if any.
    public func memoryEntry(overlapping start: UInt64, length: UInt64) -> Entry? {
        overlapping(start, length: length).first { Self.memoryNames.contains($0.name) || $0.name.hasPrefix("System RAM") }
    }

    /// The driver that claimed the range: the name of an entry directly under a PCI function's
    /// BAR (`0000:00:03.0` then `nvme`), or of an innermost entry that is neither a bus, a
    /// function, nor a reservation. Nil when nobody did.
    public func claimant(of start: UInt64, length: UInt64) -> (driver: String, owner: String?)? {
        guard let innermost = overlapping(start, length: length).max(by: { $0.depth < $1.depth }) else { return nil }
        let name = innermost.name
        if PCIAddress.looksLikeSlot(name) || name.hasPrefix("PCI Bus") || name == "Reserved" || name.hasPrefix("PCI MMCONFIG") {
            return nil
        }
        return (name, innermost.parents.last { PCIAddress.looksLikeSlot($0) })
    }
}
