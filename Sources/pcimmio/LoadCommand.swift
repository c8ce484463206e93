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

    @Flag(help: "Print what would be written; open nothing for writing.")
    var dryRun = false

    @OptionGroup var transfer: TransferOptions

    func run() throws {
        let (target, operands) = try self.target.target(.load, offset, file)
        let offset = try NumberParser.quantity(operands[0], what: "offset")
        let session = try self.target.settings(global).session()
        // A stream is read no further than the BAR holds from OFFSET: `load … - < /dev/zero`
        // stops there. A regular file's size is known: the bounds check names it.
        var limit = mostBytesRead
        if !isRegularFile(operands[1]), case let .bar(selector, index) = target.place, let bar = try session.device(selector).bar(index) {
            limit = bar.size > offset ? Int(clamping: bar.size - offset) : 0
        }
        let bytes = try readWholeFile(operands[1], limit: max(limit, 1))
        if dryRun {
            print(try session.describeLoad(target, offset: offset, bytes: bytes, from: operands[1]))
            return
        }
        try session.load(target, offset: offset, bytes: bytes, verify: verify, flush: !transfer.noFlush, progress: !transfer.noProgress)
    }
}
