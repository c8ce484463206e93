import ArgumentParser
import PCIMMIO

struct WatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Sample a region periodically and print only what changed.",
        discussion: """
            Prints the first sample, then one line per register that changed:
            elapsed time, offset, old -> new. Ends on Ctrl-C or after --count samples.

            Examples:
              pcimmio watch 00:03.0 bar0 0+0x40
              pcimmio watch 00:03.0 0 0x20+4 --interval 10ms --count 100
              pcimmio watch 00:02.0 0 0+0x40 --map Maps/qemu-edu.json   (names each register)
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var target: TargetOptions

    @Argument(help: "START, START+SIZE or START-END (default 0+0x100, clipped to the BAR).")
    var region: String?

    @Option(help: ArgumentHelp("Time between samples.", valueName: "duration"))
    var interval: String = "100ms"

    @Option(help: ArgumentHelp("Stop after this many samples (the first included).", valueName: "count"))
    var count: String?

    func run() throws {
        let target = try target.target
        let region = try Region(parsing: region ?? "0")
        let interval = try DurationParser.nanoseconds(interval, what: "--interval")
        let samples = try count.map { (text) throws(PCIMMIOError) in try NumberParser.value(text, what: "--count") }
        if samples == 0 { throw PCIMMIOError.invalidArgument("--count 0: take at least one sample") }
        let session = try global.settings.session()
        let plan = try session.plan(target, region: region)
        guard plan.count <= 1 << 24 else {
            throw PCIMMIOError.invalidArgument("watch keeps each sample in memory: at most 16777216 registers (\(plan.count) asked)")
        }
        // With a map, each line also names the register at its offset.
        let map = global.map != nil ? try session.map(for: target) : nil
        let label = { (offset: UInt64) in
            "0x" + String(offset, radix: 16) + (map?.register(at: offset, bar: target.bar).map { " " + $0.name } ?? "")
        }
        let window = try session.window(for: plan)
        let start = MonotonicClock.now()
        var watcher = try RegionWatcher(plan: plan, window: window)
        let output = session.output
        for (index, value) in watcher.values.enumerated() {
            try output.write(stamp(0) + " " + label(plan.offset + UInt64(index * plan.width.bytes))
                             + " " + formatRegister(value, width: plan.width) + "\n")
        }
        try output.flush()
        var taken: UInt64 = 1
        while samples.map({ taken < $0 }) ?? true {
            MonotonicClock.sleep(nanoseconds: interval)
            for change in try watcher.sample(window) {
                try output.write(stamp(MonotonicClock.now() - start) + " " + label(change.offset) + " "
                                 + formatRegister(change.old, width: plan.width) + " -> "
                                 + formatRegister(change.new, width: plan.width) + "\n")
            }
            try output.flush()
            taken += 1
        }
    }

    private func stamp(_ nanoseconds: UInt64) -> String {
        let milliseconds = nanoseconds / 1_000_000
        let fraction = String(milliseconds % 1000)
        return "+" + String(milliseconds / 1000) + "." + String(repeating: "0", count: 3 - fraction.count) + fraction + "s"
    }
}
