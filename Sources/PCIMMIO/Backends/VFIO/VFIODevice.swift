import CVFIO
import Glibc

/// One PCI function opened through VFIO's container/group interface: the container
/// (/dev/vfio/vfio) with a type-1 IOMMU, the device's group (/dev/vfio/N), and the device
/// file whose regions are its BARs. Every step that can fail says which and what to do.
/// The descriptors stay open while the object lives (windows keep it alive).
final class VFIODevice {
    let slot: String
    let group: VFIOGroup
    let file: OpenFile
    private let container: OpenFile
    private let groupFile: OpenFile
    private var regions: [UInt32: VFIORegionInfo] = [:]

    /// /dev/vfio/vfio, or its stand-in's (MachineDeviceFiles).
    static var containerFile: String { MachineDeviceFiles.vfioDirectory + "/vfio" }

    init(slot: String, directory: String) throws(PCIMMIOError) {
        self.slot = slot
        guard let group = VFIOGroup(deviceDirectory: directory) else {
            throw .vfioUnavailable(slot: slot, reason: "it has no IOMMU group (\(directory)/iommu_group is missing): the kernel runs without an IOMMU; boot with intel_iommu=on (Intel) or amd_iommu=on (AMD), with VT-d/AMD-Vi enabled in the firmware")
        }
        self.group = group
        container = try Self.open(Self.containerFile, slot: slot, missing: "the vfio modules are not loaded (\(Self.containerFile) is missing): modprobe vfio-pci")
        guard pcimmio_vfio_get_api_version(container.descriptor) == pcimmio_vfio_api_version else {
            throw .vfioUnavailable(slot: slot, reason: "\(Self.containerFile) speaks an unknown VFIO API version")
        }
        let type: UInt
        if pcimmio_vfio_check_extension(container.descriptor, UInt(pcimmio_vfio_type1v2_iommu)) > 0 {
            type = UInt(pcimmio_vfio_type1v2_iommu)
        } else if pcimmio_vfio_check_extension(container.descriptor, UInt(pcimmio_vfio_type1_iommu)) > 0 {
            type = UInt(pcimmio_vfio_type1_iommu)
        } else {
            throw .vfioUnavailable(slot: slot, reason: "no type-1 IOMMU back-end: modprobe vfio_iommu_type1")
        }
        groupFile = try Self.open(group.deviceFile, slot: slot, missing: "\(group.deviceFile) is missing: is \(slot) bound to vfio-pci? (pcimmio bind \(slot) vfio-pci)", busy: group)
        var status = vfio_group_status(argsz: UInt32(MemoryLayout<vfio_group_status>.size), flags: 0)
        guard pcimmio_vfio_group_get_status(groupFile.descriptor, &status) == 0 else {
            throw .system(call: "VFIO_GROUP_GET_STATUS", path: group.deviceFile, errno: errno)
        }
        guard status.flags & UInt32(pcimmio_vfio_group_viable) != 0 else {
            let blockers = group.blockers(besides: "")
            throw .vfioUnavailable(slot: slot, reason: "IOMMU group \(group.number) is not viable: every device in it must be bound to vfio-pci or unbound"
                                   + (blockers.isEmpty ? "" : "; bound to host drivers: " + blockers.map { "\($0.slot) (\($0.driver!))" }.joined(separator: ", "))
                                   + " (group: \(group.memberList))")
        }
        var containerDescriptor = container.descriptor
        guard pcimmio_vfio_group_set_container(groupFile.descriptor, &containerDescriptor) == 0 else {
            throw .system(call: "VFIO_GROUP_SET_CONTAINER", path: group.deviceFile, errno: errno)
        }
        guard pcimmio_vfio_set_iommu(container.descriptor, type) == 0 else {
            throw .system(call: "VFIO_SET_IOMMU", path: Self.containerFile, errno: errno)
        }
        let device = pcimmio_vfio_group_get_device_fd(groupFile.descriptor, slot)
        guard device >= 0 else {
            let code = errno
            if code == EBUSY { throw .vfioUnavailable(slot: slot, reason: "the device is already open through VFIO" + Self.holders(group)) }
            throw .system(call: "VFIO_GROUP_GET_DEVICE_FD \(slot)", path: group.deviceFile, errno: code)
        }
        file = OpenFile(adopting: device, path: group.deviceFile + " (device " + slot + ")")
    }

    /// Region `index` (0-5 the BARs), asked once.
    func region(_ index: UInt32) throws(PCIMMIOError) -> VFIORegionInfo {
        if let known = regions[index] { return known }
        var bytes = [UInt8](repeating: 0, count: VFIORegionInfo.fixedSize)
        try query(index, into: &bytes)
        // With capabilities the kernel says how much room they need in argsz.
        let needed = Int(UInt32(littleEndianBytes: bytes, at: 0))
        if needed > bytes.count {
            bytes = [UInt8](repeating: 0, count: needed)
            try query(index, into: &bytes)
        }
        let info = try VFIORegionInfo(parsing: bytes)
        regions[index] = info
        return info
    }

    private func query(_ index: UInt32, into bytes: inout [UInt8]) throws(PCIMMIOError) {
        let size = UInt32(bytes.count)
        let result = bytes.withUnsafeMutableBytes { raw -> Int32 in
            raw.storeBytes(of: size.littleEndian, toByteOffset: 0, as: UInt32.self)
            raw.storeBytes(of: index.littleEndian, toByteOffset: 8, as: UInt32.self)
            return pcimmio_vfio_device_get_region_info(file.descriptor, raw.baseAddress!.assumingMemoryBound(to: vfio_region_info.self))
        }
        guard result == 0 else { throw .system(call: "VFIO_DEVICE_GET_REGION_INFO \(index)", path: file.path, errno: errno) }
    }

    private static func open(_ path: String, slot: String, missing: String, busy group: VFIOGroup? = nil) throws(PCIMMIOError) -> OpenFile {
        do {
            return try OpenFile(path: path, writable: true, kind: .vfio)
        } catch {
            guard case let .system(_, _, code) = error else { throw error }
            if code == ENOENT || code == ENODEV { throw .vfioUnavailable(slot: slot, reason: missing) }
            if code == EBUSY, let group {
                throw .vfioUnavailable(slot: slot, reason: "IOMMU group \(group.number) is busy: another process holds \(path) (a VM or a DPDK application?)" + holders(group))
            }
            throw error
        }
    }

    private static func holders(_ group: VFIOGroup) -> String {
        let holders = processesHolding(group.deviceFile)
        return holders.isEmpty ? "" : "; held by " + holders.joined(separator: ", ")
    }
}
