/// One link of a capability chain: where it is and what it says it is.
public struct CapabilityEntry: Equatable, Sendable {
    public let offset: Int
    public let id: Int
    public let extended: Bool
    /// Extended capabilities: the header's version (bits 19:16). Standard ones carry theirs
    /// in capability-specific bits; their decoders report it.
    public let headerVersion: Int?
    public let next: Int

    public var name: String? { KnownCapability.withID(id, extended: extended)?.lspciName }
}

/// Why a walk stopped before the end of a chain.
public struct ChainBreak: Equatable, Sendable {
    public enum Reason: Equatable, Sendable {
        /// The pointer leads back to a capability already visited.
        case loop
        /// A standard pointer below 0x40 (into the header), or an extended one below 0x100.
        case pointerIntoHeader
        /// An ID of 0xff (what an absent or broken device reads as).
        case brokenID
        /// The register could not be read (too short a config file, an I/O error).
        case unreadable(String)
    }
    /// The pointer that was not followed, and the capability it came from (nil: the header's
    /// Capabilities Pointer, or 0x100 for the extended chain).
    public let offset: Int
    public let from: Int?
    public let extended: Bool
    public let reason: Reason

    public var description: String {
        let source = from.map { "the capability at 0x\(String($0, radix: 16))" }
            ?? (extended ? "the extended chain's start" : "the Capabilities Pointer (0x34)")
        let target = "0x" + String(offset, radix: 16)
        switch reason {
        case .loop:
            return "chain looped: \(source) points back to \(target), already visited; stopped there"
        case .pointerIntoHeader:
            return extended
                ? "chain broken: \(source) points to \(target), inside the standard config space (extended capabilities start at 0x100)"
                : "chain broken: \(source) points to \(target), inside the header (capabilities start at 0x40)"
        case .brokenID:
            return "chain broken: the capability at \(target) reads ID 0xff (device absent, or config space unreadable)"
        case let .unreadable(why):
            return "chain broken: cannot read \(target): \(why)"
        }
    }
}

/// The standard and extended capability chains of one function, in chain order, and where
/// (if anywhere) each walk had to stop. Every walk ends: a visited offset is never followed
/// twice, and there are at most 48 standard and 960 extended places to visit.
public struct CapabilityChain: Equatable, Sendable {
    public let standard: [CapabilityEntry]
    public let extended: [CapabilityEntry]
    public let breaks: [ChainBreak]

    public var entries: [CapabilityEntry] { standard + extended }

    /// The capabilities of one kind, in chain order.
    func entries(of capability: KnownCapability) -> [CapabilityEntry] {
        entries(withID: capability.id, extended: capability.extended)
    }

    func entries(withID id: Int, extended: Bool) -> [CapabilityEntry] {
        (extended ? self.extended : standard).filter { $0.id == id }
    }

    static let statusCapabilityList: UInt16 = 0x10
    static let firstStandard = 0x40
    static let firstExtended = 0x100

    /// `extended: false` stops after the standard chain (a look-up of a standard capability).
    public init(walking config: some ConfigRegisters, extended wanted: Bool = true) throws(PCIMMIOError) {
        var breaks: [ChainBreak] = []
        let standard = try Self.walkStandard(config, breaks: &breaks)
        // As lspci: the extended space exists for PCI Express and PCI-X (mode 2) functions,
        // and only when the kernel can reach it (a 4096-byte config file).
        var extended: [CapabilityEntry] = []
        let canHaveExtended = standard.contains { $0.id == KnownCapability.express.id || $0.id == KnownCapability.pciX.id }
        if wanted && canHaveExtended && config.size >= 4096 {
            extended = Self.walkExtended(config, breaks: &breaks)
        }
        self.standard = standard
        self.extended = extended
        self.breaks = breaks
    }

    private static func walkStandard(_ config: some ConfigRegisters, breaks: inout [ChainBreak]) throws(PCIMMIOError) -> [CapabilityEntry] {
        // The header must be readable; the chain after it is reported, not thrown.
        guard try config.word(at: 0x06) & statusCapabilityList != 0 else { return [] }
        let headerType = try config.byte(at: 0x0E) & 0x7F
        let pointerRegister = headerType == 2 ? 0x14 : 0x34  // CardBus bridges keep it at 0x14
        var entries: [CapabilityEntry] = []
        var visited = Set<Int>()
        var offset = Int(try config.byte(at: pointerRegister) & ~3)
        var from: Int? = nil
        while offset != 0 {
            let stop: ChainBreak.Reason?
            var entry: CapabilityEntry?
            if offset < firstStandard {
                stop = .pointerIntoHeader
            } else if visited.contains(offset) {
                stop = .loop
            } else {
                do {
                    let header = try config.dword(at: offset)
                    let id = Int(header & 0xFF)
                    entry = CapabilityEntry(offset: offset, id: id, extended: false, headerVersion: nil,
                                            next: Int(header >> 8 & 0xFC))
                    stop = id == 0xFF ? .brokenID : nil
                } catch {
                    stop = .unreadable(error.description)
                }
            }
            if let stop {
                breaks.append(ChainBreak(offset: offset, from: from, extended: false, reason: stop))
                break
            }
            visited.insert(offset)
            entries.append(entry!)
            from = offset
            offset = entry!.next
        }
        return entries
    }

    private static func walkExtended(_ config: some ConfigRegisters, breaks: inout [ChainBreak]) -> [CapabilityEntry] {
        var entries: [CapabilityEntry] = []
        var visited = Set<Int>()
        var offset = firstExtended
        var from: Int? = nil
        while true {
            if offset < firstExtended {
                breaks.append(ChainBreak(offset: offset, from: from, extended: true, reason: .pointerIntoHeader))
                break
            }
            if visited.contains(offset) {
                breaks.append(ChainBreak(offset: offset, from: from, extended: true, reason: .loop))
                break
            }
            let header: UInt32
            do { header = try config.dword(at: offset) } catch {
                breaks.append(ChainBreak(offset: offset, from: from, extended: true, reason: .unreadable(error.description)))
                break
            }
            // An empty header ends the list; all ones is what a function without extended
            // space (or behind a host bridge that cannot reach it) returns.
            if header == 0 || header == 0xFFFF_FFFF { break }
            let entry = CapabilityEntry(offset: offset, id: Int(header & 0xFFFF), extended: true,
                                        headerVersion: Int(header >> 16 & 0xF), next: Int(header >> 20 & 0xFFC))
            visited.insert(offset)
            entries.append(entry)
            if entry.next == 0 { break }
            from = offset
            offset = entry.next
        }
        return entries
    }
}
