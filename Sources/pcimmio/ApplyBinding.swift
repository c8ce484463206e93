import ArgumentParser
import PCIMMIO

/// Prints the writes (--dry-run), or makes them and prints `SLOT: before -> after`.
func apply(_ binding: DriverBinding, dryRun: Bool) throws {
    if dryRun {
        for write in binding.writes { print("would " + write.description) }
        return
    }
    try binding.perform()
    let after = binding.currentDriverNow()
    print("\(binding.slot): \(binding.current ?? "none") -> \(after ?? "none")")
    if after != binding.wanted {
        throw PCIMMIOError.driverBinding(slot: binding.slot, reason: binding.wanted.map { "\($0) did not take the device (dmesg may say why)" }
                                         ?? "\(after!) is still bound")
    }
}
