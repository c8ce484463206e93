import ArgumentParser
import PCIMMIO

/// DEVICE alone, for the commands about a whole device (snapshot), and with --dry-run for
/// those that write to it (DeviceWriteArguments).
struct DeviceArgument: ParsableArguments {
    @Argument(help: "Slot ([[domain:]bus:]dev.fn) or vendor:device matching exactly one function.")
    var device: String

    /// `phys` is refused here, naming what to give instead (DeviceSelector).
    var selector: DeviceSelector {
        get throws(PCIMMIOError) { try DeviceSelector(device) }
    }
}
