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
        // FileDescriptor's calls throw only .system, which keeps the errno.
        let file: FileDescriptor
        // O_TRUNC as a shell's `echo >` does: sysfs ignores it, and a fake tree's file then holds
        // just the value, as the attribute would read.
        do { file = try .open(path, O_WRONLY | O_TRUNC) } catch { throw Failure(step: .open, call: "open for writing", errno: error.systemErrno ?? 0) }
        defer { file.close() }
        do { try file.write(value) } catch { throw Failure(step: .write, call: writeCall, errno: error.systemErrno ?? 0) }
    }
}
