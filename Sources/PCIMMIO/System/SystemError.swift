import Glibc

/// strerror's text for an errno value.
func systemErrorText(_ code: Int32) -> String {
    String(cString: strerror(code))
}

/// The text of a NUL-terminated C buffer.
func cString(_ buffer: [CChar]) -> String {
    buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
}

/// `array.withUnsafeBytes` for a body with typed throws (the standard library's version
/// rethrows untyped errors).
func withBytes<R>(of array: [UInt8], _ body: (UnsafeRawBufferPointer) throws(PCIMMIOError) -> R) throws(PCIMMIOError) -> R {
    var failure: PCIMMIOError?
    let result: R? = array.withUnsafeBytes { raw in
        do throws(PCIMMIOError) { return try body(raw) } catch {
            failure = error
            return nil
        }
    }
    if let failure { throw failure }
    return result!
}

extension PCIMMIOError {
    /// The errno of a failed system call (`.system`, what every wrapper in System/ throws),
    /// for a caller that words the error its own way; nil for any other error.
    var systemErrno: Int32? {
        guard case let .system(_, _, code) = self else { return nil }
        return code
    }
}
