/// `pcimmio enable`: writes `1` to the device's sysfs `enable` file, which makes the kernel
/// enable it (pci_enable_device: memory and I/O decoding for its BARs, power to D0) as a
/// driver would. The usual fix for a freshly powered, unbound device whose BARs read all ones.
public enum DeviceEnable {
    public static func write(_ device: PCIDevice, root: String) -> SysfsWrite {
        SysfsWrite(path: device.sysfsDirectory(root: root) + "/enable", value: "1")
    }

    public static func perform(_ device: PCIDevice, root: String) throws(PCIMMIOError) {
        let write = write(device, root: root)
        do { try write.perform() } catch {
            throw MappingDiagnosis.error(call: error.call, path: write.path, kind: .other, errno: error.errno)
        }
    }
}
