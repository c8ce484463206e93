import ArgumentParser
import PCIMMIO

struct WaitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wait",
        abstract: "Poll a register until (value & MASK) == VALUE.",
        discussion: """
            Prints the final value and exits 0 when the condition holds; on timeout prints an \
            error with the last value read (with --until, each field's last value and name) and \
            exits 1. Without --mask the whole register must equal --value. Durations take ns, us, \
            ms, s, m or h, with decimals (1.5s); --timeout also takes forever.

            Examples:
              pcimmio wait 00:03.0 bar0 0x20 --mask 0x1 --value 0
              pcimmio wait 00:03.0 0 0x20 --mask 0x80000000 --value 0x80000000 --timeout 2s --interval 10ms
              pcimmio wait 1234:11e8 0 --until STATUS.COMPUTING=IDLE
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var target: TargetOptions

    @Argument(help: "Offset into the BAR, or a register name (not with --until).")
    var offset: String?

    @Option(help: ArgumentHelp("Bits to compare (default: the whole register).", valueName: "mask"))
    var mask: String?

    @Option(help: ArgumentHelp("What the masked bits (or the whole register) must equal.", valueName: "value"))
    var value: String?

    @Option(help: ArgumentHelp("Wait for fields instead: REGISTER.FIELD=VALUE[,REGISTER.FIELD=VALUE…] (needs a map).", valueName: "condition"))
    var until: String?

    @Option(help: ArgumentHelp("Give up after this long: 500ms, 1.5s, 2m, or forever.", valueName: "duration"))
    var timeout: String = "500ms"

    @Option(help: ArgumentHelp("Time between reads.", valueName: "duration"))
    var interval: String = "1ms"

    func run() throws {
        let (target, operands) = try self.target.target(.wait, offset)
        let request = try ScriptStatement.waitRequest(operands.first, mask: mask, value: value, until: until)
        let timeout = try DurationParser.nanoseconds(timeout, what: "--timeout", forever: true)
        let interval = try DurationParser.nanoseconds(interval, what: "--interval")
        let session = try self.target.settings(global).session()
        let final = try session.wait(target, request, timeout: timeout, interval: interval) { () throws(PCIMMIOError) in
            try standardOutput.flush()
        }
        try standardOutput.write(formatRegister(final.value, width: final.width) + "\n")
        try standardOutput.flush()
        try session.throwRaisedErrors()
    }
}
