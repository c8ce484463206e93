import ArgumentParser
import PCIMMIO

/// Options every command takes; they may also come before the command name.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Directory that stands for /sys/bus/pci (like lspci -O sysfs.path=DIR). Default: $PCIMMIO_SYSFS, else /sys/bus/pci.",
        valueName: "dir"), completion: .directory)
    var sysfs: String?

    @Option(name: .long, help: ArgumentHelp(
        "Append one JSON line per device access (operation, device, BAR, offset, width, value) to FILE; '-' is stderr.",
        valueName: "file"))
    var trace: String?

    @Option(name: .long, help: ArgumentHelp(
        "Register map (JSON) for the device: registers and fields by name. Default: the first map listing the device in $PCIMMIO_MAPS, else in the maps installed with pcimmio (<prefix>/share/pcimmio/maps).",
        valueName: "file"))
    var map: String?

    @Flag(help: "With --trace: one summary line per load, fill or dump instead of a line per register.")
    var traceSummary = false

    var settings: Settings { Settings(sysfs: sysfs, trace: trace, map: map, traceSummary: traceSummary) }

}
