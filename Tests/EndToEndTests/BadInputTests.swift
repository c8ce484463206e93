// Bad input: each case must fail with a non-zero exit, exactly one stderr line starting
// "pcimmio: ", no backtrace, nothing on stdout, and a message that names the problem.
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

private func basic() throws -> URL { try sharedTree("basic") }
private func edge() throws -> URL { try sharedTree("edge") }
private let testDevice = "00:03.0"   // basic: BAR0 4 KiB mem32, BAR1 256-byte I/O, nothing else

@Suite("Bad input fails cleanly")
struct BadInputTests {
    // MARK: Device names and selectors

    @Test func malformedSlot() throws {
        try expectPcimmioFails(["bars", "zz:zz.z"], sysfs: try basic(), mentions: ["zz:zz.z"])
        try expectPcimmioFails(["peek", "zz:zz.z", "0", "0"], sysfs: try basic(), mentions: ["zz:zz.z"])
        try expectPcimmioFails(["list", "-s", "zz:zz.z"], sysfs: try basic(), mentions: ["zz:zz.z"])
    }

    @Test func invalidFunctionNumber() throws {
        try expectPcimmioFails(["bars", "00:1f.9"], sysfs: try basic(), mentions: ["00:1f.9", "function"])
        try expectPcimmioFails(["list", "-s", "00:1f.9"], sysfs: try basic(), mentions: ["00:1f.9", "function"])
    }

    @Test func idWithoutColon() throws {
        try expectPcimmioFails(["bars", "8086"], sysfs: try basic(), mentions: ["8086"])
        try expectPcimmioFails(["list", "-d", "8086"], sysfs: try basic(), mentions: ["8086"])
    }

    @Test func noSuchDevice() throws {
        try expectPcimmioFails(["peek", "00:09.0", "0", "0"], sysfs: try basic(), mentions: ["00:09.0"])
        try expectPcimmioFails(["bars", "dead:beef"], sysfs: try basic(), mentions: ["dead:beef"])
    }

    @Test("an ambiguous vendor: matches many devices and the message lists them (per lspci -d)")
    func ambiguousDevice() throws {
        let tree = try basic()
        let matches = try #require(try Lspci.slots(tree, ["-d", "8086:"]))
        #expect(matches.count > 1)
        try expectPcimmioFails(["bars", "8086:"], sysfs: tree, mentions: ["8086:"] + matches)
        try expectPcimmioFails(["peek", "8086:", "0", "0"], sysfs: tree, mentions: ["8086:"] + matches)
    }

    @Test func pathTricksInDeviceName() throws {
        for name in ["../../etc/passwd", "00:01.0/../..", "0000:00:01.0/../0000:00:03.0", "/etc/passwd"] {
            let result = try expectPcimmioFails(["bars", name], sysfs: try basic(), mentions: [name])
            #expect(!result.err.contains("root:"), "leaked file contents: \(result)")
            try expectPcimmioFails(["peek", name, "0", "0"], sysfs: try basic(), mentions: [name])
        }
    }

    // MARK: The tree

    @Test func sysfsDirectoryMissing() throws {
        let scratch = try makeTempDir("missing")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let missing = scratch.appendingPathComponent("no-such-dir")
        try expectPcimmioFails(["list"], sysfs: missing, mentions: [missing.path])
        try expectPcimmioFails(["bars", testDevice], sysfs: missing, mentions: [missing.path])
    }

    @Test func sysfsIsNotAPCITree() throws {
        let scratch = try makeTempDir("not-a-tree")
        defer { try? FileManager.default.removeItem(at: scratch) }
        try Data("hello".utf8).write(to: scratch.appendingPathComponent("README"))
        try expectPcimmioFails(["list"], sysfs: scratch, mentions: [scratch.path, "devices"])
    }

    @Test("an attribute that cannot be read (vendor is a directory, or a dangling symlink)",
          arguments: ["directory", "dangling symlink"])
    func unreadableAttribute(kind: String) throws {
        try withPrivateTree("basic") { tree in
            let vendor = deviceDir(tree, "0000:00:01.0").resolvingSymlinksInPath().appendingPathComponent("vendor")
            try FileManager.default.removeItem(at: vendor)
            if kind == "directory" {
                try FileManager.default.createDirectory(at: vendor, withIntermediateDirectories: false)
            } else {
                try FileManager.default.createSymbolicLink(atPath: vendor.path, withDestinationPath: "/nonexistent/vendor")
            }
            try expectPcimmioFails(["bars", "00:01.0"], sysfs: tree, mentions: ["0000:00:01.0", "vendor"])
            try expectPcimmioFails(["list"], sysfs: tree, mentions: ["vendor"])
        }
    }

    // MARK: Offsets, widths, BARs

    @Test func offsetPastTheEnd() throws {
        try expectPcimmioFails(["peek", testDevice, "0", "0x1000"], sysfs: try basic(), mentions: ["0x1000", "end"])
        try expectPcimmioFails(["peek", testDevice, "1", "0x100", "-w", "8"], sysfs: try basic(), mentions: ["0x100", "end"])
        try expectPcimmioFails(["poke", testDevice, "0", "0x2000", "0"], sysfs: try basic(), mentions: ["0x2000", "end"])
        try expectPcimmioFails(["dump", testDevice, "0", "0x1000+4"], sysfs: try basic(), mentions: ["0x1000", "end"])
    }

    @Test func offsetCrossingTheEnd() throws {
        // 32-bit at size-2: both misaligned and crossing the end; either is a fine reason.
        let result = try expectPcimmioFails(["peek", testDevice, "0", "0xffe", "-w", "32"], sysfs: try basic(),
                                            mentions: ["0xffe"])
        #expect(result.err.contains("align") || result.err.contains("end"), "\(result)")
        try expectPcimmioFails(["peek", testDevice, "0", "0xffc", "-n", "2"], sysfs: try basic(), mentions: ["0xffc", "end"])
        try expectPcimmioFails(["peek", testDevice, "1", "0xfc", "-n", "2"], sysfs: try basic(), mentions: ["0xfc", "end"])
        try expectPcimmioFails(["dump", testDevice, "0", "0xff0+0x20"], sysfs: try basic(), mentions: ["0xff0", "end"])
        try expectPcimmioFails(["dump", testDevice, "0", "0xff0-0x100f"], sysfs: try basic(), mentions: ["end"])
    }

    @Test func misalignedOffset() throws {
        try expectPcimmioFails(["peek", testDevice, "0", "0x2", "-w", "32"], sysfs: try basic(), mentions: ["0x2", "align"])
        try expectPcimmioFails(["poke", testDevice, "0", "0x1", "0x1", "-w", "16"], sysfs: try basic(), mentions: ["0x1", "align"])
        try expectPcimmioFails(["peek", testDevice, "0", "0x4", "-w", "64"], sysfs: try basic(), mentions: ["0x4", "align"])
        try expectPcimmioFails(["dump", testDevice, "0", "0x2+0x10", "-w", "32"], sysfs: try basic(), mentions: ["align"])
    }

    @Test func unknownWidth() throws {
        for width in ["12", "0", "128", "w"] {
            try expectPcimmioFails(["peek", testDevice, "0", "0", "-w", width], sysfs: try basic(), mentions: ["'\(width)'", "width"])
        }
    }

    @Test func barIndexOutOfRange() throws {
        try expectPcimmioFails(["peek", testDevice, "6", "0"], sysfs: try basic(), mentions: ["6", "BAR"])
        try expectPcimmioFails(["peek", testDevice, "bar7", "0"], sysfs: try basic(), mentions: ["bar7"])
    }

    @Test func unusedBAR() throws {
        try expectPcimmioFails(["peek", testDevice, "2", "0"], sysfs: try basic(), mentions: ["bar 2"])
        try expectPcimmioFails(["poke", testDevice, "bar5", "0", "0"], sysfs: try basic(), mentions: ["bar 5"])
        try expectPcimmioFails(["peek", "00:05.0", "1", "0"], sysfs: try edge(), mentions: ["bar 1"])
    }

    @Test("a zero-sized BAR (crafted: no fixture has one; resource line end = start - 1)")
    func zeroSizedBAR() throws {
        try withPrivateTree("basic") { tree in
            let dir = deviceDir(tree, "0000:00:03.0").resolvingSymlinksInPath()
            let resource = dir.appendingPathComponent("resource")
            var lines = try String(contentsOf: resource, encoding: .utf8).split(separator: "\n").map(String.init)
            lines[2] = "0x00000000febd4000 0x00000000febd3fff 0x0000000000040200"
            try (lines.joined(separator: "\n") + "\n").write(to: resource, atomically: false, encoding: .utf8)
            _ = FileManager.default.createFile(atPath: dir.appendingPathComponent("resource2").path, contents: Data())
            try expectPcimmioFails(["peek", testDevice, "2", "0", "-w", "8"], sysfs: tree, mentions: ["bar 2", "size"])
            try expectPcimmioFails(["dump", testDevice, "2"], sysfs: tree, mentions: ["bar 2", "size"])
        }
    }

    @Test func sixtyFourBitAccessToIOBAR() throws {
        try expectPcimmioFails(["peek", testDevice, "1", "0", "-w", "64"], sysfs: try basic(), mentions: ["64", "I/O"])
        try expectPcimmioFails(["poke", testDevice, "1", "0", "0", "-w", "64"], sysfs: try basic(), mentions: ["64", "I/O"])
    }

    @Test func writeCombiningOnNonPrefetchableBAR() throws {
        try expectPcimmioFails(["peek", "00:02.0", "1", "0", "--wc"], sysfs: try basic(), mentions: ["--wc", "prefetchable"])
        try expectPcimmioFails(["poke", testDevice, "0", "0", "1", "--wc"], sysfs: try basic(), mentions: ["--wc", "prefetchable"])
        try expectPcimmioFails(["peek", testDevice, "1", "0", "--wc"], sysfs: try basic(), mentions: ["--wc"])
    }

    // MARK: Values, masks, numbers, regions

    @Test func valueTooWide() throws {
        try expectPcimmioFails(["poke", testDevice, "0", "0", "0x100", "-w", "8"], sysfs: try basic(), mentions: ["0x100"])
        try expectPcimmioFails(["poke", testDevice, "0", "0", "0x1ffffffff"], sysfs: try basic(), mentions: ["0x1ffffffff"])
        try expectPcimmioFails(["poke", testDevice, "0", "0", "0x10000000000000000", "-w", "64"], sysfs: try basic(),
                               mentions: ["0x10000000000000000"])
    }

    @Test("a mask wider than the width: the message must say it is the mask")
    func maskTooWide() throws {
        try expectPcimmioFails(["poke", testDevice, "0", "0", "0x1", "-w", "8", "--mask", "0x100"], sysfs: try basic(),
                               mentions: ["mask", "0x100"])
    }

    @Test func valueBitsOutsideMask() throws {
        try expectPcimmioFails(["poke", testDevice, "0", "0", "0x3", "-w", "8", "--mask", "0x1"], sysfs: try basic(),
                               mentions: ["mask"])
    }

    @Test func malformedNumber() throws {
        try expectPcimmioFails(["peek", testDevice, "0", "0xZZ"], sysfs: try basic(), mentions: ["0xZZ"])
        try expectPcimmioFails(["poke", testDevice, "0", "0", "0xZZ"], sysfs: try basic(), mentions: ["0xZZ"])
        try expectPcimmioFails(["poke", testDevice, "0", "0", "1", "--mask", "12q"], sysfs: try basic(), mentions: ["12q"])
    }

    @Test("a negative number (-5) is rejected by name, not as a missing argument")
    func negativeNumber() throws {
        try expectPcimmioFails(["peek", testDevice, "0", "-5"], sysfs: try basic(), mentions: ["-5"])
        try expectPcimmioFails(["poke", testDevice, "0", "0", "-1"], sysfs: try basic(), mentions: ["-1"])
        try expectPcimmioFails(["dump", testDevice, "-1"], sysfs: try basic(), mentions: ["-1"])
    }

    @Test func malformedRegions() throws {
        try expectPcimmioFails(["dump", testDevice, "0", "10-5"], sysfs: try basic(), mentions: ["10-5"])
        try expectPcimmioFails(["dump", testDevice, "0", "0+0"], sysfs: try basic(), mentions: ["0+0"])
        try expectPcimmioFails(["dump", testDevice, "0", "0+"], sysfs: try basic(), mentions: ["region"])
    }

    @Test func regionNotAMultipleOfTheWidth() throws {
        try expectPcimmioFails(["dump", testDevice, "0", "0+6", "-w", "32"], sysfs: try basic(), mentions: ["multiple"])
        try expectPcimmioFails(["dump", testDevice, "0", "0-0x6", "-w", "64"], sysfs: try basic(), mentions: ["multiple"])
    }

    @Test func unwritableOutputFile() throws {
        try expectPcimmioFails(["dump", testDevice, "0", "-o", "/nonexistent-dir/out.bin"], sysfs: try basic(),
                               mentions: ["/nonexistent-dir/out.bin"])
    }

    // MARK: Resource files

    @Test("a BAR whose resourceN file the kernel did not create")
    func missingResourceFile() throws {
        try expectPcimmioFails(["peek", "00:05.0", "2", "0"], sysfs: try edge(), mentions: ["resource2", "kernel did not create"])
        try expectPcimmioFails(["peek", "00:06.0", "4", "0"], sysfs: try edge(), mentions: ["resource4", "kernel did not create"])
        try expectPcimmioFails(["poke", "00:05.0", "2", "0", "1", "--dry-run"], sysfs: try edge(),
                               mentions: ["resource2", "kernel did not create"])
    }

    @Test("the missing-resource-file message names the real path, not a placeholder")
    func missingResourceFileNamesRealPath() throws {
        let tree = try edge()
        let result = try expectPcimmioFails(["peek", "00:05.0", "2", "0"], sysfs: tree,
                                            mentions: [resourceFile(tree, "0000:00:05.0", "resource2")])
        #expect(!result.err.contains("<sysfs>"), "\(result)")
    }

    @Test("poke on a read-only resource file: read-only bind mount (EROFS)", .enabled(if: getuid() == 0))
    func pokeReadOnlyMount() throws {
        try withPrivateTree("basic") { tree in
            let dir = deviceDir(tree, "0000:00:03.0").resolvingSymlinksInPath().path
            let path = resourceFile(tree, "0000:00:03.0", "resource0")
            let before = try readWholeFile(path)
            // A private mount namespace: the read-only bind mount dies with the process.
            let script = #"mount --bind -o ro "$1" "$1" || exit 99; shift; exec "$@""#
            let result = try runProcess(try E2E.tool("unshare"),
                                        ["-m", "--propagation", "private", "sh", "-c", script, "sh", dir,
                                         try E2E.binary(), "--sysfs", tree.path, "poke", testDevice, "0", "0", "0x1"],
                                        environment: pcimmioEnvironment())
            guard result.status != 99 else { throw E2EFailure("could not make a read-only bind mount: \(result)") }
            expectCleanFailure(result, mentions: ["resource0", "read-only"])
            #expect((try readWholeFile(path)) == before)
        }
    }

    @Test("poke on an immutable resource file (chattr +i: EPERM even for root); --dry-run still works",
          .enabled(if: getuid() == 0))
    func pokeImmutableFile() throws {
        try withPrivateTree("basic") { tree in
            let path = resourceFile(tree, "0000:00:03.0", "resource0")
            let chattr = try E2E.tool("chattr")
            let set = try runProcess(chattr, ["+i", path])
            guard set.status == 0 else { throw E2EFailure("chattr +i not supported here: \(set)") }
            defer { _ = try? runProcess(chattr, ["-i", path]) }
            let before = try readWholeFile(path)
            try expectPcimmioFails(["poke", testDevice, "0", "0", "0x1"], sysfs: tree,
                                   mentions: ["resource0", "not permitted"])
            #expect((try readWholeFile(path)) == before)
            let dry = try pcimmio(["poke", testDevice, "0", "0", "0x1", "--dry-run"], sysfs: tree)
            #expect(dry.status == 0, "--dry-run opens nothing for writing: \(dry)")
            let peek = try pcimmio(["peek", testDevice, "0", "0"], sysfs: tree)
            let want = try fileRegister(path, offset: 0, width: 32)
            #expect(peek.status == 0 && peek.out == hexRegister(want, width: 32) + "\n", "\(peek)")
        }
    }

    @Test("poke as an unprivileged user on a root-owned 0644 resource file (EACCES); peek works",
          .enabled(if: getuid() == 0))
    func pokeWithoutPermission() throws {
        try withPrivateTree("basic") { tree in
            let path = resourceFile(tree, "0000:00:03.0", "resource0")
            let before = try readWholeFile(path)
            let asNobody = [try E2E.tool("setpriv"), "--reuid=65534", "--regid=65534", "--clear-groups",
                            try E2E.binary(), "--sysfs", tree.path]
            let poke = try runProcess(asNobody[0], Array(asNobody.dropFirst()) + ["poke", testDevice, "0", "0", "0x1"],
                                      environment: pcimmioEnvironment())
            expectCleanFailure(poke, mentions: ["resource0", "permission denied"])
            #expect((try readWholeFile(path)) == before)
            let peek = try runProcess(asNobody[0], Array(asNobody.dropFirst()) + ["peek", testDevice, "0", "0"],
                                      environment: pcimmioEnvironment())
            #expect(peek.status == 0 && peek.out == hexRegister(littleEndian(before[0..<4]), width: 32) + "\n", "\(peek)")
        }
    }
}
