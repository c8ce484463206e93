import ArgumentParser
import PCIMMIO

/// DEVICE and --dry-run, for the commands that write to a whole device (bind, unbind,
/// enable, config): only where a write can happen is a dry run offered.
struct DeviceWriteArguments: ParsableArguments {
    @OptionGroup var device: DeviceArgument

    @Flag(help: "Print the writes and make none.")
    var dryRun = false

    var selector: DeviceSelector {
        get throws(PCIMMIOError) { try device.selector }
    }
}
