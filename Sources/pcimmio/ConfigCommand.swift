import ArgumentParser
import PCIMMIO

struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Read and write configuration space with setpci's operations, or dump it as lspci -x does.",
        discussion: """
            Each OPERATION is REGISTER[+OFFSET][.B|.W|.L][@N][=VALUE[:MASK][,VALUE[:MASK]…]], as \
            setpci takes it: REGISTER is a hex offset (10 or 0x10), a name from \
            setpci --dumpregs (COMMAND, STATUS, BASE_ADDRESS_0, …) or a capability (CAP_EXP, \
            ECAP_AER, CAP10, ECAP0001); @N after the width picks the Nth instance of a \
            capability, as in CAP_VNDR+3.b@1; values and masks are hex.

            A read prints its value as setpci does: width/4 hex digits, no 0x. A write with a \
            mask reads once and writes (old & ~MASK) | VALUE. Every operation is checked \
            against the device (capability present, inside the config space, aligned) before \
            any runs: one bad operand and nothing is written. Through VFIO when the device is \
            bound to vfio-pci (sysfs config writes are refused under kernel lockdown).

            Examples:
              pcimmio config 00:02.0 COMMAND VENDOR_ID.l
              pcimmio config 00:02.0 COMMAND.W=0x2:0x2        (enable memory decoding)
              pcimmio config 00:03.0 CAP_EXP+8.w ECAP_AER+4.l
              pcimmio config 00:03.0 40.l=11223344,55667788 --dry-run
              pcimmio config 00:03.0 --dump -xxx
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var target: DeviceWriteArguments

    @Argument(help: "setpci operations, run in order.")
    var operations: [String] = []

    @Flag(help: "Print one JSON array of the reads and writes.")
    var json = false

    @Flag(name: .customShort("D"), help: "The same as --dry-run (setpci's spelling).")
    var demo = false

    @Flag(help: "Print the config space as hex, laid out like lspci -x.")
    var dump = false

    @Flag(name: .customShort("x"), help: "With --dump: -x 64 bytes, -xxx 256, -xxxx 4096 (as lspci).")
    var x: Int

    @OptionGroup var configPath: ConfigPathOption

    func validate() throws {
        if dump && !operations.isEmpty { throw ValidationError("--dump takes no operations") }
        if !dump && operations.isEmpty { throw ValidationError("give at least one operation, or --dump") }
        if x > 0 && !dump { throw ValidationError("-x goes with --dump") }
    }

    func run() throws {
        let session = try global.settings.session()
        // Every operand parsed before the device is touched.
        let parsed = try operations.map { (text) throws(PCIMMIOError) in try ConfigOperation(parsing: text) }
        let space = try session.configSpace(target.selector, via: try configPath.parsed)
        if dump {
            let bytes = try space.bytes(count: configDumpLength(xCount: max(x, 1), size: space.size))
            for line in configDumpLines(bytes) { try standardOutput.write(line + "\n") }
            try standardOutput.flush()
            return
        }
        let dryRun = target.dryRun || demo
        let results = try ConfigProgram(parsed, on: space).run(dryRun: dryRun)
        try standardOutput.write(json ? ConfigResults.json(results, slot: space.slot, via: space.via, dryRun: dryRun) : ConfigResults.text(results, slot: space.slot, dryRun: dryRun))
        try standardOutput.flush()
    }
}
