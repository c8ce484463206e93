/// MSI (capability 0x05): enabled, vectors asked for and granted, the message address.
public struct MSICapability: Equatable {
    public let enabled: Bool
    /// Multiple Message Capable: the vectors the function asks for (1-32).
    public let vectorsCapable: Int
    /// Multiple Message Enable: the vectors software granted.
    public let vectorsEnabled: Int
    public let is64Bit: Bool
    public let maskable: Bool
    public let address: UInt64
    public let data: UInt16

    public init(at offset: Int, in config: some ConfigRegisters) throws(PCIMMIOError) {
        let control = try config.word(at: offset + 2)
        enabled = bit(control, 0)
        vectorsCapable = 1 << Int(control >> 1 & 0x7)
        vectorsEnabled = 1 << Int(control >> 4 & 0x7)
        is64Bit = bit(control, 7)
        maskable = bit(control, 8)
        let low = UInt64(try config.dword(at: offset + 4))
        if is64Bit {
            address = UInt64(try config.dword(at: offset + 8)) << 32 | low
            data = try config.word(at: offset + 0xC)
        } else {
            address = low
            data = try config.word(at: offset + 8)
        }
    }

    func describe(into decoded: inout DecodedCapability) {
        decoded.summary = "\(flag("Enable", enabled)) Count=\(vectorsEnabled)/\(vectorsCapable) \(flag("Maskable", maskable)) \(flag("64bit", is64Bit))"
        decoded.lines = ["Address: \(hex(address, digits: is64Bit ? 16 : 8))  Data: \(hex(data, digits: 4))"]
        decoded.fields = [
            ("enabled", .bool(enabled)),
            ("vectorsEnabled", .number(UInt64(vectorsEnabled))),
            ("vectorsCapable", .number(UInt64(vectorsCapable))),
            ("maskable", .bool(maskable)),
            ("is64Bit", .bool(is64Bit)),
            ("address", .number(address)),
            ("data", .number(UInt64(data))),
        ]
    }
}

/// MSI-X (capability 0x11): enabled, the table size, and where the vector table and the
/// pending-bit array live (a BAR and an offset in it: the registers a driver maps).
public struct MSIXCapability: Equatable {
    public let enabled: Bool
    public let functionMask: Bool
    public let tableSize: Int
    public let tableBAR: Int
    public let tableOffset: UInt32
    public let pbaBAR: Int
    public let pbaOffset: UInt32

    public init(at offset: Int, in config: some ConfigRegisters) throws(PCIMMIOError) {
        let control = try config.word(at: offset + 2)
        enabled = bit(control, 15)
        functionMask = bit(control, 14)
        tableSize = Int(control & 0x7FF) + 1
        let table = try config.dword(at: offset + 4)
        let pba = try config.dword(at: offset + 8)
        tableBAR = Int(table & 0x7)
        tableOffset = table & ~0x7
        pbaBAR = Int(pba & 0x7)
        pbaOffset = pba & ~0x7
    }

    func describe(into decoded: inout DecodedCapability) {
        decoded.summary = "\(flag("Enable", enabled)) Count=\(tableSize) \(flag("Masked", functionMask))"
        decoded.lines = [
            "Vector table: BAR=\(tableBAR) offset=\(hex(tableOffset, digits: 8))",
            "PBA: BAR=\(pbaBAR) offset=\(hex(pbaOffset, digits: 8))",
        ]
        decoded.fields = [
            ("enabled", .bool(enabled)),
            ("functionMask", .bool(functionMask)),
            ("tableSize", .number(UInt64(tableSize))),
            ("tableBAR", .number(UInt64(tableBAR))),
            ("tableOffset", .number(UInt64(tableOffset))),
            ("pbaBAR", .number(UInt64(pbaBAR))),
            ("pbaOffset", .number(UInt64(pbaOffset))),
        ]
    }
}
