import ArgumentParser
import PCIMMIO

struct WatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Sample a region periodically and print only what changed.",
        discussion: """
            Prints the first sample, then one line per register that changed: \
            elapsed time, offset, old -> new. Ends on Ctrl-C or after --count samples. \
            With --map, each line names its register. As dump --decode does, watch never reads \
            a register the device's map marks wo or rc (reading one can clear an interrupt \
            status at every interval): each is listed as skipped, unless --include-side-effects.

            Examples:
              pcimmio watch 00:03.0 bar0 0+0x40
              pcimmio watch 00:03.0 0 0x20+4 --interval 10ms --count 100
              pcimmio watch 1234:11e8 0 0+0x40 --map /usr/share/pcimmio/maps/qemu-edu.json
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var target: TargetOptions

    @Argument(help: "START, START+SIZE or START-END (default 0+0x100, clipped to the BAR).")
    var region: String?

    @Option(help: ArgumentHelp("Time between samples.", valueName: "duration"))
    var interval: String = "100ms"

    @Option(help: ArgumentHelp("Stop after this many samples (the first included).", valueName: "count"))
    var count: String?

    @Flag(help: "Also read the map's write-only and read-side-effect (rc) registers.")
    var includeSideEffects = false

    func run() throws {
        let (target, operands) = try self.target.target(.watch, region)
        let region = try Region(parsing: operands.first ?? "0")
        let interval = try DurationParser.nanoseconds(interval, what: "--interval")
        let samples = try count.map { (text) throws(PCIMMIOError) in try NumberParser.value(text, what: "--count") }
        if samples == 0 { throw PCIMMIOError.usage("--count 0: take at least one sample") }
        let session = try self.target.settings(global).session()
        try session.watch(target, region: region, interval: interval, samples: samples, named: global.map != nil,
                          includeSideEffects: includeSideEffects,
                          skipped: { (register) throws(PCIMMIOError) in try standardOutput.write(ReadoutFormat.text(.skipped(register))) },
                          report: { (event) throws(PCIMMIOError) in try standardOutput.write(ReadoutFormat.text(event)) },
                          sampled: { () throws(PCIMMIOError) in try standardOutput.flush() })
    }
}
