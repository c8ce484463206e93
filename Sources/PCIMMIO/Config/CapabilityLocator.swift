/// Finds a capability's offset for `CAP_xxx`/`ECAP_xxx` operands and the health checks: the
/// Nth capability with an id in the function's chains (CapabilityChain, which reads config
/// space on demand and never follows a broken or looping pointer). Works through either
/// config-space path (libpci's pci_find_cap cannot read through VFIO).
enum CapabilityLocator {
    static func offset(of id: Int, extended: Bool, instance: Int, in space: ConfigSpace) throws(PCIMMIOError) -> Int? {
        let chain = try CapabilityChain(walking: CachedConfigRegisters(space), extended: extended)
        let matches = chain.entries(withID: id, extended: extended)
        return instance < matches.count ? matches[instance].offset : nil
    }
}
