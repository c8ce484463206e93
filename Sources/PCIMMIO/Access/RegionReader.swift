/// Reads a large region through a window in chunks, handing each chunk's bytes on as soon as
/// they are read, so a dump of gigabytes needs only one chunk of memory.
public struct RegionReader {
    public static let chunkSize = 1 << 16

    public let window: RegisterWindow
    public let width: Width
    public let region: Range<UInt64>
    /// Sees the first chunk once it is read (the all-ones note: no read of its own).
    let firstChunk: ((UnsafeRawBufferPointer) -> Void)?
    /// Told the bytes read so far after each chunk (the progress line).
    let progress: ((UInt64) -> Void)?

    public init(window: RegisterWindow, width: Width, region: Range<UInt64>,
                firstChunk: ((UnsafeRawBufferPointer) -> Void)? = nil, progress: ((UInt64) -> Void)? = nil) {
        self.window = window
        self.width = width
        self.region = region
        self.firstChunk = firstChunk
        self.progress = progress
    }

    /// Calls `body(bytes, offset)` for consecutive chunks covering the region.
    public func forEachChunk(_ body: (UnsafeRawBufferPointer, UInt64) throws(PCIMMIOError) -> Void) throws(PCIMMIOError) {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.chunkSize, alignment: 16)
        defer { buffer.deallocate() }
        var offset = region.lowerBound
        while offset < region.upperBound {
            let count = Int(min(UInt64(Self.chunkSize), region.upperBound - offset))
            let chunk = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<count])
            try window.read(width, at: offset, into: chunk)
            if offset == region.lowerBound { firstChunk?(UnsafeRawBufferPointer(chunk)) }
            try body(UnsafeRawBufferPointer(chunk), offset)
            offset += UInt64(count)
            progress?(offset - region.lowerBound)
        }
    }
}
