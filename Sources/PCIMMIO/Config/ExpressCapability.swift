/// PCI Express (capability 0x10): the device/port type, payload and read-request sizes, the
/// device's error status, and the link's capability and current state.
public struct ExpressCapability: Equatable {
    /// Device/Port Type (bits 7:4 of the capabilities register), named as lspci names them.
    public enum PortType: Int, Sendable {
        case endpoint = 0, legacyEndpoint = 1, rootPort = 4, upstreamPort = 5, downstreamPort = 6
        case pcieToPCIBridge = 7, pciToPCIeBridge = 8, rootComplexIntegratedEndpoint = 9, rootComplexEventCollector = 10

        public var name: String {
            switch self {
            case .endpoint: "Endpoint"
            case .legacyEndpoint: "Legacy Endpoint"
            case .rootPort: "Root Port"
            case .upstreamPort: "Upstream Port"
            case .downstreamPort: "Downstream Port"
            case .pcieToPCIBridge: "PCI-Express to PCI/PCI-X Bridge"
            case .pciToPCIeBridge: "PCI/PCI-X to PCI-Express Bridge"
            case .rootComplexIntegratedEndpoint: "Root Complex Integrated Endpoint"
            case .rootComplexEventCollector: "Root Complex Event Collector"
            }
        }

        /// Functions inside the root complex have no link registers.
        var hasLink: Bool { self != .rootComplexIntegratedEndpoint && self != .rootComplexEventCollector }
        /// Ports whose link may run below what they can do without anything being wrong.
        var linkMayRunSlower: Bool { self == .rootPort || self == .downstreamPort || self == .pciToPCIeBridge }
        var hasSlot: Bool { self == .rootPort || self == .downstreamPort || self == .pciToPCIeBridge }
    }

    /// A link's speed and width, from the capability or the status register.
    public struct Link: Equatable, Sendable {
        /// The encoded speed (1 = 2.5 GT/s, 2 = 5, 3 = 8, 4 = 16, 5 = 32, 6 = 64).
        public let speedCode: Int
        public let width: Int

        public var speed: String {
            switch speedCode {
            case 1: "2.5GT/s"
            case 2: "5GT/s"
            case 3: "8GT/s"
            case 4: "16GT/s"
            case 5: "32GT/s"
            case 6: "64GT/s"
            default: "unknown"
            }
        }
    }

    /// Device Status error bits, in register order.
    public static let deviceStatusErrorBits: [StatusBit] = [
        StatusBit(0, "CorrErr", "Correctable Error Detected"),
        StatusBit(1, "NonFatalErr", "Non-Fatal Error Detected"),
        StatusBit(2, "FatalErr", "Fatal Error Detected"),
        StatusBit(3, "UnsupReq", "Unsupported Request Detected"),
    ]
    /// The error bits and the two others lspci shows with them.
    public static let deviceStatusBits: [StatusBit] = deviceStatusErrorBits + [
        StatusBit(4, "AuxPwr", "AUX Power Detected"),
        StatusBit(5, "TransPend", "Transactions Pending"),
    ]

    public let version: Int
    public let typeCode: Int
    public let slotImplemented: Bool
    public let interruptMessage: Int
    public let maxPayloadSupported: Int
    public let maxPayload: Int
    public let maxReadRequest: Int
    public let deviceStatus: UInt16
    public let linkCapability: Link?
    public let linkStatus: Link?
    public let port: Int?

    public var type: PortType? { PortType(rawValue: typeCode) }

    public init(at offset: Int, in config: some ConfigRegisters) throws(PCIMMIOError) {
        let flags = try config.word(at: offset + 2)
        version = Int(flags & 0xF)
        typeCode = Int(flags >> 4 & 0xF)
        slotImplemented = bit(flags, 8)
        interruptMessage = Int(flags >> 9 & 0x1F)
        let deviceCapabilities = try config.dword(at: offset + 4)
        let deviceControl = try config.word(at: offset + 8)
        deviceStatus = try config.word(at: offset + 0xA)
        maxPayloadSupported = 128 << Int(deviceCapabilities & 0x7)
        maxPayload = 128 << Int(deviceControl >> 5 & 0x7)
        maxReadRequest = 128 << Int(deviceControl >> 12 & 0x7)
        if PortType(rawValue: typeCode)?.hasLink ?? true {
            let capabilities = try config.dword(at: offset + 0xC)
            let status = try config.word(at: offset + 0x12)
            linkCapability = Link(speedCode: Int(capabilities & 0xF), width: Int(capabilities >> 4 & 0x3F))
            linkStatus = Link(speedCode: Int(status & 0xF), width: Int(status >> 4 & 0x3F))
            port = Int(capabilities >> 24)
        } else {
            linkCapability = nil
            linkStatus = nil
            port = nil
        }
    }

    public var typeName: String { type?.name ?? "Unknown type \(typeCode)" }

    /// As lspci 3.9 marks LnkSta: slower or narrower than the link can do is "downgraded"
    /// (except on ports, where a slow device below is normal), faster "overdriven".
    func comparison(_ status: Int, _ capability: Int) -> String {
        if status > capability { return " (overdriven)" }
        if status == capability || type?.linkMayRunSlower == true { return "" }
        return " (downgraded)"
    }

    func describe(into decoded: inout DecodedCapability) {
        decoded.version = version
        var title = typeName
        if type?.hasSlot == true { title += " (\(flag("Slot", slotImplemented)))" }
        decoded.summary = title + ", MSI " + hex(interruptMessage, digits: 2)
        let statusFlags = Self.deviceStatusBits.map { flag($0.flag, bit(deviceStatus, $0.bit)) }.joined(separator: " ")
        decoded.lines = [
            "DevCap: MaxPayload \(maxPayloadSupported) bytes",
            "DevCtl: MaxPayload \(maxPayload) bytes, MaxReadReq \(maxReadRequest) bytes",
            "DevSta: " + statusFlags,
        ]
        decoded.fields = [
            ("deviceType", .string(typeName)),
            ("slotImplemented", .bool(slotImplemented)),
            ("interruptMessage", .number(UInt64(interruptMessage))),
            ("maxPayloadSupported", .number(UInt64(maxPayloadSupported))),
            ("maxPayload", .number(UInt64(maxPayload))),
            ("maxReadRequest", .number(UInt64(maxReadRequest))),
            ("deviceStatus", .object(Self.deviceStatusBits.map { ($0.flag, .bool(bit(deviceStatus, $0.bit))) })),
        ]
        if let capability = linkCapability, let status = linkStatus, let port {
            decoded.lines.append("LnkCap: Port #\(port), Speed \(capability.speed), Width x\(capability.width)")
            decoded.lines.append("LnkSta: Speed \(status.speed)\(comparison(status.speedCode, capability.speedCode)), Width x\(status.width)\(comparison(status.width, capability.width))")
            decoded.fields += [
                ("linkPort", .number(UInt64(port))),
                ("linkCapabilitySpeed", .string(capability.speed)),
                ("linkCapabilityWidth", .number(UInt64(capability.width))),
                ("linkStatusSpeed", .string(status.speed)),
                ("linkStatusWidth", .number(UInt64(status.width))),
            ]
        }
    }
}
