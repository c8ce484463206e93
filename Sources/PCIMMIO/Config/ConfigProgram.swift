/// A list of `config` operations resolved against one device before any runs: capabilities
/// found, offsets inside its config space, aligned. A bad operand anywhere means nothing is
/// read or written at all (setpci parses everything first too).
public struct ConfigProgram {
    public struct Step: Sendable, Equatable {
        public let operation: ConfigOperation
        /// Absolute config offset of the first register.
        public let offset: Int

        public var registers: [Int] {
            operation.isWrite ? operation.values.indices.map { offset + $0 * operation.width.bytes } : [offset]
        }
    }

    /// What a run printed: a read's value, or a write made (or, dry, planned).
    public enum Result: Sendable, Equatable {
        case read(offset: Int, width: Width, value: UInt32)
        case wrote(offset: Int, width: Width, value: UInt32, mask: UInt32?)
    }

    public let steps: [Step]
    public let space: ConfigSpace

    static let headerNames = [0: "a function", 1: "a PCI-to-PCI bridge", 2: "a CardBus bridge"]

    public init(_ operations: [ConfigOperation], on space: ConfigSpace) throws(PCIMMIOError) {
        self.space = space
        var steps: [Step] = []
        for operation in operations {
            var offset = operation.displacement
            if case let .capability(id, extended, instance) = operation.base {
                guard let found = try CapabilityLocator.offset(of: id, extended: extended, instance: instance, in: space) else {
                    throw .usage("config operation '\(operation.text)': \(space.slot) has no \(extended ? "extended " : "")capability \(extended ? hex(id, digits: 4) : hex(id, digits: 2))"
                                           + (instance > 0 ? " instance \(instance)" : "") + "; nothing was written")
                }
                offset += found
            } else if case let .offset(base) = operation.base {
                offset += base
            } else if case let .named(name, base, headerTypes) = operation.base {
                let headerType = Int(try space.read(.w8, at: 0x0e) & 0x7f)
                guard headerTypes.contains(headerType) else {
                    throw .usage("config operation '\(operation.text)': \(space.slot) has no register \(name): its header is type \(headerType) (\(Self.headerNames[headerType] ?? "unknown")), and \(name) belongs to type \(headerTypes.sorted().map(String.init).joined(separator: "/")); nothing was written")
                }
                offset += base
            }
            let step = Step(operation: operation, offset: offset)
            for register in step.registers {
                do throws(PCIMMIOError) {
                    try space.check(operation.width, at: register)
                } catch {
                    throw .usage("config operation '\(operation.text)': \(error); nothing was written")
                }
            }
            steps.append(step)
        }
        self.steps = steps
    }

    /// Runs the steps in order. A masked write reads first; `dryRun` reads and writes nothing
    /// for writes (reads still happen: they are what was asked).
    public func run(dryRun: Bool) throws(PCIMMIOError) -> [Result] {
        var results: [Result] = []
        for step in steps {
            let width = step.operation.width
            guard step.operation.isWrite else {
                results.append(.read(offset: step.offset, width: width, value: try space.read(width, at: step.offset)))
                continue
            }
            for (index, value) in step.operation.values.enumerated() {
                let register = step.offset + index * width.bytes
                if !dryRun {
                    let poke = try Poke(width: width, value: UInt64(value.value), mask: value.mask.map(UInt64.init))
                    let old = poke.readsFirst ? UInt64(try space.read(width, at: register)) : 0
                    try space.write(width, at: register, value: UInt32(truncatingIfNeeded: poke.written(over: old)))
                }
                results.append(.wrote(offset: register, width: width, value: value.value, mask: value.mask))
            }
        }
        return results
    }
}
