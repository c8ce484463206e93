/// One way of reaching a device's BARs, like a back-end in pciutils' `struct pci_methods`:
/// given a checked plan, it opens a window covering part of the BAR. Everything above this
/// (commands, scripts, maps, tracing) sees only `RegisterWindow`, and every path does its
/// loads and stores through the accessors in Sources/MMIOAccess (mmap) or single-width
/// pread/pwrite, so width-exactness and the fault guard hold on all of them.
protocol AccessPath: AnyObject {
    var via: AccessVia { get }

    /// A window onto `plan`'s BAR covering at least `region` (BAR offsets), read-only unless
    /// the plan writes.
    func open(_ plan: AccessPlan, covering region: Range<UInt64>) throws(PCIMMIOError) -> RegisterWindow
}

/// The paths one session uses, created when first needed: a VFIO device stays open (its
/// container, group and device descriptors) for as long as the session.
final class AccessPaths {
    private var vfio: VFIOPath?
    private lazy var sysfs = SysfsResourcePath()
    private lazy var devmem = PhysicalMemoryPath()

    var vfioPath: VFIOPath { path(.vfio) as! VFIOPath }

    func path(_ via: AccessVia) -> AccessPath {
        switch via {
        case .sysfs: return sysfs
        case .devmem: return devmem
        case .vfio:
            if let vfio { return vfio }
            let created = VFIOPath()
            vfio = created
            return created
        }
    }
}
