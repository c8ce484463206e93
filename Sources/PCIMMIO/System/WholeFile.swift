import Glibc

/// A whole file's bytes (scripts, maps); `-` is standard input.
///
/// A regular file is read straight into an array of its size (from fstat): a 20 MB map is
/// read once, not copied through a growing array. Whatever the size does not tell (standard
/// input, /proc files, a file still growing) is read on in chunks.
///
/// At most `limit` bytes (default `mostBytesRead`): a longer file, or a stream that goes on
/// (`/dev/zero`, a pipe that never ends), is refused once the limit is passed, never read
/// until memory runs out (issue 22 group F).
public func readWholeFile(_ path: String, limit: Int = mostBytesRead) throws(PCIMMIOError) -> [UInt8] {
    let file = path == "-" ? FileDescriptor.standardInput(named: path) : try FileDescriptor.open(path, O_RDONLY)
    defer { if path != "-" { file.close() } }
    let tooLong = PCIMMIOError.usage("\(path == "-" ? "standard input" : path) holds more than \(limit) bytes, the most pcimmio reads here")
    let expected = (try? file.status()).map { $0.st_mode & S_IFMT == S_IFREG ? Int($0.st_size) : 0 } ?? 0
    guard expected <= limit else { throw tooLong }
    // One byte more than expected, so that reaching the end needs no second array.
    var failure: PCIMMIOError?
    var ended = false
    var bytes = [UInt8](unsafeUninitializedCapacity: min(max(expected + 1, 1 << 16), limit + 1)) { buffer, count in
        while count < buffer.count {
            let got: Int
            do throws(PCIMMIOError) {
                got = try file.read(into: UnsafeMutableRawBufferPointer(start: buffer.baseAddress! + count, count: buffer.count - count))
            } catch {
                failure = error
                return
            }
            if got == 0 { ended = true; return }
            count += got
        }
    }
    var chunk = [UInt8](repeating: 0, count: ended || failure != nil ? 0 : 1 << 16)
    while !ended, failure == nil {
        do throws(PCIMMIOError) {
            let got = try file.read(into: &chunk)
            if got == 0 { ended = true } else { bytes.append(contentsOf: chunk[0..<got]) }
            if bytes.count > limit { failure = tooLong }
        } catch {
            failure = error
        }
    }
    if let failure { throw failure }
    guard bytes.count <= limit else { throw tooLong }
    return bytes
}

/// The most bytes a script, map or snapshot file (or standard input) may hold: 256 MiB.
public let mostBytesRead = 256 << 20
