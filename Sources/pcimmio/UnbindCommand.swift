import ArgumentParser
import PCIMMIO

struct UnbindCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unbind",
        abstract: "Unbind a device from its driver and clear its driver_override.",
        discussion: """
            Prints the driver before and after. With --reprobe the bus is then asked to probe, \
            so the kernel's own choice (the default driver) takes the device back, as \
            driverctl unset-override does: the way back from pcimmio bind DEVICE vfio-pci. A device \
            that serves a mounted disk, swap, or an interface that is up is refused without --force.

            Examples:
              pcimmio unbind 00:02.0
              pcimmio unbind 00:02.0 --dry-run
              pcimmio unbind 00:02.0 --reprobe
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var target: DeviceWriteArguments

    @Flag(help: "Then probe, so the default driver takes the device back (clears driver_override).")
    var reprobe = false

    @Flag(help: "Unbind even while the device serves a mounted disk or an up interface.")
    var force = false

    func run() throws {
        let settings = global.settings
        let device = try settings.tree().device(target.selector, names: false)
        try apply(DriverBinding.unbind(device, root: settings.root, reprobe: reprobe, force: force), dryRun: target.dryRun)
    }
}
