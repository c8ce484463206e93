/// The checks one BAR's registers and one register's fields must pass, wherever they come
/// from: a JSON map (`map check`) or an import from IP-XACT or SVD, which drops the items
/// found here with --keep-going.
///
/// Registers are checked in n log n (sorted by offset, then one sweep), not pair by pair:
/// maps exported from hardware descriptions have tens of thousands of registers.
public enum RegisterMapChecks {
    /// A problem of the item at `index` (the later one in the file, of two that conflict).
    public struct Finding: Equatable, Sendable {
        public let index: Int
        public let line: Int
        public let message: String
    }

    /// Names used twice and registers overlapping another, among the registers of one BAR.
    public static func registerConflicts(_ registers: [RegisterDefinition]) -> [Finding] {
        var findings: [Finding] = []
        var firstByName: [String: Int] = [:]
        firstByName.reserveCapacity(registers.count)
        for index in registers.indices {
            // One look-up for a new name (nearly all): a repeated one puts the first back.
            if let earlier = firstByName.updateValue(index, forKey: registers[index].name) {
                firstByName[registers[index].name] = earlier
                findings.append(Finding(index: index, line: registers[index].line,
                    message: "register name \(registers[index].name) is used twice in BAR \(registers[index].bar) (also line \(registers[earlier].line))"))
            }
        }
        // By offset, the register reaching furthest so far is the one anything starting
        // before its end overlaps.
        let order = registers.indices.sorted { (registers[$0].offset, $0) < (registers[$1].offset, $1) }
        var reach: Int?
        for index in order {
            if let reach, registers[index].offset < registers[reach].end {
                let (later, earlier) = (max(index, reach), min(index, reach))
                findings.append(Finding(index: later, line: registers[later].line,
                    message: "register \(describe(registers[later])) overlaps \(registers[earlier].name) (0x\(String(registers[earlier].offset, radix: 16)), \(registers[earlier].width.bits)-bit, line \(registers[earlier].line))"))
            }
            if reach.map({ registers[index].end > registers[$0].end }) ?? true { reach = index }
        }
        return findings
    }

    /// Names used twice and fields sharing bits, among the fields of one register (a few
    /// dozen at most, so pair by pair).
    public static func fieldConflicts(_ fields: [RegisterField], register: String) -> [Finding] {
        var findings: [Finding] = []
        // By index, not by copies of the fields: a map checks hundreds of thousands of them.
        for index in fields.indices {
            for earlier in fields.indices[..<index] {
                if fields[earlier].name == fields[index].name {
                    findings.append(Finding(index: index, line: fields[index].line,
                        message: "field name \(register).\(fields[index].name) is used twice (also line \(fields[earlier].line))"))
                }
                if fields[earlier].mask & fields[index].mask != 0 {
                    findings.append(Finding(index: index, line: fields[index].line,
                        message: "field \(register).\(fields[index].name) \(fields[index].bitsText) overlaps \(fields[earlier].name) \(fields[earlier].bitsText) (line \(fields[earlier].line))"))
                }
            }
        }
        return findings
    }

    private static func describe(_ register: RegisterDefinition) -> String {
        "\(register.name) (0x\(String(register.offset, radix: 16)), \(register.width.bits)-bit)"
    }
}
