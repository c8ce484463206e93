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
        if parse(&filter, text, &message, message.count) != 0 {
            throw .malformedFilter(option: option, text: text, reason: cString(message))
        }
    }

    func matches(_ device: UnsafeMutablePointer<pci_dev>) -> Bool {
        var copy = filter
        return pci_filter_match(&copy, device) != 0
    }
}

/// The DEVICE argument: a slot (`[[domain:]bus:]dev.fn`) or a `vendor:device` id, which must
/// match exactly one function; or `phys`, physical addresses through /dev/mem.
public struct DeviceSelector {
    public let text: String
    /// nil for `phys`.
    let filter: DeviceFilter?

    public static let physicalWord = "phys"

    public var isPhysical: Bool { filter == nil }

    public init(_ text: String) throws(PCIMMIOError) {
        self.text = text
        if text == Self.physicalWord {
            filter = nil
            return
        }
        // A slot always names a function after a dot; an id never has one.
        let isSlot = text.contains(".")
        guard text.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }), !text.isEmpty else {
            throw .malformedDevice(text: text, reason: "only hex digits, ':' and '.' may appear")
        }
        do {
            filter = isSlot ? try .slot(text) : try .id(text)
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
