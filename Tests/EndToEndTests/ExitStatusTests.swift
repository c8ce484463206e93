import Testing

/// The README's contract: 2 for malformed input (including usage errors), 1 for everything else.
@Suite struct ExitStatusTests {
    @Test(arguments: [
        (["peek"], 2),                                  // missing arguments
        (["frobnicate"], 2),                            // unknown command
        (["peek", "00:03.0", "0", "0x2"], 2),           // misaligned
        (["peek", "00:03.0", "0", "0xZZ"], 2),          // not a number
        (["poke", "00:03.0", "0", "0", "0x100", "-w", "8"], 2),  // too wide
        (["peek", "00:09.0", "0", "0"], 1),             // no such device
        (["peek", "00:03.0", "0", "0x1000"], 1),        // past the end of the BAR
        (["wait", "00:03.0", "0", "0", "--mask", "0xff", "--value", "0x12", "--timeout", "0ms"], 1),
    ] as [([String], Int32)])
    func exitStatus(arguments: [String], status: Int32) throws {
        let result = try pcimmio(arguments, sysfs: try sharedTree("basic"))
        #expect(result.exitedNormally)
        #expect(result.status == status, "\(result)")
        #expect(result.errLines.count == 1 && result.errLines[0].hasPrefix("pcimmio: "), "\(result)")
    }
}
