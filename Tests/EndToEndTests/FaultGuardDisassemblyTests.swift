// The fault guard in Sources/MMIOAccess is state shared with a signal handler. An optimiser
// that does not know that drops the store arming it (issue 12: release builds died of
// SIGBUS). This reads the accessors' machine code in the binary under test, so a compiler
// upgrade cannot bring the bug back silently: every accessor must store a pointer into the
// thread-local slot it later clears.
import Foundation
import Testing

@Suite struct FaultGuardDisassemblyTests {
    static let accessors = ["8", "16", "32", "64"].flatMap { ["mmio_read\($0)", "mmio_write\($0)", "mmio_write_burst\($0)"] }

    @Test(arguments: accessors)
    func theAccessorArmsTheGuardItLaterClears(_ symbol: String) throws {
        #if arch(x86_64)
        let binary = try E2E.binary()
        let result = try runProcess(try E2E.tool("objdump"), ["-d", "--no-show-raw-insn", "--disassemble=\(symbol)", binary])
        #expect(result.status == 0, "\(result)")
        let stores = threadLocalStores(result.out)
        #expect(!stores.isEmpty, "\(symbol): no thread-local stores found in \(binary); objdump printed:\n\(result.out.prefix(3000))")
        // The slot cleared with an immediate 0 is the guard pointer; arming stores a register there.
        let cleared = Set(stores.filter { $0.source == "$0x0" }.map(\.slot))
        let armed = cleared.filter { slot in stores.contains { $0.slot == slot && $0.source.hasPrefix("%") } }
        #expect(!cleared.isEmpty, "\(symbol): the guard is never cleared\n\(result.out.prefix(3000))")
        #expect(!armed.isEmpty, "\(symbol): the store arming the guard is missing (only `guard = NULL` survived optimisation)\n\(result.out.prefix(3000))")
        // guard_low and guard_high are stored too: three slots in all.
        #expect(Set(stores.map(\.slot)).count >= 3, "\(symbol): expected stores of guard, guard_low and guard_high\n\(result.out.prefix(3000))")
        #endif
    }

    struct Store: Equatable {
        let source: String
        let slot: String
    }

    /// Stores into thread-local storage, in either form the linker leaves: `mov SRC,%fs:OFF`,
    /// or `mov %fs:0x0,%BASE` followed by `mov SRC,OFF(%BASE)`.
    func threadLocalStores(_ disassembly: String) -> [Store] {
        var threadPointers: Set<String> = []
        var stores: [Store] = []
        for line in disassembly.split(separator: "\n") {
            let fields = line.split(separator: "\t").map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count >= 2 else { continue }
            let instruction = fields[1].replacingOccurrences(of: "data16 ", with: "")
            let parts = instruction.split(separator: " ", maxSplits: 1).map(String.init)
            guard parts.count == 2, parts[0].hasPrefix("mov") else { continue }
            let operands = parts[1].split(separator: ",").map(String.init)
            guard operands.count == 2 else { continue }
            let (source, destination) = (operands[0].trimmingCharacters(in: .whitespaces), operands[1])
            if source == "%fs:0x0" {
                threadPointers.insert(destination)
            } else if destination.hasPrefix("%fs:") {
                stores.append(Store(source: source, slot: destination))
            } else if let open = destination.firstIndex(of: "("), destination.hasSuffix(")"),
                      threadPointers.contains(String(destination[destination.index(after: open)..<destination.index(before: destination.endIndex)])) {
                stores.append(Store(source: source, slot: String(destination[..<open])))
            } else if threadPointers.contains(destination) {
                threadPointers.remove(destination)  // the register now holds something else
            }
        }
        return stores
    }
}
