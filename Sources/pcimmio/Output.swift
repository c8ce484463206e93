import Glibc
import PCIMMIO

/// The command's results: stdout, buffered (flushed by each command when it is done). One
/// process, one thread: nothing else touches it.
nonisolated(unsafe) let standardOutput = OutputSink.standardOutput()

/// Writes to stderr without buffering behind stdout.
func printError(_ message: String) {
    var line = "pcimmio: " + message + "\n"
    line.withUTF8 { _ = write(STDERR_FILENO, $0.baseAddress, $0.count) }
}

/// Prints libpci's warnings the way lspci does: on stderr, before the output.
func reportWarnings(of tree: PCITree) {
    for warning in tree.takeWarnings() { printError("warning: " + warning) }
}
