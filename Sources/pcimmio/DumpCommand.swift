import ArgumentParser
import PCIMMIO

struct DumpCommand: ParsableCommand {
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
    @OptionGroup var target: TargetOptions

    @Argument(help: "START, START+SIZE or START-END.")
    var region: String = "0"

    @Option(help: "hex, raw or json.")
    var format: String = "hex"

    @Option(name: .customShort("o"), help: ArgumentHelp("Write to FILE instead of stdout.", valueName: "file"))
    var output: String?

    func run() throws {
        let target = try target.target
        let region = try Region(parsing: region)
        let format = try DumpFormat(parsing: format)
        let session = try global.settings.session()
        let sink = try output.map { (path) throws(PCIMMIOError) in try OutputSink(path: path) }
        try session.dump(target, region: region, format: format, to: sink)
        try (sink ?? session.output).flush()
    }
}
