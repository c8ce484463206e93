/// Text on stderr in one write(2), unbuffered, so that it comes before anything printed after
/// it. A failure is ignored: there is nowhere left to report it.
public func writeToStandardError(_ text: String) {
    _ = try? FileDescriptor.standardError.write(text)
}
