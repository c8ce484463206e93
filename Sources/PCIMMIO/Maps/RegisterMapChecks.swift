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
        for (index, register) in registers.enumerated() {
            if let earlier = firstByName[register.name] {
                findings.append(Finding(index: index, line: register.line,
                    message: "register name \(register.name) is used twice in BAR \(register.bar) (also line \(registers[earlier].line))"))
            } else {
                firstByName[register.name] = index
            }
        }
        // By offset, the register reaching furthest so far is the one anything starting
        // before its end overlaps.
        let order = registers.indices.sorted { (registers[$0].offset, $0) < (registers[$1].offset, $1) }
        var reach: Int?
        for index in order {
            let register = registers[index]
            if let reach, register.offset < registers[reach].end {
                let (later, earlier) = (max(index, reach), min(index, reach))
                findings.append(Finding(index: later, line: registers[later].line,
                    message: "register \(describe(registers[later])) overlaps \(registers[earlier].name) (0x\(String(registers[earlier].offset, radix: 16)), \(registers[earlier].width.bits)-bit, line \(registers[earlier].line))"))
            }
            if reach.map({ register.end > registers[$0].end }) ?? true { reach = index }
        }
        return findings
    }

    /// Names used twice and fields sharing bits, among the fields of one register (a few
    /// dozen at most, so pair by pair).
    public static func fieldConflicts(_ fields: [RegisterField], register: String) -> [Finding] {
        var findings: [Finding] = []
        for (index, field) in fields.enumerated() {
            for earlier in fields[..<index] {
                if earlier.name == field.name {
                    findings.append(Finding(index: index, line: field.line,
                        message: "field name \(register).\(field.name) is used twice (also line \(earlier.line))"))
                }
                if earlier.mask & field.mask != 0 {
                    findings.append(Finding(index: index, line: field.line,
                        message: "field \(register).\(field.name) \(field.bitsText) overlaps \(earlier.name) \(earlier.bitsText) (line \(earlier.line))"))
                }
            }
        }
        return findings
    }

    private static func describe(_ register: RegisterDefinition) -> String {
        "\(register.name) (0x\(String(register.offset, radix: 16)), \(register.width.bits)-bit)"
    }
}
