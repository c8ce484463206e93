import ArgumentParser
import PCIMMIO

struct DumpCommand: ParsableCommand {
    enum Format: String, ExpressibleByArgument, CaseIterable { case hex, raw, json }

    static let configuration = CommandConfiguration(
        commandName: "dump",
        abstract: "Dump a region of a BAR at a given access width.",
        discussion: """
            REGION is START, START+SIZE or START-END (END inclusive), as memtool takes it;
            default 0+0x100 (clipped to a smaller BAR). Every register in the region is read
            exactly once, in ascending order, at the chosen width.
              hex   one line per 16 bytes: offset, values, ASCII
              raw   exactly the region's bytes, little-endian as in memory
              json  offset, width and the values

            Examples:
              pcimmio dump 00:02.0 bar0
              pcimmio dump 00:02.0 0 0x1000+256 -w 8
              pcimmio dump 00:02.0 0 0-0xfff --format raw -o regs.bin
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var target: RegisterTarget

    @Argument(help: "START, START+SIZE or START-END.")
    var region: String = "0"

    @Option(help: "hex, raw or json.")
    var format: Format = .hex

    @Option(name: .customShort("o"), help: ArgumentHelp("Write to FILE instead of stdout.", valueName: "file"))
    var output: String?

    func run() throws {
        let region = try Region(parsing: region)
        let plan = try target.settings.plan(global.settings, offset: region.start, mode: .read) { region.length(barSize: $0.size) }
        let window = try plan.open(trace: global.settings.traceLog())
        let sink = try output.map { (path) throws(PCIMMIOError) in try OutputSink(path: path) } ?? .standardOutput()
        let reader = RegionReader(window: window, width: plan.width)
        switch format {
        case .raw:
            try reader.forEachChunk { (bytes, _) throws(PCIMMIOError) in try sink.write(bytes) }
        case .hex:
            let formatter = HexDumpFormatter(width: plan.width, end: plan.region.upperBound - 1)
            try reader.forEachChunk { (bytes, offset) throws(PCIMMIOError) in try formatter.write(bytes, offset: offset, to: sink) }
        case .json:
            try sink.write("{\"device\":\"\(plan.location.slot)\",\"bar\":\(plan.location.bar),\"offset\":\(plan.offset),\"width\":\(plan.width.bits),\"values\":[")
            var first = true
            try reader.forEachChunk { (bytes, _) throws(PCIMMIOError) in
                for start in stride(from: 0, to: bytes.count, by: plan.width.bytes) {
                    try sink.write((first ? "" : ",") + String(registerValue(bytes, at: start, width: plan.width)))
                    first = false
                }
            }
            try sink.write("]}\n")
        }
        try sink.flush()
    }
}
