import Glibc

/// The target of a symbolic link, or nil. Unlike the other wrappers here it does not throw:
/// every caller asks whether there is a link (a driver bound, an IOMMU group, a descriptor
/// on that file) and takes a failure for no, and a peek of a device without a driver would
/// otherwise pay for a thrown error and errno's first look-up at every start.
func readLink(_ path: String) -> String? {
    var buffer = [CChar](repeating: 0, count: 4096)
    let length = readlink(path, &buffer, buffer.count - 1)
    guard length > 0 else { return nil }
    return String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
