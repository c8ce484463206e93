/// Every capability pcimmio has a name for, one row each: its id, the name setpci accepts for
/// it (`setpci --dumpregs`: `CAP_xxx`, `ECAP_xxx`; nil where setpci has none) and the name
/// lspci prints (pciutils `ls-caps.c` and `ls-ecaps.c`), so `config` operands, `caps` and the
/// walker's ids all come from the same row. IDs from the PCI Local Bus and PCI Express Base
/// specifications.
struct KnownCapability: Sendable {
    let id: Int
    /// In the extended chain (16-bit ids, from 0x100), or the standard one (8-bit ids).
    let extended: Bool
    let setpciName: String?
    let lspciName: String

    private static func standard(_ id: Int, _ setpciName: String?, _ lspciName: String) -> KnownCapability {
        KnownCapability(id: id, extended: false, setpciName: setpciName, lspciName: lspciName)
    }

    private static func extended(_ id: Int, _ setpciName: String?, _ lspciName: String) -> KnownCapability {
        KnownCapability(id: id, extended: true, setpciName: setpciName, lspciName: lspciName)
    }

    // The rows the walker, the decoders and the health checks need by name; each stands in
    // its table below.
    static let powerManagement = standard(0x01, "CAP_PM", "Power Management")
    static let msi = standard(0x05, "CAP_MSI", "MSI")
    static let pciX = standard(0x07, "CAP_PCIX", "PCI-X")
    static let express = standard(0x10, "CAP_EXP", "Express")
    static let msiX = standard(0x11, "CAP_MSIX", "MSI-X")
    static let advancedErrorReporting = extended(0x0001, "ECAP_AER", "Advanced Error Reporting")
    static let resizableBAR = extended(0x0015, "ECAP_REBAR", "Physical Resizable BAR")
    static let virtualResizableBAR = extended(0x0024, "ECAP_VF_REBAR", "Virtual Resizable BAR")

    static let standardTable: [KnownCapability] = [
        standard(0x00, nil, "Null"),
        powerManagement,
        standard(0x02, "CAP_AGP", "AGP"),
        standard(0x03, "CAP_VPD", "Vital Product Data"),
        standard(0x04, "CAP_SLOTID", "Slot ID"),
        msi,
        standard(0x06, "CAP_CHSWP", "CompactPCI hot-swap"),
        pciX,
        standard(0x08, "CAP_HT", "HyperTransport"),
        standard(0x09, "CAP_VNDR", "Vendor Specific Information"),
        standard(0x0A, "CAP_DBG", "Debug port"),
        standard(0x0B, "CAP_CCRC", "CompactPCI central resource control"),
        standard(0x0C, "CAP_HOTPLUG", "Hot-plug capable"),
        standard(0x0D, "CAP_SSVID", "Subsystem"),
        standard(0x0E, "CAP_AGP3", "AGP3"),
        standard(0x0F, "CAP_SECURE", "Secure device"),
        express,
        msiX,
        standard(0x12, "CAP_SATA", "SATA HBA"),
        standard(0x13, "CAP_AF", "PCI Advanced Features"),
        standard(0x14, "CAP_EA", "Enhanced Allocation (EA)"),
    ]

    static let extendedTable: [KnownCapability] = [
        advancedErrorReporting,
        extended(0x0002, "ECAP_VC", "Virtual Channel"),
        extended(0x0003, "ECAP_DSN", "Device Serial Number"),
        extended(0x0004, "ECAP_PB", "Power Budgeting"),
        extended(0x0005, "ECAP_RCLINK", "Root Complex Link"),
        extended(0x0006, "ECAP_RCILINK", "Root Complex Internal Link"),
        extended(0x0007, "ECAP_RCEC", "Root Complex Event Collector"),
        extended(0x0008, "ECAP_MFVC", "Multi-Function Virtual Channel"),
        extended(0x0009, "ECAP_VC2", "Virtual Channel"),
        extended(0x000A, "ECAP_RBCB", "Root Bridge Control Block"),
        extended(0x000B, "ECAP_VNDR", "Vendor Specific Information"),
        extended(0x000C, nil, "Configuration Access Correlation"),
        extended(0x000D, "ECAP_ACS", "Access Control Services"),
        extended(0x000E, "ECAP_ARI", "Alternative Routing-ID Interpretation (ARI)"),
        extended(0x000F, "ECAP_ATS", "Address Translation Service (ATS)"),
        extended(0x0010, "ECAP_SRIOV", "Single Root I/O Virtualization (SR-IOV)"),
        extended(0x0011, "ECAP_MRIOV", "Multi-Root I/O Virtualization (MR-IOV)"),
        extended(0x0012, "ECAP_MCAST", "Multicast"),
        extended(0x0013, "ECAP_PRI", "Page Request Interface (PRI)"),
        extended(0x0014, nil, "Reserved for AMD"),
        resizableBAR,
        extended(0x0016, "ECAP_DPA", "Dynamic Power Allocation"),
        extended(0x0017, "ECAP_TPH", "Transaction Processing Hints"),
        extended(0x0018, "ECAP_LTR", "Latency Tolerance Reporting"),
        extended(0x0019, "ECAP_SECPCI", "Secondary PCI Express"),
        extended(0x001A, "ECAP_PMUX", "Protocol Multiplexing"),
        extended(0x001B, "ECAP_PASID", "Process Address Space ID (PASID)"),
        extended(0x001C, "ECAP_LNR", "LN Requester"),
        extended(0x001D, "ECAP_DPC", "Downstream Port Containment"),
        extended(0x001E, "ECAP_L1PM", "L1 PM Substates"),
        extended(0x001F, "ECAP_PTM", "Precision Time Measurement"),
        extended(0x0020, "ECAP_M_PCIE", "PCI Express over M_PHY"),
        extended(0x0021, "ECAP_FRS", "FRS Queueing"),
        extended(0x0022, "ECAP_RTR", "Readiness Time Reporting"),
        extended(0x0023, "ECAP_DVSEC", "Designated Vendor-Specific"),
        virtualResizableBAR,
        extended(0x0025, "ECAP_DLNK", "Data Link Feature"),
        extended(0x0026, "ECAP_16GT", "Physical Layer 16.0 GT/s"),
        extended(0x0027, "ECAP_LMR", "Lane Margining at the Receiver"),
        extended(0x0028, "ECAP_HIER_ID", "Hierarchy ID"),
        extended(0x0029, "ECAP_NPEM", "Native PCIe Enclosure Management"),
        extended(0x002A, nil, "Physical Layer 32.0 GT/s"),
    ]

    static func table(extended: Bool) -> [KnownCapability] { extended ? extendedTable : standardTable }

    /// The row for a capability found in a chain; nil for an id pcimmio has no name for.
    static func withID(_ id: Int, extended: Bool) -> KnownCapability? {
        table(extended: extended).first { $0.id == id }
    }

    /// The row setpci's name stands for, in any case (`cap_exp` is `CAP_EXP`; the table's are
    /// upper case).
    static func withSetpciName(_ name: String, extended: Bool) -> KnownCapability? {
        let wanted = name.uppercased()
        return table(extended: extended).first { $0.setpciName == wanted }
    }
}
