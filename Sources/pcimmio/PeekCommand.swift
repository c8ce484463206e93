import ArgumentParser
import PCIMMIO

struct PeekCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "peek",
        abstract: "Read registers: each exactly one load of the given width.",
        discussion: """
            Prints each value on its own line as 0x and width/4 hex digits, so \
            v=$(pcimmio peek …) works in scripts. The access is checked against the BAR \
            (alignment, bounds, width) before anything is opened. A register name comes from \
            --map FILE, else from the first map listing the device in PCIMMIO_MAPS, else in the \
            maps installed with pcimmio.

            Examples:
              pcimmio peek 00:02.0 bar0 0x10
              pcimmio peek 00:02.0 0 0x100 -w 16 -n 4
              pcimmio peek 1af4:1041 4 0x0 -w 64 --json
              pcimmio peek 1234:11e8 bar0 STATUS --decode
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var target: TargetOptions

    @Argument(help: "Offset into the BAR (decimal, 0x hex, 0b binary; k, M, G suffixes), or a register name from the map.")
    var offset: String?

    @Option(name: .customShort("n"), help: ArgumentHelp("Read COUNT consecutive registers.", valueName: "count"))
    var count: String = "1"

    @Flag(help: "Print one JSON object.")
    var json = false

    @Flag(help: "Explain each value with the device's register map: name, fields and their meanings (--map only names the map).")
    var decode = false

    func run() throws {
        let (target, operands) = try self.target.target(.peek, offset)
        try Self.perform(self.target.settings(global), target, offset: operands[0], count: count, json: json,
                         decode: decode)
    }

    static func perform(_ settings: Settings, _ target: RegisterTarget, offset: String, count: String, json: Bool,
                        decode: Bool) throws(PCIMMIOError) {
        let reference = try RegisterReference(parsing: offset)
        let count = try NumberParser.value(count, what: "count")
        guard count >= 1, count <= 1 << 24 else {
            throw .usage("-n \(count): the count must be between 1 and 16777216")
        }
        let session = try settings.session()
        let readout = try session.read(target, reference, count: Int(count), decode: decode)
        try standardOutput.write(json ? ReadoutFormat.json(readout) : ReadoutFormat.text(readout))
        try standardOutput.flush()
        try session.throwRaisedErrors()
    }
}
