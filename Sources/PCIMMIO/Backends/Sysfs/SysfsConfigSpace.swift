import Glibc

/// Config space through the sysfs `config` file, exactly as libpci's and setpci's sysfs
/// method reach it: one pread or pwrite of the access width at the register's offset. The
/// file is opened read-only, and again for writing on the first write (only root may).
final class SysfsConfigSpace: ConfigSpace {
    let slot: String
    let size: Int
    var via: AccessVia { .sysfs }
    private let configFile: String
    private var reader: OpenFile?
    private var writer: OpenFile?
    /// For the remedy when lockdown refuses a write (BackendChoice.boundToVFIO).
    private let boundToVFIO: Bool

    init(slot: String, directory: String, boundToVFIO: Bool) {
        self.slot = slot
        self.boundToVFIO = boundToVFIO
        configFile = directory + "/config"
        // The file is as large as the space the kernel can reach (it gives only the first 64
        // bytes to anyone but root, but the size is the same).
        size = ((try? fileStatus(configFile))?.st_size ?? 0) >= 4096 ? 4096 : 256
    }

    func read(_ width: Width, at offset: Int) throws(PCIMMIOError) -> UInt32 {
        try check(width, at: offset)
        if reader == nil { reader = try OpenFile(path: configFile, writable: false, kind: .configFile) }
        do {
            return try reader!.readConfigValue(width, at: UInt64(offset))
        } catch {
            if case .shortTransfer = error, getuid() != 0 {
                throw .accessRefused(call: "pread", path: configFile, errno: EACCES,
                                     cause: "reading \(slot) config at 0x\(String(offset, radix: 16)): the kernel gives only the first 64 bytes of config space to non-root users; run as root")
            }
            throw error
        }
    }

    /// A refused write keeps its errno (a system failure, like a refused poke), with the remedy.
    func write(_ width: Width, at offset: Int, value: UInt32) throws(PCIMMIOError) {
        try check(width, at: offset)
        do {
            if writer == nil { writer = try OpenFile(path: configFile, writable: true, kind: .configFile) }
            try writer!.writeConfigValue(width, at: UInt64(offset), value: value)
        } catch {
            throw lockdownRefusal(error) ?? error
        }
    }

    /// Under kernel lockdown sysfs config writes are refused; VFIO's config region is the way.
    private func lockdownRefusal(_ error: PCIMMIOError) -> PCIMMIOError? {
        let call: String, path: String, code: Int32
        switch error {
        case let .system(failed, file, errno), let .accessRefused(failed, file, errno, _):
            (call, path, code) = (failed, file, errno)
        default:
            return nil
        }
        guard code == EPERM || code == EACCES, let lockdown = KernelLockdown.current(), lockdown.locksDown else { return nil }
        return .accessRefused(call: call, path: path, errno: code, cause:
            "the kernel is in lockdown (\(lockdown.rawValue)) mode, which refuses config writes through sysfs; "
            + (boundToVFIO ? "drop --via sysfs: the device is bound to vfio-pci, and pcimmio writes through VFIO"
                           : "bind the device to vfio-pci (pcimmio bind \(slot) vfio-pci) and pcimmio writes through VFIO"))
    }
}

extension OpenFile {
    /// One pread of exactly the width (8, 16 or 32 bits), little-endian as config space is.
    func readConfigValue(_ width: Width, at offset: UInt64) throws(PCIMMIOError) -> UInt32 {
        var value: UInt32 = 0
        try withUnsafeMutableBytes(of: &value) { (bytes) throws(PCIMMIOError) in
            try read(into: UnsafeMutableRawBufferPointer(rebasing: bytes[0..<width.bytes]), at: offset)
        }
        return UInt32(littleEndian: value)
    }

    /// One pwrite of exactly the width.
    func writeConfigValue(_ width: Width, at offset: UInt64, value: UInt32) throws(PCIMMIOError) {
        var little = value.littleEndian
        try withUnsafeBytes(of: &little) { (bytes) throws(PCIMMIOError) in
            try write(from: UnsafeRawBufferPointer(rebasing: bytes[0..<width.bytes]), at: offset)
        }
    }
}
