import ArgumentParser
import PCIMMIO

/// What load and fill share: the flush read after a burst, and the progress line.
struct TransferOptions: ParsableArguments {
    @Flag(help: "After a --wc burst, skip the read that pushes the posted writes out.")
    var noFlush = false

    @Flag(help: "No progress line, even on a terminal.")
    var noProgress = false
}
