/// `(register & mask) == value`, polled until it holds or the timeout passes.
public struct WaitCondition: Sendable, Equatable {
    public let width: Width
    public let mask: UInt64
    public let value: UInt64

    /// What a timeout says was waited for, given the last value (nil: the mask and value).
    private let described: (@Sendable (UInt64) -> String)?

    public static func == (a: WaitCondition, b: WaitCondition) -> Bool {
        a.width == b.width && a.mask == b.mask && a.value == b.value
    }

    public init(width: Width, mask: UInt64, value: UInt64, described: (@Sendable (UInt64) -> String)? = nil) throws(PCIMMIOError) {
        self.described = described
        guard mask & ~width.mask == 0 else { throw .maskTooWide(mask: mask, width: width) }
        guard value & ~width.mask == 0 else { throw .valueTooWide(value: value, width: width) }
        guard value & ~mask == 0 else {
            throw .usage("--value \(formatRegister(value, width: width)) has bits outside --mask \(formatRegister(mask, width: width)): the condition could never hold")
        }
        self.width = width
        self.mask = mask
        self.value = value
    }

    public func holds(for register: UInt64) -> Bool { register & mask == value }

    /// Reads the register every `interval` until the condition holds; returns the final value.
    /// The last read happens at or after the deadline, so a condition that becomes true just
    /// before the timeout is still seen.
    public func wait(on window: RegisterWindow, at offset: UInt64, location: AccessLocation,
                     timeout: UInt64, interval: UInt64) throws(PCIMMIOError) -> UInt64 {
        let (deadline, overflow) = MonotonicClock.now().addingReportingOverflow(timeout)
        let end = overflow ? UInt64.max : deadline
        while true {
            let register = try window.read(width, at: offset)
            if holds(for: register) { return register }
            let now = MonotonicClock.now()
            if now >= end {
                throw location.timeout(offset: offset,
                               condition: described?(register) ?? "(value & \(formatRegister(mask, width: width))) == \(formatRegister(value, width: width))",
                               last: formatRegister(register, width: width), after: formatDuration(timeout))
            }
            MonotonicClock.sleep(nanoseconds: min(interval, end - now))
        }
    }
}
