import Glibc
import PCIShim

/// Config space through libpci's pci_read_*/pci_write_* on the tree's device, which on Linux
/// read and write the sysfs `config` file. Keeps its tree (and so the libpci handle) alive.
final class LibPCIConfigSpace: ConfigSpace {
    let slot: String
    let size: Int
    var via: AccessVia { .sysfs }
    private let tree: PCITree
    private let device: UnsafeMutablePointer<pci_dev>
    private let configFile: String

    init(tree: PCITree, device: UnsafeMutablePointer<pci_dev>, slot: String, directory: String) {
        self.tree = tree
        self.device = device
        self.slot = slot
        configFile = directory + "/config"
        // The config file is as large as the space the kernel can reach (it reads only the
        // first 64 bytes for anyone but root, but the size is the same).
        var info = stat()
        size = stat(configFile, &info) == 0 && info.st_size >= 4096 ? 4096 : 256
    }

    func read(_ width: Width, at offset: Int) throws(PCIMMIOError) -> UInt32 {
        try check(width, at: offset)
        let position = Int32(offset)
        let value: UInt32
        switch width {
        case .w8: value = UInt32(pci_read_byte(device, position))
        case .w16: value = UInt32(pci_read_word(device, position))
        default: value = pci_read_long(device, position)
        }
        // libpci warns and returns all ones when the read fails.
        if let failure = tree.takeWarnings().first {
            throw .invalidArgument("reading \(slot) config at 0x\(String(offset, radix: 16)): \(failure)")
        }
        return value
    }

    func write(_ width: Width, at offset: Int, value: UInt32) throws(PCIMMIOError) {
        try check(width, at: offset)
        let position = Int32(offset)
        let ok: Int32
        switch width {
        case .w8: ok = pci_write_byte(device, position, UInt8(truncatingIfNeeded: value))
        case .w16: ok = pci_write_word(device, position, UInt16(truncatingIfNeeded: value))
        default: ok = pci_write_long(device, position, value)
        }
        let warnings = tree.takeWarnings()
        guard ok != 0, warnings.isEmpty else {
            let lockdown = KernelLockdown.current()
            let boundToVFIO = DriverBinding.boundDriver(String(configFile.dropLast("/config".count))) == VFIOPath.driverName
            let why = lockdown?.locksDown == true
                ? ": the kernel is in lockdown (\(lockdown!.rawValue)) mode, which refuses config writes through sysfs; "
                    + (boundToVFIO ? "drop --via sysfs: the device is bound to vfio-pci, and pcimmio writes through VFIO"
                                   : "bind the device to vfio-pci (pcimmio bind \(slot) vfio-pci) and pcimmio writes through VFIO")
                : ""
            throw .invalidArgument("writing \(slot) config at 0x\(String(offset, radix: 16)) (\(configFile)) failed: \(warnings.first ?? "libpci reported an error")\(why)")
        }
    }
}
