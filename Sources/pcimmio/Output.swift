import PCIMMIO

/// The command's results: stdout, buffered (flushed by each command when it is done). One
/// process, one thread: nothing else touches it.
nonisolated(unsafe) let standardOutput = OutputSink.standardOutput()

/// Writes to stderr without buffering behind stdout.
func printError(_ message: String) {
    writeToStandardError("pcimmio: " + message + "\n")
}

/// Prints libpci's warnings the way lspci does: on stderr, before the output.
func reportWarnings(of tree: PCITree) {
    for warning in tree.takeWarnings() { printError("warning: " + warning) }
}
