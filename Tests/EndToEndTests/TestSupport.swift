// Helpers for the end-to-end tests: run the built pcimmio binary and the independent
// oracles (lspci, memtool, the bytes of the fake tree's files), build fake sysfs trees.
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A failure that explains itself; thrown from a @Test it fails that test.
struct E2EFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

// MARK: - Locations

enum E2E {
    /// The package root: this file is <root>/Tests/EndToEndTests/TestSupport.swift.
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let fixtureNames = ["basic", "bridge", "multifunction", "domain", "large-bar", "edge"]

    /// `$PCIMMIO_BIN`, else `<package root>/.build/debug/pcimmio`. Missing: the test fails.
    static func binary() throws -> String {
        let fromEnv = ProcessInfo.processInfo.environment["PCIMMIO_BIN"].flatMap { $0.isEmpty ? nil : $0 }
        let path = fromEnv ?? packageRoot.appendingPathComponent(".build/debug/pcimmio").path
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw E2EFailure("""
                pcimmio binary not found or not executable at \(path) \
                (\(fromEnv == nil ? "default location" : "from PCIMMIO_BIN")): \
                build it first (swift build) or set PCIMMIO_BIN to the built binary
                """)
        }
        return path
    }

    /// A system tool the tests use as an oracle (lspci, memtool, python3, ...).
    static func tool(_ name: String) throws -> String {
        let pathDirs = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        for dir in pathDirs + ["/usr/bin", "/usr/sbin", "/bin", "/sbin", "/usr/local/bin"] {
            let candidate = (dir as NSString).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw E2EFailure("required tool '\(name)' is not installed (needed as a test oracle)")
    }
}

// MARK: - Running processes

struct ProcessResult: CustomStringConvertible {
    let command: [String]
    let status: Int32
    let exitedNormally: Bool
    let stdout: Data
    let stderr: Data

    var out: String { String(decoding: stdout, as: UTF8.self) }
    var err: String { String(decoding: stderr, as: UTF8.self) }
    /// Non-empty stdout lines.
    var outLines: [String] { out.split(separator: "\n", omittingEmptySubsequences: true).map(String.init) }
    /// stderr split into lines (a final newline does not make an extra line).
    var errLines: [String] {
        var text = err
        if text.hasSuffix("\n") { text.removeLast() }
        return text.isEmpty ? [] : text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }
    var description: String {
        "`\(command.joined(separator: " "))` -> status \(status)\(exitedNormally ? "" : " (signal)")\n"
            + "stdout: \(out.prefix(2000))\nstderr: \(err.prefix(2000))"
    }
}

/// Runs a program to completion; stdout and stderr go to temp files (no pipe deadlocks).
func runProcess(_ executable: String, _ arguments: [String],
                environment: [String: String]? = nil) throws -> ProcessResult {
    let scratch = try makeTempDir("proc")
    defer { try? FileManager.default.removeItem(at: scratch) }
    let outURL = scratch.appendingPathComponent("stdout")
    let errURL = scratch.appendingPathComponent("stderr")
    guard FileManager.default.createFile(atPath: outURL.path, contents: nil),
          FileManager.default.createFile(atPath: errURL.path, contents: nil) else {
        throw E2EFailure("cannot create output files in \(scratch.path)")
    }
    let outHandle = try FileHandle(forWritingTo: outURL)
    let errHandle = try FileHandle(forWritingTo: errURL)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.standardOutput = outHandle
    process.standardError = errHandle
    process.standardInput = FileHandle.nullDevice
    if let environment { process.environment = environment }
    try process.run()
    process.waitUntilExit()
    try outHandle.close()
    try errHandle.close()
    return ProcessResult(command: [executable] + arguments,
                         status: process.terminationStatus,
                         exitedNormally: process.terminationReason == .exit,
                         stdout: try Data(contentsOf: outURL),
                         stderr: try Data(contentsOf: errURL))
}

/// The environment pcimmio runs with: inherited, minus PCIMMIO_SYSFS (tests pass --sysfs).
func pcimmioEnvironment(extra: [String: String] = [:]) -> [String: String] {
    var env = ProcessInfo.processInfo.environment
    env.removeValue(forKey: "PCIMMIO_SYSFS")
    env.merge(extra) { _, new in new }
    return env
}

/// `pcimmio --sysfs TREE ARGS...` (no --sysfs when `sysfs` is nil).
@discardableResult
func pcimmio(_ arguments: [String], sysfs: URL?, environment: [String: String]? = nil) throws -> ProcessResult {
    let args = (sysfs.map { ["--sysfs", $0.path] } ?? []) + arguments
    return try runProcess(try E2E.binary(), args, environment: environment ?? pcimmioEnvironment())
}

/// Runs pcimmio and requires success (exit 0, nothing on stderr).
@discardableResult
func pcimmioOK(_ arguments: [String], sysfs: URL?, sourceLocation: SourceLocation = #_sourceLocation) throws -> ProcessResult {
    let result = try pcimmio(arguments, sysfs: sysfs)
    guard result.status == 0, result.exitedNormally else {
        throw E2EFailure("expected success: \(result)")
    }
    #expect(result.err.isEmpty, "unexpected stderr: \(result)", sourceLocation: sourceLocation)
    return result
}

// MARK: - Temp dirs and fake trees

func makeTempDir(_ tag: String) throws -> URL {
    var template = Array((NSTemporaryDirectory() as NSString)
        .appendingPathComponent("pcimmio-e2e-\(tag)-XXXXXX").utf8CString)
    let made = template.withUnsafeMutableBufferPointer { buffer in mkdtemp(buffer.baseAddress!) }
    guard made != nil else { throw E2EFailure("mkdtemp failed: errno \(errno)") }
    let path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    chmod(path, 0o755)  // readable by an unprivileged user (the permission test runs as nobody)
    return URL(fileURLWithPath: path)
}

/// Builds fixture NAME into OUT with Scripts/make-fake-tree.py.
func buildTree(_ name: String, into out: URL) throws {
    let script = E2E.packageRoot.appendingPathComponent("Scripts/make-fake-tree.py").path
    let toml = E2E.packageRoot.appendingPathComponent("Tests/Fixtures/trees/\(name).toml").path
    let result = try runProcess(try E2E.tool("python3"), [script, toml, out.path])
    guard result.status == 0 else { throw E2EFailure("building fake tree '\(name)' failed: \(result)") }
}

/// One tree per fixture, built once per test process and only ever read.
final class SharedTrees: @unchecked Sendable {
    static let shared = SharedTrees()
    private let lock = NSLock()
    private var root: URL?
    private var trees: [String: URL] = [:]

    func tree(_ name: String) throws -> URL {
        lock.lock()
        defer { lock.unlock() }
        if let url = trees[name] { return url }
        if root == nil {
            let dir = try makeTempDir("shared")
            root = dir
            sharedTreeRoot = strdup(dir.path)
            atexit {
                if let root = sharedTreeRoot {
                    try? FileManager.default.removeItem(atPath: String(cString: root))
                }
            }
        }
        let url = root!.appendingPathComponent(name)
        try buildTree(name, into: url)
        trees[name] = url
        return url
    }
}

nonisolated(unsafe) private var sharedTreeRoot: UnsafeMutablePointer<CChar>?

/// A shared, read-only fixture tree.
func sharedTree(_ name: String) throws -> URL { try SharedTrees.shared.tree(name) }

/// A private, writable copy of a fixture, removed when `body` returns.
func withPrivateTree<T>(_ name: String, _ body: (URL) throws -> T) throws -> T {
    let dir = try makeTempDir("private-\(name)")
    defer { try? FileManager.default.removeItem(at: dir) }
    let tree = dir.appendingPathComponent("tree")
    try buildTree(name, into: tree)
    return try body(tree)
}

/// The device directory in a tree (through the devices/ symlink, as pcimmio sees it).
func deviceDir(_ tree: URL, _ slot: String) -> URL {
    tree.appendingPathComponent("devices").appendingPathComponent(slot)
}

func resourceFile(_ tree: URL, _ slot: String, _ name: String) -> String {
    deviceDir(tree, slot).appendingPathComponent(name).path
}

// MARK: - File bytes

func readBytes(_ path: String, offset: UInt64, count: Int) throws -> [UInt8] {
    let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
    defer { try? handle.close() }
    try handle.seek(toOffset: offset)
    let data = try handle.read(upToCount: count) ?? Data()
    guard data.count == count else {
        throw E2EFailure("\(path): wanted \(count) bytes at 0x\(String(offset, radix: 16)), file has only \(data.count)")
    }
    return [UInt8](data)
}

func readWholeFile(_ path: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) }

func writeBytes(_ path: String, offset: UInt64, _ bytes: [UInt8]) throws {
    let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
    defer { try? handle.close() }
    try handle.seek(toOffset: offset)
    try handle.write(contentsOf: Data(bytes))
}

/// Little-endian value of the bytes.
func littleEndian<C: Collection>(_ bytes: C) -> UInt64 where C.Element == UInt8 {
    var value: UInt64 = 0
    for (i, byte) in bytes.enumerated() { value |= UInt64(byte) << (8 * UInt64(i)) }
    return value
}

func littleEndianBytes(_ value: UInt64, width: Int) -> [UInt8] {
    (0..<(width / 8)).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) }
}

/// Value of the register at `offset` of width `width` bits, straight from the file.
func fileRegister(_ path: String, offset: UInt64, width: Int) throws -> UInt64 {
    littleEndian(try readBytes(path, offset: offset, count: width / 8))
}

/// "0x" and exactly width/4 lowercase hex digits.
func hexRegister(_ value: UInt64, width: Int) -> String {
    let digits = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: max(0, width / 4 - digits.count)) + digits
}

func hex(_ value: UInt64) -> String { "0x" + String(value, radix: 16) }

struct FileStat: Equatable {
    let size: Int64
    let mtimeSec: Int
    let mtimeNsec: Int
}

func fileStat(_ path: String) throws -> FileStat {
    var st = stat()
    guard stat(path, &st) == 0 else { throw E2EFailure("stat \(path): errno \(errno)") }
    return FileStat(size: Int64(st.st_size), mtimeSec: st.st_mtim.tv_sec, mtimeNsec: st.st_mtim.tv_nsec)
}

/// Sets a file's atime and mtime to a fixed past instant (so an unwanted write shows up).
func setOldTimestamp(_ path: String) throws {
    var times = [timespec(tv_sec: 1_000_000_000, tv_nsec: 123_456_789),
                 timespec(tv_sec: 1_000_000_000, tv_nsec: 123_456_789)]
    guard utimensat(AT_FDCWD, path, &times, 0) == 0 else { throw E2EFailure("utimensat \(path): errno \(errno)") }
}

struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

func randomBytes(_ count: Int, seed: UInt64) -> [UInt8] {
    var rng = SeededRandom(state: seed)
    return (0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) }
}

/// The fixtures' seed pattern: byte i = (i * 7 + 3) & 0xff.
func patternByte(_ i: UInt64) -> UInt8 { UInt8(truncatingIfNeeded: i &* 7 &+ 3) }

// MARK: - pcimmio JSON

struct BarJSON: Decodable, Equatable {
    let index: Int
    let kind: String
    let prefetchable: Bool
    let address: UInt64
    let size: UInt64
    let resourceFile: String?
    let writeCombining: Bool
}

struct DeviceJSON: Decodable {
    let slot: String
    let vendor: Int
    let device: Int
    let `class`: Int
    let revision: Int
    let subsystemVendor: Int
    let subsystemDevice: Int
    let vendorName: String?
    let deviceName: String?
    let className: String?
    let driver: String?
    let bars: [BarJSON]
}

func decodeJSON<T: Decodable>(_ type: T.Type, from result: ProcessResult) throws -> T {
    do {
        return try JSONDecoder().decode(type, from: result.stdout)
    } catch {
        throw E2EFailure("cannot decode \(type) from pcimmio output (\(error)): \(result)")
    }
}

struct TraceLine: Decodable {
    let op: String
    let device: String
    let bar: Int
    let offset: UInt64
    let width: Int
    let value: String
    let time: Double
}

func readTrace(_ path: String) throws -> [TraceLine] {
    guard FileManager.default.fileExists(atPath: path) else { return [] }
    let text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)
    return try text.split(separator: "\n").map { line in
        do { return try JSONDecoder().decode(TraceLine.self, from: Data(line.utf8)) } catch {
            throw E2EFailure("trace line is not the documented JSON (\(error)): \(line)")
        }
    }
}

// MARK: - Error checks

/// The documented error contract: non-zero exit (not a crash), nothing on stdout, exactly one
/// stderr line starting "pcimmio: ", no backtrace, and a message naming the problem
/// (every string in `mentions`, case-insensitively).
func expectCleanFailure(_ result: ProcessResult, mentions: [String],
                        sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(result.exitedNormally, "pcimmio was killed by a signal: \(result)", sourceLocation: sourceLocation)
    #expect(result.status != 0, "expected a non-zero exit: \(result)", sourceLocation: sourceLocation)
    #expect(result.stdout.isEmpty, "expected nothing on stdout: \(result)", sourceLocation: sourceLocation)
    let lines = result.errLines
    #expect(lines.count == 1, "expected exactly one stderr line, got \(lines.count): \(result)",
            sourceLocation: sourceLocation)
    #expect(lines.first?.hasPrefix("pcimmio: ") == true, "stderr must start with 'pcimmio: ': \(result)",
            sourceLocation: sourceLocation)
    for crash in ["Fatal error", "Stack dump", "backtrace", "Backtrace", "Current stack trace", "💣"] {
        #expect(!result.err.contains(crash), "crash output on stderr: \(result)", sourceLocation: sourceLocation)
    }
    let message = result.err.lowercased()
    for word in mentions {
        #expect(message.contains(word.lowercased()), "message should mention '\(word)': \(result)",
                sourceLocation: sourceLocation)
    }
}

/// A write that succeeds; the only thing allowed on stderr is the one warning that a kernel
/// driver owns the device.
@discardableResult
func pcimmioWriteOK(_ arguments: [String], sysfs: URL?, sourceLocation: SourceLocation = #_sourceLocation) throws -> ProcessResult {
    let result = try pcimmio(arguments, sysfs: sysfs)
    guard result.status == 0, result.exitedNormally else { throw E2EFailure("expected success: \(result)") }
    let lines = result.errLines
    #expect(lines.isEmpty || (lines.count == 1 && lines[0].contains(" is bound to ") && lines[0].contains("behind the driver's back")),
            "unexpected stderr: \(result)", sourceLocation: sourceLocation)
    return result
}

/// Runs pcimmio with bad input and applies `expectCleanFailure`.
@discardableResult
func expectPcimmioFails(_ arguments: [String], sysfs: URL?, mentions: [String],
                        sourceLocation: SourceLocation = #_sourceLocation) throws -> ProcessResult {
    let result = try pcimmio(arguments, sysfs: sysfs)
    expectCleanFailure(result, mentions: mentions, sourceLocation: sourceLocation)
    return result
}
