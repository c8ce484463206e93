import ArgumentParser
import PCIMMIO

struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Show what changed between two snapshots, or a snapshot and the device now (live).",
        discussion: """
            A and B are snapshot files, or one of them is live: the device named in the other snapshot, read now the way the snapshot was read (its registers, widths and fields: no map is needed), or live:DEVICE, another device of the same kind (a good card against a failing one). Prints what changed, register by register: config space by setpci's names (or the capability a dword lies in), map registers by name with each field old -> new and its value names; nothing for what is equal. Exit status 0 when equal, 1 when different, 2 for bad input, like diff(1).

            Examples:
              pcimmio diff before.json after.json
              pcimmio diff before.json live
              pcimmio diff good-card.json live:03:00.0
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "A snapshot file, live, or live:DEVICE.")
    var a: String

    @Argument(help: "A snapshot file, live, or live:DEVICE.")
    var b: String

    @Flag(help: "Print one JSON array of the changes.")
    var json = false

    func validate() throws {
        if Self.isLive(a) && Self.isLive(b) { throw ValidationError("at most one side can be live: the other is the snapshot it is read like") }
    }

    func run() throws {
        let session = try global.settings.session()
        let first = try Self.isLive(a) ? nil : Self.load(a)
        let second = try Self.isLive(b) ? nil : Self.load(b)
        let reference = (first ?? second)!
        let liveWord = Self.isLive(a) ? a : b
        let selector = try DeviceSelector(liveWord.hasPrefix("live:") ? String(liveWord.dropFirst(5)) : reference.slot)
        let live = { () throws(PCIMMIOError) -> DeviceSnapshot in try DeviceSnapshot.take(session, selector, like: reference) }
        let old = try first ?? live()
        let new = try second ?? live()
        guard old.vendorID == new.vendorID, old.deviceID == new.deviceID else {
            throw PCIMMIOError.usage("the snapshots are of devices of different kinds (\(old.slot) and \(new.slot))")
        }
        // The device's map when there is one here, else the snapshots' own fields (SnapshotDiff):
        // two snapshots from another machine need no device of this one.
        let map = try (try? session.device(selector)).flatMap { (device) throws(PCIMMIOError) in try session.maps.map(for: device) }
        let diff = SnapshotDiff(old, new, map: map)
        try standardOutput.write(json ? diff.json.rendered() + "\n" : diff.text)
        try standardOutput.flush()
        if !diff.changes.isEmpty { throw ExitCode(1) }
    }

    static func isLive(_ side: String) -> Bool { side == "live" || side.hasPrefix("live:") }

    /// A snapshot file; one that cannot be read is bad input (exit 2, as diff(1)), not a difference.
    private static func load(_ path: String) throws -> DeviceSnapshot {
        do {
            return try DeviceSnapshot(parsing: readWholeFile(path), file: path)
        } catch {
            printError(error.description)
            throw ExitCode(2)
        }
    }
}
