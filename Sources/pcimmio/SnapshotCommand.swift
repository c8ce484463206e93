import ArgumentParser
import PCIMMIO

struct SnapshotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot",
        abstract: "Save a device's state as JSON: identity, config space, and its map's readable registers.",
        discussion: """
            The snapshot holds the device's identity, driver, the time, its config space bytes and every readable register of its map at its width; registers whose read has side effects (rc) and write-only ones are skipped, as dump --decode skips them. Without a map, --region BAR:REGION[:WIDTH] names what to read. Compare two snapshots, or one with the device now, with pcimmio diff.

            Examples:
              pcimmio snapshot 00:02.0 --map Maps/qemu-edu.json -o before.json
              pcimmio snapshot 00:03.0 --region 0:0+0x40 --region 2:0x1000+16:8 -o nvme.json
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var target: DeviceArgument

    @Option(name: .customShort("o"), help: ArgumentHelp("Write to FILE instead of stdout.", valueName: "file"))
    var output: String?

    @Option(help: ArgumentHelp("BAR:REGION[:WIDTH] to read when the device has no map (repeatable).", valueName: "bar:region"))
    var region: [String] = []

    @Flag(help: "Config space alone, when the device has no map and no --region is given.")
    var configOnly = false

    func run() throws {
        let session = try global.settings.session()
        let snapshot = try DeviceSnapshot.take(session, target.selector, regions: region, configOnly: configOnly)
        let sink = try output.map { (path) throws(PCIMMIOError) in try OutputSink(path: path) } ?? standardOutput
        try sink.write(snapshot.json.rendered() + "\n")
        try sink.flush()
    }
}
