// How pcimmio touches resource files, seen by strace: I/O-port BARs through exactly one
// pread/pwrite of the access width at the offset, memory BARs through a shared mapping,
// --dry-run opening nothing for writing, --wc using only resourceN_wc.
// Needs strace (and ptrace): disabled where it is not installed.
import Foundation
import Testing

private let straceAvailable = (try? E2E.tool("strace")) != nil

/// One syscall line of `strace -f -y -xx` on a given file.
private struct Syscall {
    let name: String
    let line: String
}

/// Runs pcimmio under strace; returns the openat/pread64/pwrite64/mmap calls on `file`
/// (matched by the resolved path strace -y prints).
private func straced(_ arguments: [String], sysfs: URL, file: String) throws -> (ProcessResult, [Syscall]) {
    let scratch = try makeTempDir("strace")
    defer { try? FileManager.default.removeItem(at: scratch) }
    let log = scratch.appendingPathComponent("strace.log").path
    let result = try runProcess(try E2E.tool("strace"),
                                ["-f", "-y", "-xx", "-e", "trace=openat,pread64,pwrite64,mmap", "-o", log,
                                 try E2E.binary(), "--sysfs", sysfs.path] + arguments,
                                environment: pcimmioEnvironment())
    // -y prints each fd's path, and -xx prints that path hex-escaped too.
    let resolved = URL(fileURLWithPath: file).resolvingSymlinksInPath().path
    let escaped = resolved.utf8.map { String(format: "\\x%02x", $0) }.joined()
    let text = try String(contentsOfFile: log, encoding: .utf8)
    let calls = text.split(separator: "\n").map(String.init).filter { $0.contains("<\(escaped)>") }.compactMap { line -> Syscall? in
        for name in ["openat", "pread64", "pwrite64", "mmap"] where line.contains(" \(name)(") {
            return Syscall(name: name, line: line)
        }
        return nil
    }
    return (result, calls)
}

/// `pwrite64(3</path>, "\x12\x34", 2, 4) = 2` -> ([0x12, 0x34], count 2, offset 4).
private func transfer(_ call: Syscall) throws -> (bytes: [UInt8], count: Int, offset: UInt64) {
    guard let open = call.line.firstIndex(of: "\""), let close = call.line[call.line.index(after: open)...].firstIndex(of: "\"") else {
        throw E2EFailure("strace line without a buffer: \(call.line)")
    }
    let escaped = call.line[call.line.index(after: open)..<close]
    let bytes = escaped.components(separatedBy: "\\x").dropFirst().compactMap { UInt8($0, radix: 16) }
    let rest = call.line[call.line.index(after: close)...].split(separator: ")").first ?? ""   // ", 2, 4"
    let numbers = rest.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    guard numbers.count == 2, let count = Int(numbers[0]), let offset = UInt64(numbers[1]) else {
        throw E2EFailure("strace line without count and offset: \(call.line)")
    }
    return (bytes, count, offset)
}

@Suite("System calls on resource files (strace)", .enabled(if: straceAvailable))
struct SyscallTests {
    static let slot = "0000:00:03.0"   // basic: BAR0 4 KiB memory, BAR1 256-byte I/O

    @Test("I/O BAR peek: one pread of width/8 bytes at the offset, no mmap", arguments: [8, 16, 32])
    func ioPeekIsOnePread(width: Int) throws {
        let tree = try sharedTree("basic")
        let file = resourceFile(tree, Self.slot, "resource1")
        let (result, calls) = try straced(["peek", Self.slot, "1", "0x10", "-w", "\(width)"], sysfs: tree, file: file)
        #expect(result.status == 0, "\(result)")
        #expect(calls.filter { $0.name == "openat" }.allSatisfy { $0.line.contains("O_RDONLY") })
        #expect(!calls.contains { $0.name == "mmap" || $0.name == "pwrite64" })
        let reads = calls.filter { $0.name == "pread64" }
        #expect(reads.count == 1, "\(calls.map(\.line))")
        if let read = reads.first {
            let t = try transfer(read)
            #expect(t.count == width / 8 && t.offset == 0x10, "\(read.line)")
        }
    }

    @Test("I/O BAR poke: one pwrite of the value's little-endian bytes; --mask reads first", arguments: [8, 16, 32])
    func ioPokeIsOnePwrite(width: Int) throws {
        try withPrivateTree("basic") { tree in
            let file = resourceFile(tree, Self.slot, "resource1")
            let value: UInt64 = 0x8765_4321 & ((1 << UInt64(width)) - 1)
            let (result, calls) = try straced(["poke", Self.slot, "1", "0x20", hex(value), "-w", "\(width)"],
                                              sysfs: tree, file: file)
            #expect(result.status == 0, "\(result)")
            #expect(calls.map(\.name) == ["openat", "pwrite64"], "\(calls.map(\.line))")
            if let write = calls.last, write.name == "pwrite64" {
                let t = try transfer(write)
                #expect(t.bytes == littleEndianBytes(value, width: width) && t.count == width / 8 && t.offset == 0x20,
                        "\(write.line)")
            }
            let (masked, maskedCalls) = try straced(["poke", Self.slot, "1", "0x20", "0x1", "-w", "\(width)", "--mask", "0x3"],
                                                    sysfs: tree, file: file)
            #expect(masked.status == 0, "\(masked)")
            #expect(maskedCalls.map(\.name) == ["openat", "pread64", "pwrite64"], "\(maskedCalls.map(\.line))")
        }
    }

    @Test("memory BAR: peek maps read-only, poke maps shared and writable; neither uses pread/pwrite")
    func memoryIsMapped() throws {
        try withPrivateTree("basic") { tree in
            let file = resourceFile(tree, Self.slot, "resource0")
            let (peek, peekCalls) = try straced(["peek", Self.slot, "0", "0x10"], sysfs: tree, file: file)
            #expect(peek.status == 0, "\(peek)")
            #expect(peekCalls.filter { $0.name == "openat" }.allSatisfy { $0.line.contains("O_RDONLY") })
            #expect(peekCalls.contains { $0.name == "mmap" && $0.line.contains("MAP_SHARED") && !$0.line.contains("PROT_WRITE") },
                    "\(peekCalls.map(\.line))")
            #expect(!peekCalls.contains { $0.name == "pread64" || $0.name == "pwrite64" })

            let (poke, pokeCalls) = try straced(["poke", Self.slot, "0", "0x10", "0x1"], sysfs: tree, file: file)
            #expect(poke.status == 0, "\(poke)")
            #expect(pokeCalls.contains { $0.name == "openat" && $0.line.contains("O_RDWR") })
            #expect(pokeCalls.contains { $0.name == "mmap" && $0.line.contains("MAP_SHARED") && $0.line.contains("PROT_WRITE") },
                    "\(pokeCalls.map(\.line))")
            #expect(!pokeCalls.contains { $0.name == "pread64" || $0.name == "pwrite64" })
        }
    }

    @Test("--dry-run opens no resource file for writing and reads nothing", arguments: ["0", "1"])
    func dryRunTouchesNoResourceFile(bar: String) throws {
        let tree = try sharedTree("basic")
        let file = resourceFile(tree, Self.slot, "resource\(bar)")
        let (result, calls) = try straced(["poke", Self.slot, bar, "0x8", "0x5", "-w", "8", "--mask", "0xf", "--dry-run"],
                                          sysfs: tree, file: file)
        #expect(result.status == 0, "\(result)")
        #expect(!calls.contains { $0.line.contains("O_RDWR") || $0.line.contains("O_WRONLY") }, "\(calls.map(\.line))")
        #expect(!calls.contains { ["pread64", "pwrite64", "mmap"].contains($0.name) }, "\(calls.map(\.line))")
    }

    @Test("--wc poke opens only resourceN_wc")
    func writeCombiningUsesOnlyTheWCFile() throws {
        try withPrivateTree("basic") { tree in
            let slot = "0000:00:02.0"
            let plain = resourceFile(tree, slot, "resource4")
            let (result, plainCalls) = try straced(["poke", slot, "4", "0x0", "0x1", "--wc"], sysfs: tree, file: plain)
            #expect(result.status == 0, "\(result)")
            #expect(plainCalls.isEmpty, "resource4 touched: \(plainCalls.map(\.line))")
            let (_, wcCalls) = try straced(["poke", slot, "4", "0x0", "0x1", "--wc"], sysfs: tree, file: plain + "_wc")
            #expect(wcCalls.contains { $0.name == "mmap" && $0.line.contains("PROT_WRITE") }, "\(wcCalls.map(\.line))")
        }
    }

    /// The expansion ROM: enabled by writing 1 to `rom`, read with pread, disabled with 0,
    /// and never mapped.
    @Test("ROM dump: write 1, pread, write 0 on the rom file")
    func romIsEnabledAroundTheReads() throws {
        try withPrivateTree("basic") { tree in
            let rom = deviceDir(tree, "0000:00:01.0").appendingPathComponent("rom").path
            try writeBytes(rom, offset: 0x10, [0xaa, 0xbb, 0xcc, 0xdd])
            let (result, calls) = try straced(["dump", "00:01.0", "rom", "0x10+8"], sysfs: tree, file: rom)
            #expect(result.status == 0, "\(result)")
            #expect(result.outLines.first?.hasPrefix("00000010: ddccbbaa 00000000") == true, "\(result)")
            let names = calls.map(\.name)
            #expect(names.first == "openat" && names.contains("pread64") && !names.contains("mmap"), "\(names)")
            let writes = try calls.filter { $0.name == "pwrite64" }.map(transfer)
            #expect(writes.map(\.bytes) == [[0x31], [0x30]], "1 before the reads, 0 after")
            let first = calls.firstIndex { $0.name == "pwrite64" }!, last = calls.lastIndex { $0.name == "pwrite64" }!
            #expect(calls.indices.filter { calls[$0].name == "pread64" }.allSatisfy { $0 > first && $0 < last })
            try expectPcimmioFails(["poke", "00:01.0", "rom", "0x10", "0x1"], sysfs: tree, mentions: ["read-only"])
        }
    }
}
