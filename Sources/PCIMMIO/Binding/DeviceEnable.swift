import Glibc

/// `pcimmio enable`: writes `1` to the device's sysfs `enable` file, which makes the kernel
/// enable it (pci_enable_device: memory and I/O decoding for its BARs, power to D0) as a
/// driver would. The usual fix for a freshly powered, unbound device whose BARs read all ones.
public enum DeviceEnable {
    public static func file(_ device: PCIDevice, root: String) -> String {
        DriverBinding.deviceDirectory(device, root: root) + "/enable"
    }

    public static func perform(_ device: PCIDevice, root: String) throws(PCIMMIOError) {
        let path = file(device, root: root)
        let descriptor = open(path, O_WRONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw MappingDiagnosis.error(call: "open for writing", path: path, errno: errno) }
        defer { close(descriptor) }
        var one = "1"
        let written = one.withUTF8 { write(descriptor, $0.baseAddress, $0.count) }
        guard written == 1 else { throw MappingDiagnosis.error(call: "write '1' to", path: path, errno: errno) }
    }
}
