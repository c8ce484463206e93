import PCIShim

/// lspci's `-s [[domain:]bus:][dev][.fn]` and `-d [vendor]:[device][:class]` selectors,
/// parsed and matched by libpci itself.
public struct DeviceFilter {
    var filter = pci_filter()
    public let text: String

    public static func slot(_ text: String) throws(PCIMMIOError) -> DeviceFilter {
        try DeviceFilter(text: text, option: "-s", parse: pcishim_filter_slot)
    }

    public static func id(_ text: String) throws(PCIMMIOError) -> DeviceFilter {
        try DeviceFilter(text: text, option: "-d", parse: pcishim_filter_id)
    }

    private init(
        text: String, option: String,
        parse: (UnsafeMutablePointer<pci_filter>?, UnsafePointer<CChar>?, UnsafeMutablePointer<CChar>?, Int) -> Int32
    ) throws(PCIMMIOError) {
        self.text = text
        var message = [CChar](repeating: 0, count: 256)
        switch parse(&filter, text, &message, message.count) {
        case 0: return
        case -2: throw .libraryUnavailable(cString(message))
        default: throw .malformedFilter(option: option, text: text, reason: cString(message))
        }
    }

    func matches(_ device: UnsafeMutablePointer<pci_dev>) -> Bool {
        var copy = filter
        return pcishim_filter_match(&copy, device) != 0
    }
}

/// The DEVICE argument: a slot (`[[domain:]bus:]dev.fn`) or a `vendor:device` id, which must
/// match exactly one function. (`phys`, physical memory, is not a device: see AccessTarget.)
public struct DeviceSelector: Hashable {
    public let text: String
    let kind: Kind

    /// Two selectors are the same when they were typed the same.
    public static func == (left: DeviceSelector, right: DeviceSelector) -> Bool { left.text == right.text }
    public func hash(into hasher: inout Hasher) { hasher.combine(text) }

    enum Kind {
        /// `[domain:]bus:dev.fn` in full: found from its sysfs directory, without libpci.
        case slot(SlotAddress)
        /// Anything else lspci's -s or -d accepts, matched by libpci.
        case filter(DeviceFilter)
    }

    /// libpci's filter for this selector; a full slot is parsed by libpci here.
    var filter: DeviceFilter {
        get throws(PCIMMIOError) {
            switch kind {
            case .slot: return try .slot(text)
            case let .filter(filter): return filter
            }
        }
    }

    public init(_ text: String) throws(PCIMMIOError) {
        self.text = text
        if text == AccessTarget.physicalWord {
            throw .usage("phys is physical memory, not a PCI device: name a slot (00:02.0) or vendor:device here")
        }
        // A slot always names a function after a dot; an id never has one.
        let isSlot = text.contains(".")
        guard text.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }), !text.isEmpty else {
            throw .malformedDevice(text: text, reason: "only hex digits, ':' and '.' may appear")
        }
        if isSlot, let slot = SlotAddress(text) {
            kind = .slot(slot)
            return
        }
        do {
            kind = .filter(isSlot ? try .slot(text) : try .id(text))
        } catch {
            if case let .malformedFilter(_, _, reason) = error {
                throw .malformedDevice(text: text, reason: reason)
            }
            throw error
        }
        if !isSlot, !text.contains(":") {
            throw .malformedDevice(text: text, reason: "a slot needs '.function', an id needs 'vendor:device'")
        }
    }
}

/// `[domain:]bus:dev.fn` with every part given and in range, as libpci's slot filter reads
/// it (hex; no domain matches any domain). Anything else is left to libpci's parser.
struct SlotAddress: Equatable {
    let domain: UInt32?
    let bus: UInt8
    let device: UInt8
    let function: UInt8

    init?(_ text: String) { self.init(bytes: Array(text.utf8)) }

    /// A name in `<sysfs>/devices`, `0000:00:03.0`: the domain is always there.
    init?<Name: BidirectionalCollection<UInt8>>(sysfsName name: Name) {
        guard let parsed = SlotAddress(bytes: name), parsed.domain != nil else { return nil }
        self = parsed
    }

    private init?<Text: BidirectionalCollection<UInt8>>(bytes: Text) {
        guard let dot = bytes.lastIndex(of: UInt8(ascii: ".")), let colon = bytes[..<dot].lastIndex(of: UInt8(ascii: ":")),
              let device = Self.number(bytes[bytes.index(after: colon)..<dot], below: 0x20),
              let function = Self.number(bytes[bytes.index(after: dot)...], below: 8) else { return nil }
        // `[domain:]bus`; a stray ':' or '.' anywhere is not a hex digit, so it fails the parse.
        let head = bytes[..<colon]
        let busDigits = head.lastIndex(of: UInt8(ascii: ":")).map { head[head.index(after: $0)...] } ?? head
        guard let bus = Self.number(busDigits, below: 0x100) else { return nil }
        if busDigits.startIndex != head.startIndex {
            guard let domain = Self.number(head[..<head.index(before: busDigits.startIndex)], below: 0x8000_0000) else { return nil }
            self.domain = UInt32(domain)
        } else {
            domain = nil
        }
        self.bus = UInt8(bus)
        self.device = UInt8(device)
        self.function = UInt8(function)
    }

    var address: PCIAddress { PCIAddress(domain: domain ?? 0, bus: bus, device: device, function: function) }

    func matches(_ other: SlotAddress) -> Bool {
        (domain == nil || other.domain == nil || domain == other.domain)
            && bus == other.bus && device == other.device && function == other.function
    }

    private static func number<Digits: Collection<UInt8>>(_ digits: Digits, below limit: UInt64) -> UInt64? {
        guard digits.count <= 8, let value = hexNumber(digits), value < limit else { return nil }
        return value
    }
}
