import ArgumentParser
import PCIMMIO

/// `--via` of the config-space commands (`config`, `caps`): how config space is reached.
struct ConfigPathOption: ParsableArguments {
    @Option(help: ArgumentHelp("Config access path: sysfs (the device's config file) or vfio (a device bound to vfio-pci). Default: vfio for a device bound to vfio-pci, else sysfs.", valueName: "path"),
            completion: .list(["sysfs", "vfio"]))
    var via: String?

    var parsed: AccessVia? {
        get throws(PCIMMIOError) { try via.map { (text) throws(PCIMMIOError) in try AccessVia(parsing: text) } }
    }
}
