import Glibc

/// strerror's text for an errno value.
func systemErrorText(_ code: Int32) -> String {
    String(cString: strerror(code))
}

/// The text of a NUL-terminated C buffer.
func cString(_ buffer: [CChar]) -> String {
    buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
}
