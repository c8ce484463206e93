/// The user-space doors to a device's registers, as `--via` names them and trace lines record.
public enum AccessVia: String, Sendable, CaseIterable {
    /// `/sys/bus/pci/devices/<slot>/resourceN` (and `resourceN_wc`): mmap, or pread/pwrite for I/O ports.
    case sysfs
    /// A device bound to vfio-pci, through its IOMMU group: works under kernel lockdown.
    case vfio
    /// `/dev/mem` at a physical address (O_SYNC, uncached): SoCs, or a BAR by its address.
    case devmem

    public init(parsing text: String) throws(PCIMMIOError) {
        guard let via = AccessVia(rawValue: text) else {
            throw .usage("--via '\(text)': expected sysfs, vfio or devmem")
        }
        self = via
    }
}
