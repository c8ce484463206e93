import ArgumentParser
import PCIMMIO

struct PokeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "poke",
        abstract: "Write one register: exactly one store of the given width.",
        discussion: """
            --mask does a read-modify-write of only the masked bits (one read, one write). \
            Field assignments (STATUS.IRQ_ON_DONE=ON) of one register are one read-modify-write. \
            --verify reads the register back and fails, showing both values, on a mismatch. \
            --dry-run prints the write and opens nothing for writing (and reads nothing). \
            A value wider than the width is an error, never truncated.

            Examples:
              pcimmio poke 00:02.0 bar0 0x04 0x12345678
              pcimmio poke 00:02.0 bar0 0x20 0x80 --mask 0x80 --verify
              pcimmio poke 00:02.0 2 0x10 0xab -w 8 --dry-run
              pcimmio poke 1234:11e8 0 STATUS.IRQ_ON_DONE=ON --verify
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var target: TargetOptions

    @Argument(help: ArgumentHelp("OFFSET VALUE (offset or register name, then the value), or REGISTER.FIELD=VALUE assignments of one register.",
                                 valueName: "offset-and-value"))
    var write: [String] = []

    @Option(help: ArgumentHelp("Change only these bits (read-modify-write).", valueName: "mask"))
    var mask: String?

    @Flag(help: "Read back after writing; fail on a mismatch.")
    var verify = false

    @Flag(help: "Print what would be written; touch nothing.")
    var dryRun = false

    func run() throws {
        let (target, operands) = try self.target.target(.poke, write)
        try Self.perform(self.target.settings(global), target, write: operands, mask: mask, verify: verify, dryRun: dryRun)
    }

    static func perform(_ settings: Settings, _ target: RegisterTarget, write: [String], mask: String?,
                        verify: Bool, dryRun: Bool) throws(PCIMMIOError) {
        let request = try ScriptStatement.pokeRequest(write, mask: mask)
        let session = try settings.session()
        if dryRun {
            for line in try session.describePoke(target, request, verify: verify) { try standardOutput.write(line + "\n") }
        } else {
            try session.poke(target, request, verify: verify)
        }
        try standardOutput.flush()
    }
}
