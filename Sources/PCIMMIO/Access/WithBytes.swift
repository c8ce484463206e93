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
