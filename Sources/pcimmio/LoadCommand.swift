import ArgumentParser
import PCIMMIO

struct LoadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Write a file's bytes into a BAR: consecutive registers, one store each.",
        discussion: """
            The file's bytes become consecutive registers of the width (default 32), each written with exactly one store in ascending order, little-endian as in memory: a dump --format raw of the same region gives the file back. The file must be a whole number of registers and the whole range must lie inside the BAR; both are checked before anything is opened. With --wc (a prefetchable BAR with resourceN_wc) the stores are a write-combining burst with one store fence at the end, then one read of the BAR's first register pushes the posted writes out (--no-flush skips it). --verify reads the range back and reports the first mismatch.

            Examples:
              pcimmio load 00:04.0 2 0x0 firmware.bin --wc --verify
              pcimmio dump 00:04.0 2 0+64k --format raw -o saved.bin; pcimmio load 00:04.0 2 0 saved.bin
              cat image.bin | pcimmio load 00:04.0 2 0x1000 - -w 64
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var target: TargetOptions

    @Argument(help: "Offset into the BAR where the first register goes.")
    var offset: String?

    @Argument(help: "The file to load, or - for standard input.")
    var file: String?

    @Flag(help: "Read the range back afterwards; fail at the first register that differs.")
    var verify = false

    @OptionGroup var transfer: TransferOptions

    func run() throws {
        let (target, operands) = try self.target.target(.load, offset, file)
        let offset = try NumberParser.quantity(operands[0], what: "offset")
        let bytes = try readWholeFile(operands[1])
        let session = try self.target.settings(global).session()
        try session.load(target, offset: offset, bytes: bytes, verify: verify, flush: !transfer.noFlush, progress: !transfer.noProgress)
    }
}

struct FillCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fill",
        abstract: "Fill a region of a BAR with a value, or a ramp with --increment.",
        discussion: """
            Writes VALUE to every register of REGION (START, START+SIZE or START-END, as memtool takes it), each with one store of the width in ascending order; with --increment STEP the registers get VALUE, VALUE+STEP, VALUE+2*STEP, … wrapping at the width. --wc makes it a write-combining burst, as for load.

            Examples:
              pcimmio fill 00:04.0 2 0+1M 0
              pcimmio fill 00:04.0 2 0x1000+0x100 0x0 --increment 1 -w 8
              pcimmio fill 00:04.0 2 0+16M 0xdeadbeef --wc
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var target: TargetOptions

    @Argument(help: "START, START+SIZE or START-END (END inclusive).")
    var region: String?

    @Argument(help: "The value of the first register.")
    var value: String?

    @Option(help: ArgumentHelp("Add STEP for each next register (a ramp).", valueName: "step"))
    var increment: String?

    @OptionGroup var transfer: TransferOptions

    func run() throws {
        let (target, operands) = try self.target.target(.fill, region, value)
        let region = try Region(parsing: operands[0])
        let value = try NumberParser.value(operands[1])
        let step = try increment.map { (text) throws(PCIMMIOError) in try NumberParser.value(text, what: "--increment") } ?? 0
        let session = try self.target.settings(global).session()
        try session.fill(target, region: region, value: value, step: step, flush: !transfer.noFlush, progress: !transfer.noProgress)
    }
}

/// What load and fill share: the flush read after a burst, and the progress line.
struct TransferOptions: ParsableArguments {
    @Flag(help: "After a --wc burst, skip the read that pushes the posted writes out.")
    var noFlush = false

    @Flag(help: "No progress line, even on a terminal.")
    var noProgress = false
}
