/// A function's place on the PCI bus: domain, bus, device (slot) and function.
public struct PCIAddress: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let domain: UInt32
    public let bus: UInt8
    public let device: UInt8
    public let function: UInt8

    public init(domain: UInt32, bus: UInt8, device: UInt8, function: UInt8) {
        self.domain = domain
        self.bus = bus
        self.device = device
        self.function = function
    }

    /// The sysfs directory name, `0000:00:02.0`, as lspci -D prints it.
    public var description: String {
        hex(domain, digits: 4) + ":" + hex(bus, digits: 2) + ":" + hex(device, digits: 2) + "." + String(function)
    }

    /// `0000:00:02.0`: the full form the kernel uses in sysfs and /proc/iomem.
    public static func looksLikeSlot(_ text: String) -> Bool {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2 else { return false }
        let last = parts[2].split(separator: ".", omittingEmptySubsequences: false)
        return last.count == 2 && last[0].count == 2 && last[1].count == 1
            && text.allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." }
    }

    public static func < (a: PCIAddress, b: PCIAddress) -> Bool {
        (a.domain, a.bus, a.device, a.function) < (b.domain, b.bus, b.device, b.function)
    }
}

/// Lowercase hex, zero-padded to at least `digits`.
func hex<T: BinaryInteger>(_ value: T, digits: Int) -> String {
    String(value, radix: 16).leftPadded(digits)
}
