import Glibc

/// `/dev/mem`: physical addresses, for SoC registers that are on no PCI bus (what busybox
/// devmem and memtool do), or a PCI BAR by its address. Opened O_SYNC (uncached), mapping only
/// the pages the access covers. Before anything is opened the range is looked up in
/// /proc/iomem: RAM is refused; a range a driver claimed is accessed with a warning.
final class PhysicalMemoryPath: AccessPath {
    var via: AccessVia { .devmem }

    /// `PCIMMIO_DEVMEM` stands in for /dev/mem in tests.
    static var file: String { environment("PCIMMIO_DEVMEM") ?? "/dev/mem" }

    /// Refuses ranges the kernel uses as memory, naming the entry; called while planning.
    static func checkRange(_ start: UInt64, length: UInt64) throws(PCIMMIOError) {
        let (_, overflow) = start.addingReportingOverflow(length)
        guard !overflow else { throw .invalidArgument("physical address 0x\(String(start, radix: 16)) + \(length) bytes is past the end of the address space") }
        if let entry = try IOMemMap.system().memoryEntry(overlapping: start, length: length) {
            throw .physicalRangeRefused(address: start, length: length,
                                        entry: "\(entry.name) (\(rangeText(entry.range)) in \(IOMemMap.file))")
        }
    }

    /// Ranges already warned about in this process: one warning each.
    private var warned: Set<UInt64> = []

    func open(_ plan: AccessPlan, covering region: Range<UInt64>) throws(PCIMMIOError) -> RegisterWindow {
        let start = plan.bar.address + plan.offset
        let claimant = try IOMemMap.system().claimant(of: start, length: plan.length)
        if let claimant, warned.insert(start).inserted {
            printWarning("physical address 0x\(String(start, radix: 16)) belongs to \(claimant.driver)"
                         + (claimant.owner.map { " (\($0))" } ?? "")
                         + ": the driver may not expect your accesses, and the kernel's IO_STRICT_DEVMEM may refuse them")
        }
        let writable = plan.mode == .write
        let file = try OpenFile(path: plan.path, writable: writable, synchronous: true)
        do {
            return try MappedWindow(file: file, base: plan.bar.address, covering: region,
                                    limit: plan.bar.size, writable: writable, location: plan.location)
        } catch {
            throw MappingDiagnosis.devmemRefused(error, claimedBy: claimant?.driver)
        }
    }
}

func rangeText(_ range: ClosedRange<UInt64>) -> String {
    "0x" + String(range.lowerBound, radix: 16) + "-0x" + String(range.upperBound, radix: 16)
}

/// One `pcimmio: warning: …` line on stderr: the command goes on.
func printWarning(_ message: String) {
    printDiagnostic("warning: " + message)
}

/// One `pcimmio: …` line on stderr, unbuffered.
func printDiagnostic(_ message: String) {
    var line = "pcimmio: " + message + "\n"
    line.withUTF8 { _ = write(STDERR_FILENO, $0.baseAddress, $0.count) }
}
