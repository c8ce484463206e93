/// Where the library reports what is worth saying but does not stop a command (a driver owns
/// the device, memory decoding is off, a read of all ones), as libpci reports through the
/// `a->warning` callback its tool installs. The tool decides how they look; tests collect them.
public final class Diagnostics {
    public enum Kind: String, Sendable { case warning, note }

    private let report: (Kind, String) -> Void

    public init(_ report: @escaping (Kind, String) -> Void) { self.report = report }

    /// `pcimmio: warning: …` and `pcimmio: note: …` lines on stderr, unbuffered, so they come
    /// before anything the command prints after them.
    public static func standardError() -> Diagnostics {
        Diagnostics { kind, message in
            writeToStandardError("pcimmio: " + kind.rawValue + ": " + message + "\n")
        }
    }

    func warning(_ message: String) { report(.warning, message) }
    func note(_ message: String) { report(.note, message) }
}
