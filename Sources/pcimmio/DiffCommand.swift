import ArgumentParser
import PCIMMIO

struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Show what changed between two snapshots, or a snapshot and the device now (live).",
        discussion: """
            A and B are snapshot files, or one of them is live: the device named in the other snapshot, read now, with the same map or regions. Prints what changed, register by register: config space by setpci's names (or the capability a dword lies in), map registers by name with each field old -> new and its value names; nothing for what is equal. Exit status 0 when equal, 1 when different, 2 for bad input, like diff(1).

            Examples:
              pcimmio diff before.json after.json
              pcimmio diff before.json live --map Maps/qemu-edu.json
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "A snapshot file, or live.")
    var a: String

    @Argument(help: "A snapshot file, or live.")
    var b: String

    @Flag(help: "Print one JSON array of the changes.")
    var json = false

    func validate() throws {
        if a == "live" && b == "live" { throw ValidationError("at most one side can be live: the other names the device") }
    }

    func run() throws {
        let session = try global.settings.session()
        let first = try a == "live" ? nil : Self.load(a)
        let second = try b == "live" ? nil : Self.load(b)
        let reference = (first ?? second)!
        let selector = try DeviceSelector(reference.slot)
        let live = { () throws(PCIMMIOError) -> DeviceSnapshot in try DeviceSnapshot.take(session, selector, regions: reference.regions) }
        let old = try first ?? live()
        let new = try second ?? live()
        guard old.vendorID == new.vendorID, old.deviceID == new.deviceID else {
            throw PCIMMIOError.usage("the snapshots are of different devices (\(old.slot) and \(new.slot))")
        }
        let device = try session.device(selector)
        let diff = SnapshotDiff(old, new, map: try session.maps.map(for: device))
        try standardOutput.write(json ? diff.json.rendered() + "\n" : diff.text)
        try standardOutput.flush()
        if !diff.changes.isEmpty { throw ExitCode(1) }
    }

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
