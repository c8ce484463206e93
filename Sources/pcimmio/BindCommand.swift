import ArgumentParser
import PCIMMIO

struct BindCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bind",
        abstract: "Bind a device to a driver (driver_override, unbind, drivers_probe), as driverctl does.",
        discussion: """
            Prints the driver before and after. Binding to vfio-pci first checks the device's \
            whole IOMMU group and refuses, naming them, when other devices in it use host \
            drivers. Once a device is bound to vfio-pci, peek, poke, dump, wait, watch and run \
            reach it through VFIO, which works under kernel lockdown (Secure Boot).

            Examples:
              pcimmio bind 00:02.0 vfio-pci
              pcimmio bind 00:02.0 vfio-pci --dry-run
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var target: DeviceArgument

    @Argument(help: "Driver name as in /sys/bus/pci/drivers (e.g. vfio-pci).")
    var driver: String

    func run() throws {
        let settings = global.settings
        let device = try settings.tree().device(target.selector, names: false)
        try apply(DriverBinding.bind(device, to: driver, root: settings.root), dryRun: target.dryRun)
    }
}

struct UnbindCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unbind",
        abstract: "Unbind a device from its driver and clear its driver_override.",
        discussion: """
            Prints the driver before and after.

            Examples:
              pcimmio unbind 00:02.0
              pcimmio unbind 00:02.0 --dry-run
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var target: DeviceArgument

    func run() throws {
        let settings = global.settings
        let device = try settings.tree().device(target.selector, names: false)
        try apply(DriverBinding.unbind(device, root: settings.root), dryRun: target.dryRun)
    }
}

/// Prints the writes (--dry-run), or makes them and prints `SLOT: before -> after`.
private func apply(_ binding: DriverBinding, dryRun: Bool) throws {
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
