/// Config space through VFIO's config region: pread/pwrite of exactly the width at the
/// region's offset. vfio-pci virtualises parts of it (and revokes BAR mappings when memory
/// decoding is turned off), as it does for a virtual machine.
final class VFIOConfigSpace: ConfigSpace {
    var slot: String { device.slot }
    let size: Int
    var via: AccessVia { .vfio }
    private let device: VFIODevice
    private let base: UInt64

    init(device: VFIODevice) throws(PCIMMIOError) {
        self.device = device
        let info = try device.region(UInt32(VFIORegionInfo.configRegion))
        size = info.size >= 4096 ? 4096 : 256
        base = info.offset
    }

    func read(_ width: Width, at offset: Int) throws(PCIMMIOError) -> UInt32 {
        try check(width, at: offset)
        return try device.file.readConfigValue(width, at: base + UInt64(offset))
    }

    func write(_ width: Width, at offset: Int, value: UInt32) throws(PCIMMIOError) {
        try check(width, at: offset)
        try device.file.writeConfigValue(width, at: base + UInt64(offset), value: value)
    }
}
