import ArgumentParser
import PCIMMIO

/// DEVICE alone, for the commands about a whole device (bind, unbind, enable, config).
struct DeviceArgument: ParsableArguments {
    @Argument(help: "Slot ([[domain:]bus:]dev.fn) or vendor:device matching exactly one function.")
    var device: String

    @Flag(help: "Print the writes and make none.")
    var dryRun = false

    /// `phys` is refused here, naming what to give instead (DeviceSelector).
    var selector: DeviceSelector {
        get throws(PCIMMIOError) { try DeviceSelector(device) }
    }
}
