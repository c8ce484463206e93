import Glibc

/// A device's IOMMU group as sysfs shows it, and what the kernel needs of it before VFIO hands
/// the device out: every device in the group bound to vfio-pci (or pci-stub, or unbound, or a
/// bridge on pcieport). Reads only sysfs, so fake trees exercise it.
public struct VFIOGroup: Sendable, Equatable {
    public struct Member: Sendable, Equatable {
        public let slot: String
        public let driver: String?
    }

    public let number: String
    public let members: [Member]

    /// Drivers that leave a group usable by VFIO.
    public static let harmlessDrivers: Set<String> = ["vfio-pci", "pci-stub", "pcieport"]

    /// The group of the device at `directory` (`<sysfs>/devices/<slot>`), from its
    /// `iommu_group` link; nil when there is none (no IOMMU).
    public init?(deviceDirectory directory: String) {
        guard let target = readLink(directory + "/iommu_group") else { return nil }
        number = String(target.split(separator: "/").last ?? "")
        let devices = directory + "/iommu_group/devices"
        members = listDirectory(devices).sorted().map { slot in
            Member(slot: slot, driver: readLink(devices + "/" + slot + "/driver").map { String($0.split(separator: "/").last ?? "") })
        }
    }

    public init(number: String, members: [Member]) {
        self.number = number
        self.members = members
    }

    /// Members other than `slot` bound to a host driver: binding `slot` to vfio-pci leaves the
    /// group unusable until they are unbound.
    public func blockers(besides slot: String) -> [Member] {
        members.filter { $0.slot != slot && $0.driver.map { !Self.harmlessDrivers.contains($0) } ?? false }
    }

    public var memberList: String {
        members.map { "\($0.slot) (\($0.driver ?? "no driver"))" }.joined(separator: ", ")
    }

    public var deviceFile: String { "/dev/vfio/" + number }
}

/// Processes holding `file` open, as `pid (command)`, from /proc/*/fd.
func processesHolding(_ file: String) -> [String] {
    var holders: [String] = []
    for pid in listDirectory("/proc") where pid.allSatisfy(\.isNumber) && Int32(pid) != getpid() {
        let descriptors = "/proc/" + pid + "/fd"
        guard listDirectory(descriptors).contains(where: { readLink(descriptors + "/" + $0) == file }) else { continue }
        let command = (try? readWholeFile("/proc/" + pid + "/comm")).flatMap { String(decoding: $0, as: UTF8.self).split(separator: "\n").first }
        holders.append(pid + (command.map { " (" + $0 + ")" } ?? ""))
    }
    return holders
}

/// The target of a symbolic link, or nil.
func readLink(_ path: String) -> String? {
    var buffer = [CChar](repeating: 0, count: 4096)
    let length = readlink(path, &buffer, buffer.count - 1)
    guard length > 0 else { return nil }
    return String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// Entry names of a directory (without . and ..); empty when it cannot be read.
func listDirectory(_ path: String) -> [String] {
    guard let directory = opendir(path) else { return [] }
    defer { closedir(directory) }
    var names: [String] = []
    while let entry = readdir(directory) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        if name != "." && name != ".." { names.append(name) }
    }
    return names
}
