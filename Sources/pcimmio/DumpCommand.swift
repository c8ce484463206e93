import ArgumentParser
import PCIMMIO

struct DumpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dump",
        abstract: "Dump a region of a BAR at a given access width.",
        discussion: """
            REGION is START, START+SIZE or START-END (END inclusive), as memtool takes it; \
            default 0+0x100 (clipped to a smaller BAR). Every register in the region is read \
            exactly once, in ascending order, at the chosen width. Formats:
              hex   one line per 16 bytes: offset, values, ASCII
              raw   exactly the region's bytes, little-endian as in memory
              json  offset, width and the values

            With --decode, only the register map's registers in the region are read, each at its own \
            width, and decoded as text; wo and rc registers are skipped (and listed) unless \
            --include-side-effects. The map is --map FILE, else the first listing the device in \
            PCIMMIO_MAPS or the installed maps. --map alone only names the map: raw, json and -w \
            dumps stay what they are.

            Examples:
              pcimmio dump 00:02.0 bar0
              pcimmio dump 00:02.0 0 0x1000+256 -w 8
              pcimmio dump 00:02.0 0 0-0xfff --format raw -o regs.bin
              pcimmio dump 1234:11e8 0 0+0x100 --decode
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var target: TargetOptions

    @Argument(help: "START, START+SIZE or START-END (default 0+0x100, clipped to the BAR).")
    var region: String?

    @Option(help: "hex, raw or json.", completion: .list(["hex", "raw", "json"]))
    var format: String = "hex"

    @Option(name: .customShort("o"), help: ArgumentHelp("Write to FILE instead of stdout.", valueName: "file"))
    var output: String?

    @Flag(help: "Dump the map's registers in the region, each at its own width, decoded as text.")
    var decode = false

    @Flag(help: "With a map, also read write-only and read-side-effect (rc) registers.")
    var includeSideEffects = false

    @Flag(help: "No progress line, even on a terminal.")
    var noProgress = false

    func run() throws {
        let (target, operands) = try self.target.target(.dump, region)
        let region = try Region(parsing: operands.first ?? "0")
        let format = try DumpFormat(parsing: format)
        let session = try self.target.settings(global).session()
        if decode {
            try format.checkDecoding(width: target.explicitWidth)
            let sink = try output.map { (path) throws(PCIMMIOError) in try OutputSink(path: path) } ?? standardOutput
            try session.decodedRegisters(target, region: region, includeSideEffects: includeSideEffects) { (read) throws(PCIMMIOError) in
                try sink.write(ReadoutFormat.text(read))
            }
            try sink.flush()
        } else {
            try session.dump(target, region: region, format: format, progress: !noProgress) { () throws(PCIMMIOError) in
                try output.map { (path) throws(PCIMMIOError) in try OutputSink(path: path) } ?? standardOutput
            }
        }
        try standardOutput.flush()
    }
}
