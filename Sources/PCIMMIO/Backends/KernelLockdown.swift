/// The kernel's lockdown mode (`/sys/kernel/security/lockdown`, e.g. `none [integrity]
/// confidentiality`). Secure Boot usually turns on `integrity`, which refuses sysfs resource
/// mappings, I/O-port access and /dev/mem, but not VFIO.
public enum KernelLockdown: String, Sendable {
    case none, integrity, confidentiality

    public static let file = "/sys/kernel/security/lockdown"

    /// The bracketed word; nil when the text has none.
    public init?(parsing text: String) {
        guard let open = text.firstIndex(of: "["), let close = text[open...].firstIndex(of: "]"),
              let mode = KernelLockdown(rawValue: String(text[text.index(after: open)..<close])) else { return nil }
        self = mode
    }

    /// This kernel's mode; nil when the file is missing (no lockdown LSM) or unreadable.
    public static func current() -> KernelLockdown? {
        guard let bytes = try? readWholeFile(file) else { return nil }
        return KernelLockdown(parsing: String(decoding: bytes, as: UTF8.self))
    }

    public var locksDown: Bool { self != .none }
}
