/// /dev/mem and /dev/vfio belong to the machine pcimmio runs on, not to a sysfs tree. With a
/// tree other than /sys/bus/pci (--sysfs, PCIMMIO_SYSFS: a capture of another machine, a test
/// fixture), a device of the tree reached through them would reach this machine's memory at
/// the captured address, or this machine's VFIO groups. So with such a tree they are used only
/// through stand-ins: PCIMMIO_DEVMEM (a file for /dev/mem) and PCIMMIO_VFIO (a directory for
/// /dev/vfio), as the tests give them.
enum MachineDeviceFiles {
    static var devMem: String { environment("PCIMMIO_DEVMEM") ?? "/dev/mem" }
    static var vfioDirectory: String { environment("PCIMMIO_VFIO") ?? "/dev/vfio" }

    /// Refuses /dev/mem for `what` when the tree is not this machine's and no stand-in is set.
    static func checkDevMem(root: String, for what: String) throws(PCIMMIOError) {
        guard root != PCITree.defaultRoot, environment("PCIMMIO_DEVMEM") == nil else { return }
        throw .usage("\(what): the sysfs tree is \(root), not this machine's \(PCITree.defaultRoot), and /dev/mem is this machine's memory: set PCIMMIO_DEVMEM=FILE to stand in for /dev/mem, or use the default tree")
    }

    /// Refuses /dev/vfio for `slot` when the tree is not this machine's and no stand-in is set.
    static func checkVFIO(root: String, slot: String) throws(PCIMMIOError) {
        guard root != PCITree.defaultRoot, environment("PCIMMIO_VFIO") == nil else { return }
        throw .usage("\(slot) is bound to vfio-pci in the sysfs tree \(root), but /dev/vfio is this machine's, not the tree's: use --via sysfs for the tree's files, or set PCIMMIO_VFIO=DIR to stand in for /dev/vfio")
    }
}
