import ArgumentParser
import PCIMMIO

/// Options every command takes; they may also come before the command name.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Directory that stands for /sys/bus/pci (like lspci -O sysfs.path=DIR). Default: $PCIMMIO_SYSFS, else /sys/bus/pci.",
        valueName: "dir"))
    var sysfs: String?

    /// The sysfs tree, opened on first use.
    func tree() throws(PCIMMIOError) -> PCITree {
        let tree = try PCITree(root: PCITree.root(option: sysfs))
        return tree
    }

    static let namesWithValues: Set<String> = ["--sysfs", "--trace"]
}
