/// What a peek read: the registers' values as the user sees them (in each register's byte
/// order) with, when decoding, each one's map definition. The library returns it; the tool
/// (or a script) formats it (ReadoutFormat).
public struct RegisterReadout {
    public struct Register {
        public let offset: UInt64
        public let value: UInt64
        /// The map's definition, when the value is to be decoded with it.
        public let definition: RegisterDefinition?
        /// `peek REGISTER.FIELD`: the field shown, from the register's value.
        public var field: RegisterField? = nil
    }

    public let location: AccessLocation
    public let via: AccessVia
    public let width: Width
    /// The device's state when something is wrong with it (HealthMonitor), else nil.
    public let health: String?
    public let registers: [Register]
}

/// One register of a decoded dump (`dump --decode`): read, or skipped because reading it has
/// side effects (rc) or cannot be done (wo).
public enum DecodedRead {
    case read(RegisterDefinition, value: UInt64)
    case skipped(RegisterDefinition)
}

/// One line of a watch: the first sample of a register, or a change since the last sample.
public struct WatchEvent {
    /// Nanoseconds since the watch started.
    public let elapsed: UInt64
    public let offset: UInt64
    public let name: String?
    /// nil in the first sample.
    public let old: UInt64?
    public let new: UInt64
    public let width: Width
}
