import ArgumentParser
import PCIMMIO

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

    @Flag(help: "Read the region back afterwards; fail at the first register that differs.")
    var verify = false

    @Flag(help: "Print what would be written; open nothing for writing.")
    var dryRun = false

    @OptionGroup var transfer: TransferOptions

    func run() throws {
        let (target, operands) = try self.target.target(.fill, region, value)
        let region = try Region(parsing: operands[0])
        let value = try NumberParser.value(operands[1])
        let step = try increment.map { (text) throws(PCIMMIOError) in try NumberParser.value(text, what: "--increment") } ?? 0
        let session = try self.target.settings(global).session()
        if dryRun {
            print(try session.describeFill(target, region: region, value: value, step: step))
            return
        }
        try session.fill(target, region: region, value: value, step: step, flush: !transfer.noFlush, verify: verify,
                         progress: !transfer.noProgress)
    }
}
