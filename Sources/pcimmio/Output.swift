import Glibc
import PCIMMIO

/// Writes to stderr without buffering behind stdout.
func printError(_ message: String) {
    var line = "pcimmio: " + message + "\n"
    line.withUTF8 { _ = write(STDERR_FILENO, $0.baseAddress, $0.count) }
}

/// Prints libpci's warnings the way lspci does: on stderr, before the output.
func reportWarnings(of tree: PCITree) {
    for warning in tree.takeWarnings() { printError("warning: " + warning) }
}
