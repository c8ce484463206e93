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
        members = ((try? listDirectory(devices)) ?? []).sorted().map { slot in
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

    public var deviceFile: String { MachineDeviceFiles.vfioDirectory + "/" + number }
}
