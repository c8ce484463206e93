/// Finds a capability's offset by walking its chain in config space, read by read: standard
/// capabilities from the pointer at 0x34 (0x14 for CardBus) when STATUS says there is a list,
/// extended ones from 0x100. A chain that loops or points into the header ends the walk.
/// Used for `CAP_xxx` operands through either config-space path (libpci's pci_find_cap cannot
/// read through VFIO).
enum CapabilityLocator {
    static func offset(of id: Int, extended: Bool, instance: Int, in space: ConfigSpace) throws(PCIMMIOError) -> Int? {
        var found = 0
        for (offset, candidate) in try chain(extended: extended, in: space) where candidate == id {
            if found == instance { return offset }
            found += 1
        }
        return nil
    }

    /// (offset, id) of each capability in chain order.
    static func chain(extended: Bool, in space: ConfigSpace) throws(PCIMMIOError) -> [(Int, Int)] {
        var result: [(Int, Int)] = []
        var seen: Set<Int> = []
        if extended {
            guard space.size > 0x100 else { return [] }
            var offset = 0x100
            while offset >= 0x100, offset + 4 <= space.size, seen.insert(offset).inserted {
                let header = try space.read(.w32, at: offset)
                if header == 0 || header == 0xffff_ffff { break }
                result.append((offset, Int(header & 0xffff)))
                offset = Int(header >> 20) & 0xffc
            }
            return result
        }
        guard try space.read(.w16, at: 0x06) & 0x10 != 0 else { return [] }
        let headerType = try space.read(.w8, at: 0x0e) & 0x7f
        var offset = Int(try space.read(.w8, at: headerType == 2 ? 0x14 : 0x34)) & 0xfc
        while offset >= 0x40, offset + 2 <= min(space.size, 0x100), seen.insert(offset).inserted {
            let header = try space.read(.w16, at: offset)
            result.append((offset, Int(header & 0xff)))
            offset = Int(header >> 8) & 0xfc
        }
        return result
    }
}
