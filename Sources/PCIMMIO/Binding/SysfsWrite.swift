import Glibc

/// One write to a sysfs attribute the kernel acts on (`enable`, `driver_override`, a driver's
/// `unbind`, `drivers_probe`): open, the value in one write(2), close.
public struct SysfsWrite: Sendable, Equatable, CustomStringConvertible {
    public let path: String
    public let value: String

    /// `write '1' to …/enable`: what --dry-run prints and a failed write names.
    public var description: String { writeCall + " " + path }

    private var writeCall: String { "write '\(value == "\n" ? "\\n" : value)' to" }

    /// The step that failed and its errno; each caller makes it the error its command
    /// reports (DriverBinding: the call as is; DeviceEnable: with MappingDiagnosis' remedy).
    struct Failure: Error, Equatable {
        enum Step { case open, write }
        let step: Step
        /// As errors name it: `open for writing`, `write '1' to`.
        let call: String
        let errno: Int32
    }

    func perform() throws(Failure) {
        let descriptor = open(path, O_WRONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw Failure(step: .open, call: "open for writing", errno: errno) }
        defer { close(descriptor) }
        var value = value
        let written = value.withUTF8 { write(descriptor, $0.baseAddress, $0.count) }
        guard written >= 0 else { throw Failure(step: .write, call: writeCall, errno: errno) }
    }
}
