/// Everything `caps` shows of one function: each capability in chain order, decoded, and
/// where a chain had to be abandoned.
public struct CapabilityListing {
    public let chain: CapabilityChain
    public let capabilities: [DecodedCapability]
    private let breakIDs: [Int?]

    public init(_ config: some ConfigRegisters) throws(PCIMMIOError) {
        chain = try CapabilityChain(walking: config)
        capabilities = chain.entries.map { DecodedCapability.decode($0, in: config) }
        // What sits where a broken pointer leads, for the JSON `id` (nil: unreadable).
        breakIDs = chain.breaks.map { brk in
            brk.extended ? (try? config.word(at: brk.offset)).map(Int.init) : (try? config.byte(at: brk.offset)).map(Int.init)
        }
    }

    /// Standard capabilities, a break in their chain, extended ones, a break in theirs.
    private var ordered: [(DecodedCapability?, (ChainBreak, Int?)?)] {
        let breaks = Array(zip(chain.breaks, breakIDs))
        var out: [(DecodedCapability?, (ChainBreak, Int?)?)] = []
        for extended in [false, true] {
            out += capabilities.filter { $0.entry.extended == extended }.map { ($0, nil) }
            out += breaks.filter { $0.0.extended == extended }.map { (nil, $0) }
        }
        return out
    }

    public var text: String {
        var out = ""
        for (capability, broken) in ordered {
            if let capability { out += capability.text }
            if let (brk, _) = broken {
                out += "[\(hex(brk.offset, digits: brk.extended ? 3 : 2))] <\(brk.description)>\n"
            }
        }
        return out
    }

    /// The documented array: one object per capability; a broken link is an object with
    /// `broken` (why) in place of decoded fields.
    public var json: JSON {
        .array(ordered.map { capability, broken in
            if let capability { return capability.json }
            let (brk, id) = broken!
            return .object([
                ("offset", .number(UInt64(brk.offset))),
                ("id", id.map { .number(UInt64($0)) } ?? .null),
                ("extended", .bool(brk.extended)),
                ("name", .string(brk.reason == .loop ? "<chain looped>" : "<chain broken>")),
                ("broken", .string(brk.description)),
            ])
        })
    }
}

extension PCIDevice {
    /// `0000:00:03.0 Red Hat, Inc. QEMU NVM Express Controller [1b36:0010]`, as `bars` heads its table.
    public var title: String {
        address.description + " " + (vendorName ?? hex(vendorID, digits: 4)) + " "
            + (deviceName ?? hex(deviceID, digits: 4)) + " [" + hex(vendorID, digits: 4) + ":" + hex(deviceID, digits: 4) + "]"
    }
}
