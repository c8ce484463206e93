/// The /dev/mem back-end: physical addresses, for SoC registers that are on no PCI bus (what
/// busybox devmem and memtool do), or a PCI BAR by its address (`--via devmem`). Opened O_SYNC
/// (uncached), mapping only the pages the access covers. Before anything is opened the range
/// is looked up in /proc/iomem: RAM is refused; a range a driver claimed is accessed with a
/// warning. A device's config space stays its sysfs `config` file (/dev/mem has none).
final class DevMemBackend: DeviceBackend {
    var via: AccessVia { .devmem }

    /// /dev/mem, or its stand-in (MachineDeviceFiles).
    static var file: String { MachineDeviceFiles.devMem }

    /// The device whose BARs are reached by address; nil for `phys`.
    private let device: PCIDevice?
    private let directory: String?
    private let memoryMap: () throws(PCIMMIOError) -> IOMemMap
    private let diagnostics: Diagnostics
    private var config: SysfsConfigSpace?
    /// Ranges already warned about: one warning each.
    private var warned: Set<UInt64> = []

    /// `memoryMap` is /proc/iomem unless a test gives another.
    init(device: PCIDevice?, directory: String?, diagnostics: Diagnostics = .standardError(),
         memoryMap: @escaping () throws(PCIMMIOError) -> IOMemMap = { () throws(PCIMMIOError) in try IOMemMap.system() }) {
        self.device = device
        self.directory = directory
        self.diagnostics = diagnostics
        self.memoryMap = memoryMap
    }

    /// Memory BARs only (an I/O port's number is no physical address), and never RAM:
    /// refused while planning, naming the entry.
    func route(_ bar: BAR?, location: AccessLocation, offset: UInt64, length: UInt64, mode: AccessPlan.Mode,
               writeCombining: Bool) throws(PCIMMIOError) -> String {
        if let bar, !bar.kind.isMemory || bar.kind == .rom {
            throw .usage("\(location.slot) BAR \(bar.index) is \(bar.kind == .rom ? "the expansion ROM, which must be enabled to be read (sysfs or VFIO do that)" : "an I/O-port BAR: /dev/mem reaches memory only"); drop --via devmem")
        }
        let start = (bar?.address ?? 0) &+ offset
        let (_, overflow) = start.addingReportingOverflow(length)
        guard !overflow else { throw .physicalRangeTooLong(address: start, length: length) }
        if let entry = try memoryMap().memoryEntry(overlapping: start, length: length) {
            throw .physicalRangeRefused(address: start, length: length,
                                        entry: "\(entry.name) (\(rangeText(entry.range)) in \(IOMemMap.file))")
        }
        return Self.file
    }

    func openWindow(_ plan: AccessPlan, covering region: Range<UInt64>) throws(PCIMMIOError) -> RegisterWindow {
        let base = plan.bar?.address ?? 0
        let start = base + plan.offset
        let claimant = try memoryMap().claimant(of: start, length: plan.length)
        if let claimant, warned.insert(start).inserted {
            diagnostics.warning("physical address 0x\(String(start, radix: 16)) belongs to \(claimant.driver)"
                                + (claimant.owner.map { " (\($0))" } ?? "")
                                + ": the driver may not expect your accesses, and the kernel's IO_STRICT_DEVMEM may refuse them")
        }
        let writable = plan.mode == .write
        let file = try OpenFile(path: plan.path, writable: writable, synchronous: true, kind: .devmem)
        do {
            return try MappedWindow(file: file, base: base, covering: region,
                                    limit: plan.span.upperBound, writable: writable, location: plan.location)
        } catch {
            throw MappingDiagnosis.devmemRefused(error, claimedBy: claimant?.driver)
        }
    }

    func configSpace() throws(PCIMMIOError) -> ConfigSpace {
        guard let device, let directory else { throw .usage("phys has no config space: name a PCI device") }
        if let config { return config }
        let opened = SysfsConfigSpace(slot: device.slot, directory: directory, boundToVFIO: BackendChoice.boundToVFIO(device))
        config = opened
        return opened
    }
}

func rangeText(_ range: ClosedRange<UInt64>) -> String {
    "0x" + String(range.lowerBound, radix: 16) + "-0x" + String(range.upperBound, radix: 16)
}
