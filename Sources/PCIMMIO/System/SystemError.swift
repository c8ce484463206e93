import Glibc

/// strerror's text for an errno value.
func systemErrorText(_ code: Int32) -> String {
    String(cString: strerror(code))
}

extension PCIMMIOError {
    /// The errno of a failed system call (`.system`, what every wrapper in System/ throws),
    /// for a caller that words the error its own way; nil for any other error.
    var systemErrno: Int32? {
        guard case let .system(_, _, code) = self else { return nil }
        return code
    }
}
