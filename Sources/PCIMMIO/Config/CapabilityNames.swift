/// Capability names in lspci's words (pciutils `ls-caps.c` and `ls-ecaps.c`), so `caps` and
/// `lspci -vvv` read alike. IDs from the PCI Local Bus and PCI Express Base specifications.
public enum CapabilityNames {
    public static func standard(_ id: Int) -> String? { standardNames[id] }
    public static func extended(_ id: Int) -> String? { extendedNames[id] }

    static let standardNames: [Int: String] = [
        0x00: "Null",
        0x01: "Power Management",
        0x02: "AGP",
        0x03: "Vital Product Data",
        0x04: "Slot ID",
        0x05: "MSI",
        0x06: "CompactPCI hot-swap",
        0x07: "PCI-X",
        0x08: "HyperTransport",
        0x09: "Vendor Specific Information",
        0x0A: "Debug port",
        0x0B: "CompactPCI central resource control",
        0x0C: "Hot-plug capable",
        0x0D: "Subsystem",
        0x0E: "AGP3",
        0x0F: "Secure device",
        0x10: "Express",
        0x11: "MSI-X",
        0x12: "SATA HBA",
        0x13: "PCI Advanced Features",
        0x14: "Enhanced Allocation (EA)",
    ]

    static let extendedNames: [Int: String] = [
        0x01: "Advanced Error Reporting",
        0x02: "Virtual Channel",
        0x03: "Device Serial Number",
        0x04: "Power Budgeting",
        0x05: "Root Complex Link",
        0x06: "Root Complex Internal Link",
        0x07: "Root Complex Event Collector",
        0x08: "Multi-Function Virtual Channel",
        0x09: "Virtual Channel",
        0x0A: "Root Bridge Control Block",
        0x0B: "Vendor Specific Information",
        0x0C: "Configuration Access Correlation",
        0x0D: "Access Control Services",
        0x0E: "Alternative Routing-ID Interpretation (ARI)",
        0x0F: "Address Translation Service (ATS)",
        0x10: "Single Root I/O Virtualization (SR-IOV)",
        0x11: "Multi-Root I/O Virtualization (MR-IOV)",
        0x12: "Multicast",
        0x13: "Page Request Interface (PRI)",
        0x14: "Reserved for AMD",
        0x15: "Physical Resizable BAR",
        0x16: "Dynamic Power Allocation",
        0x17: "Transaction Processing Hints",
        0x18: "Latency Tolerance Reporting",
        0x19: "Secondary PCI Express",
        0x1A: "Protocol Multiplexing",
        0x1B: "Process Address Space ID (PASID)",
        0x1C: "LN Requester",
        0x1D: "Downstream Port Containment",
        0x1E: "L1 PM Substates",
        0x1F: "Precision Time Measurement",
        0x20: "PCI Express over M_PHY",
        0x21: "FRS Queueing",
        0x22: "Readiness Time Reporting",
        0x23: "Designated Vendor-Specific",
        0x24: "Virtual Resizable BAR",
        0x25: "Data Link Feature",
        0x26: "Physical Layer 16.0 GT/s",
        0x27: "Lane Margining at the Receiver",
        0x28: "Hierarchy ID",
        0x29: "Native PCIe Enclosure Management",
        0x2A: "Physical Layer 32.0 GT/s",
    ]
}

/// Standard capability IDs the walker and decoders need by name.
enum CapabilityID {
    static let powerManagement = 0x01
    static let msi = 0x05
    static let pciX = 0x07
    static let express = 0x10
    static let msiX = 0x11
}

/// Extended capability IDs the decoders need by name.
enum ExtendedCapabilityID {
    static let advancedErrorReporting = 0x01
    static let resizableBAR = 0x15
    static let virtualResizableBAR = 0x24
}
