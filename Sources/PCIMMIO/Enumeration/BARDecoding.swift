/// A BAR from what libpci (or the sysfs `resource` file it reads) reports: the base with the
/// BAR's low flag bits, the size, and the kernel's resource flags. One place for both ways a
/// device is read (PCITree through libpci, SysfsDeviceReader straight from sysfs).
extension BAR {
    /// BAR `index`, or nil when it is unused (no base, size or flags). Without resource
    /// flags, the kind comes from the base's low bits.
    static func decoding(index: Int, base: UInt64, size: UInt64, resourceFlags: UInt64?, directory: String) -> BAR? {
        let ioFlags = resourceFlags ?? 0
        if base == 0 && size == 0 && ioFlags == 0 { return nil }
        let kind: BARKind
        let prefetchable: Bool
        if ioFlags & (ResourceFlags.io | ResourceFlags.memory) != 0 {
            kind = ioFlags & ResourceFlags.io != 0 ? .io : ioFlags & ResourceFlags.memory64 != 0 ? .mem64 : .mem32
            prefetchable = ioFlags & ResourceFlags.prefetch != 0
        } else {
            kind = base & BaseAddressBits.spaceIO != 0 ? .io : base & BaseAddressBits.memoryType64 != 0 ? .mem64 : .mem32
            prefetchable = kind != .io && base & BaseAddressBits.prefetchable != 0
        }
        let resource = directory + "/resource" + String(index)
        let address = base & (kind == .io ? BaseAddressBits.ioMask : BaseAddressBits.memoryMask)
        return BAR(
            index: index, kind: kind, prefetchable: prefetchable, address: address, size: size,
            resourceFile: fileExists(resource) ? resource : nil,
            writeCombiningFile: fileExists(resource + "_wc") ? resource + "_wc" : nil,
            assigned: address != 0 && ioFlags & ResourceFlags.unset == 0
        )
    }

    /// The expansion ROM (address without the enable bit) and its sysfs `rom` file; nil when
    /// the device has none.
    static func expansionROM(base: UInt64, size: UInt64, directory: String) -> BAR? {
        guard size > 0 else { return nil }
        let address = base & ~0x7ff
        let file = directory + "/rom"
        return BAR(index: BAR.romIndex, kind: .rom, prefetchable: false, address: address, size: size,
                   resourceFile: fileExists(file) ? file : nil, writeCombiningFile: nil, assigned: address != 0)
    }
}
