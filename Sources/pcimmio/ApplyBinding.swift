import ArgumentParser
import PCIMMIO

/// Prints the writes (--dry-run), or makes them and prints `SLOT: before -> after`. A bind
/// that fails, or that no driver takes, is rolled back (DriverBinding.rollBack) and the error
/// says what the device has now.
func apply(_ binding: DriverBinding, dryRun: Bool) throws {
    if dryRun {
        for write in binding.writes { print("would " + write.description) }
        return
    }
    do {
        try binding.perform()
    } catch {
        guard binding.wanted != nil else { throw error }
        throw PCIMMIOError.driverBinding(slot: binding.slot, reason: "\(error.description); \(binding.rollBack())")
    }
    let after = binding.currentDriverNow()
    print("\(binding.slot): \(binding.current ?? "none") -> \(after ?? "none")")
    if binding.reprobe { return }
    if let wanted = binding.wanted, after != wanted {
        throw PCIMMIOError.driverBinding(slot: binding.slot, reason: "\(wanted) did not take the device (dmesg may say why); \(binding.rollBack())")
    }
    if binding.wanted == nil, let after {
        throw PCIMMIOError.driverBinding(slot: binding.slot, reason: "\(after) is still bound")
    }
}
