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
            reach it through VFIO, which works under kernel lockdown (Secure Boot). A bind that \
            fails, or that the driver does not take, is rolled back: driver_override as it was, \
            and the device probed again if it was left without a driver. A device that serves a \
            mounted disk, swap, or a network interface that is up is not taken from its driver \
            without --force. pcimmio unbind DEVICE --reprobe gives it back to its default driver.

            Examples:
              pcimmio bind 00:02.0 vfio-pci
              pcimmio bind 00:02.0 vfio-pci --dry-run
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var target: DeviceWriteArguments

    @Argument(help: "Driver name as in /sys/bus/pci/drivers (e.g. vfio-pci).")
    var driver: String

    @Flag(help: "Take the device from its driver even while it serves a mounted disk or an up interface.")
    var force = false

    func run() throws {
        let settings = global.settings
        let device = try settings.tree().device(target.selector, names: false)
        try apply(DriverBinding.bind(device, to: driver, root: settings.root, force: force), dryRun: target.dryRun)
    }
}
