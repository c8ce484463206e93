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
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: width.bytes, alignment: 4)
        defer { buffer.deallocate() }
        try device.file.read(into: buffer, at: base + UInt64(offset))
        return UInt32(truncatingIfNeeded: registerValue(UnsafeRawBufferPointer(buffer), at: 0, width: width))
    }

    func write(_ width: Width, at offset: Int, value: UInt32) throws(PCIMMIOError) {
        try check(width, at: offset)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: width.bytes, alignment: 4)
        defer { buffer.deallocate() }
        for index in 0..<width.bytes { buffer[index] = UInt8(truncatingIfNeeded: value >> (8 * index)) }
        try device.file.write(from: UnsafeRawBufferPointer(buffer), at: base + UInt64(offset))
    }
}
