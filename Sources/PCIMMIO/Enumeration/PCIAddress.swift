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
        // Byte by byte: every device and access plan formats its slot, and String(radix:)
        // with padding costs ten times this in a one-register peek.
        var text: [UInt8] = []
        text.reserveCapacity(16)
        let domainDigits = max(4, (32 - domain.leadingZeroBitCount + 3) / 4)
        appendHex(UInt64(domain), digits: domainDigits, to: &text)
        text.append(UInt8(ascii: ":"))
        appendHex(UInt64(bus), digits: 2, to: &text)
        text.append(UInt8(ascii: ":"))
        appendHex(UInt64(device), digits: 2, to: &text)
        text.append(UInt8(ascii: "."))
        appendHex(UInt64(function), digits: 1, to: &text)
        return String(decoding: text, as: UTF8.self)
    }

    private func appendHex(_ value: UInt64, digits: Int, to text: inout [UInt8]) {
        for shift in stride(from: (digits - 1) * 4, through: 0, by: -4) {
            let digit = UInt8(truncatingIfNeeded: value >> UInt64(shift)) & 0xf
            text.append(digit < 10 ? UInt8(ascii: "0") + digit : UInt8(ascii: "a") + digit - 10)
        }
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
