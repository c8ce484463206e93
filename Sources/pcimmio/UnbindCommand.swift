import ArgumentParser
import PCIMMIO

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
