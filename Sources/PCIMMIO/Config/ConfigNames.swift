/// The header register names setpci accepts (`setpci --dumpregs`), with their offset and
/// width. Its capability names are in KnownCapability.
enum ConfigNames {
    /// Header registers, each with the header types that have it (0 a function, 1 a PCI
    /// bridge, 2 CardBus), which setpci checks too.
    static let registers: [(name: String, offset: Int, width: Width, headerTypes: Set<Int>)] = [
        ("VENDOR_ID", 0x00, .w16, [0, 1, 2]),
        ("DEVICE_ID", 0x02, .w16, [0, 1, 2]),
        ("COMMAND", 0x04, .w16, [0, 1, 2]),
        ("STATUS", 0x06, .w16, [0, 1, 2]),
        ("REVISION", 0x08, .w8, [0, 1, 2]),
        ("CLASS_PROG", 0x09, .w8, [0, 1, 2]),
        ("CLASS_DEVICE", 0x0a, .w16, [0, 1, 2]),
        ("CACHE_LINE_SIZE", 0x0c, .w8, [0, 1, 2]),
        ("LATENCY_TIMER", 0x0d, .w8, [0, 1, 2]),
        ("HEADER_TYPE", 0x0e, .w8, [0, 1, 2]),
        ("BIST", 0x0f, .w8, [0, 1, 2]),
        ("BASE_ADDRESS_0", 0x10, .w32, [0, 1]),
        ("BASE_ADDRESS_1", 0x14, .w32, [0, 1]),
        ("BASE_ADDRESS_2", 0x18, .w32, [0]),
        ("BASE_ADDRESS_3", 0x1c, .w32, [0]),
        ("BASE_ADDRESS_4", 0x20, .w32, [0]),
        ("BASE_ADDRESS_5", 0x24, .w32, [0]),
        ("CARDBUS_CIS", 0x28, .w32, [0]),
        ("SUBSYSTEM_VENDOR_ID", 0x2c, .w16, [0]),
        ("SUBSYSTEM_ID", 0x2e, .w16, [0]),
        ("ROM_ADDRESS", 0x30, .w32, [0]),
        ("CAPABILITIES", 0x34, .w8, [0, 1]),
        ("INTERRUPT_LINE", 0x3c, .w8, [0, 1, 2]),
        ("INTERRUPT_PIN", 0x3d, .w8, [0, 1, 2]),
        ("MIN_GNT", 0x3e, .w8, [0]),
        ("MAX_LAT", 0x3f, .w8, [0]),
        ("PRIMARY_BUS", 0x18, .w8, [1]),
        ("SECONDARY_BUS", 0x19, .w8, [1]),
        ("SUBORDINATE_BUS", 0x1a, .w8, [1]),
        ("SEC_LATENCY_TIMER", 0x1b, .w8, [1]),
        ("IO_BASE", 0x1c, .w8, [1]),
        ("IO_LIMIT", 0x1d, .w8, [1]),
        ("SEC_STATUS", 0x1e, .w16, [1]),
        ("MEMORY_BASE", 0x20, .w16, [1]),
        ("MEMORY_LIMIT", 0x22, .w16, [1]),
        ("PREF_MEMORY_BASE", 0x24, .w16, [1]),
        ("PREF_MEMORY_LIMIT", 0x26, .w16, [1]),
        ("PREF_BASE_UPPER32", 0x28, .w32, [1]),
        ("PREF_LIMIT_UPPER32", 0x2c, .w32, [1]),
        ("IO_BASE_UPPER16", 0x30, .w16, [1]),
        ("IO_LIMIT_UPPER16", 0x32, .w16, [1]),
        ("BRIDGE_ROM_ADDRESS", 0x38, .w32, [1]),
        ("BRIDGE_CONTROL", 0x3e, .w16, [1]),
        ("CB_CARDBUS_BASE", 0x10, .w32, [2]),
        ("CB_CAPABILITIES", 0x14, .w16, [2]),
        ("CB_SEC_STATUS", 0x16, .w16, [2]),
        ("CB_BUS_NUMBER", 0x18, .w8, [2]),
        ("CB_CARDBUS_NUMBER", 0x19, .w8, [2]),
        ("CB_SUBORDINATE_BUS", 0x1a, .w8, [2]),
        ("CB_CARDBUS_LATENCY", 0x1b, .w8, [2]),
        ("CB_MEMORY_BASE_0", 0x1c, .w32, [2]),
        ("CB_MEMORY_LIMIT_0", 0x20, .w32, [2]),
        ("CB_MEMORY_BASE_1", 0x24, .w32, [2]),
        ("CB_MEMORY_LIMIT_1", 0x28, .w32, [2]),
        ("CB_IO_BASE_0", 0x2c, .w16, [2]),
        ("CB_IO_BASE_0_HI", 0x2e, .w16, [2]),
        ("CB_IO_LIMIT_0", 0x30, .w16, [2]),
        ("CB_IO_LIMIT_0_HI", 0x32, .w16, [2]),
        ("CB_IO_BASE_1", 0x34, .w16, [2]),
        ("CB_IO_BASE_1_HI", 0x36, .w16, [2]),
        ("CB_IO_LIMIT_1", 0x38, .w16, [2]),
        ("CB_IO_LIMIT_1_HI", 0x3a, .w16, [2]),
        ("CB_SUBSYSTEM_VENDOR_ID", 0x40, .w16, [2]),
        ("CB_SUBSYSTEM_ID", 0x42, .w16, [2]),
        ("CB_LEGACY_MODE_BASE", 0x44, .w32, [2]),
    ]

    static func register(_ name: String) -> (name: String, offset: Int, width: Width, headerTypes: Set<Int>)? {
        registers.first { $0.name.caseInsensitiveEquals(name) }
    }
}

extension String {
    func caseInsensitiveEquals(_ other: String) -> Bool { lowercased() == other.lowercased() }
}
