import Glibc

/// Why the kernel refused to open or map a file that reaches a device, and what to do about
/// it: one line with the call, the path, the errno text, the cause and the remedy.
enum MappingDiagnosis {
    /// What the refused file is: the back-end that opens it says so.
    enum FileKind: Equatable {
        case resourceFile, configFile, devmem, vfio, other
    }

    /// The error for a failed `call` on `path`, diagnosed on this machine.
    static func error(call: String, path: String, kind: FileKind, errno code: Int32) -> PCIMMIOError {
        let cause = cause(call: call, kind: kind, errno: code,
                          lockdown: KernelLockdown.current(), root: geteuid() == 0)
        guard let cause else { return .system(call: call, path: path, errno: code) }
        return .accessRefused(call: call, path: path, errno: code, cause: cause)
    }

    /// The table: cause and remedy by file kind, errno, lockdown mode and privilege.
    static func cause(call: String, kind: FileKind, errno code: Int32, lockdown: KernelLockdown?, root: Bool) -> String? {
        switch (code, kind) {
        case (EPERM, .resourceFile) where lockdown?.locksDown == true,
             (EACCES, .resourceFile) where lockdown?.locksDown == true && root:
            return "the kernel is in lockdown (\(lockdown!.rawValue)) mode, usually because of Secure Boot, and refuses sysfs resource access; bind the device to vfio-pci (pcimmio bind DEVICE vfio-pci) and pcimmio uses VFIO"
        case (EPERM, .devmem) where lockdown?.locksDown == true,
             (EACCES, .devmem) where lockdown?.locksDown == true && root:
            return "the kernel is in lockdown (\(lockdown!.rawValue)) mode, usually because of Secure Boot, and closes /dev/mem; reach PCI devices through VFIO (pcimmio bind DEVICE vfio-pci)"
        case (EPERM, _) where !root, (EACCES, _) where !root:
            return "not permitted for this user: run as root" + (kind == .vfio ? ", or give your user the group's /dev/vfio file (chown, or a udev rule)" : "")
        case (EPERM, .devmem) where call == "mmap", (EINVAL, .devmem) where call == "mmap":
            return "the kernel's STRICT_DEVMEM lets /dev/mem map only ranges no driver has claimed (IO_STRICT_DEVMEM refuses claimed MMIO even with iomem=relaxed); unbind the driver, or boot with iomem=relaxed"
        case (EPERM, .devmem):
            return "/dev/mem refused: the kernel restricts it (STRICT_DEVMEM) or lockdown closed it"
        case (EACCES, _):
            return "no access to the file (its permissions, or a security module refused it)"
        case (EINVAL, .resourceFile) where call == "mmap":
            return "the kernel refused to map this BAR: the range is claimed exclusively by a driver, or it is not page-mappable; unbind the driver, or bind the device to vfio-pci"
        case (ENXIO, _) where call == "mmap", (EAGAIN, _) where call == "mmap":
            return "the range is already mapped with a different memory type (a driver or another process mapped it write-combining or cached); use the other file (--wc or not), or unbind the driver that mapped it"
        case (ENOENT, .devmem):
            return "this kernel has no /dev/mem (CONFIG_DEVMEM is off)"
        case (ENODEV, _) where call == "mmap":
            return "this file cannot be mapped (not a memory BAR?)"
        default:
            return nil
        }
    }

    /// A refused /dev/mem mapping of a range a driver claimed: say so.
    static func devmemRefused(_ error: PCIMMIOError, claimedBy driver: String?) -> PCIMMIOError {
        guard let driver, case let .accessRefused(call, path, code, cause) = error, code == EPERM || code == EINVAL else { return error }
        return .accessRefused(call: call, path: path, errno: code, cause: cause + " (this range is claimed by \(driver))")
    }
}
