import PCIMMIO

/// One block of registers as an importer read it: an IP-XACT `addressBlock` or a CMSIS-SVD
/// `peripheral`. Each becomes one BAR of the map. Registers carry the XML line they came
/// from (their `bar` is filled in when the block is given one).
public struct ImportedBlock: Sendable {
    public let name: String
    public let line: Int
    /// Where the block sits in its address space (SVD `baseAddress`, IP-XACT `baseAddress`).
    public let base: UInt64?
    public var registers: [RegisterDefinition]
}

/// Something the importer could not represent, at its line; `dropped` says what
/// `--keep-going` leaves out of the map because of it.
public struct ImportProblem: Sendable, Equatable, CustomStringConvertible {
    public let line: Int
    public let message: String
    public let dropped: String

    public var description: String { "\(line): \(message)" }
}

/// What an importer read: the component's or device's name, its blocks, its problems.
public struct ImportedDocument: Sendable {
    public var name: String?
    public var blocks: [ImportedBlock] = []
    public var problems: [ImportProblem] = []

    /// The most registers one import makes, arrays expanded: checked before an array is
    /// expanded (the product of its dims) and as registers are made (issue 22 group G).
    public static let mostRegisters = 1 << 20
    /// Registers made so far.
    var registerCount = 0

    /// Whether `count` more registers fit; otherwise one problem (the first time) and false.
    mutating func room(for count: Int, _ element: XMLElement, _ what: String) -> Bool {
        let (total, overflow) = registerCount.addingReportingOverflow(count)
        guard overflow || total > Self.mostRegisters else { return true }
        // Full: every loop that makes registers stops at its next step.
        registerCount = Self.mostRegisters
        if !problems.contains(where: { $0.message.hasPrefix("more than ") }) {
            problem(element, "more than \(Self.mostRegisters) registers once arrays are expanded (at \(what)): pcimmio imports at most that many", dropping: what + " and the rest")
        }
        return false
    }

    /// `a + b`, or a problem naming `what` when it passes 2^64.
    mutating func sum(_ a: UInt64, _ b: UInt64, _ element: XMLElement, _ what: String) -> UInt64? {
        let (total, overflow) = a.addingReportingOverflow(b)
        if overflow { problem(element, "the offset of \(what) is past 2^64", dropping: what); return nil }
        return total
    }

    /// `a * b`, or a problem naming `what` when it passes 2^64.
    mutating func product(_ a: UInt64, _ b: UInt64, _ element: XMLElement, _ what: String) -> UInt64? {
        let (total, overflow) = a.multipliedReportingOverflow(by: b)
        if overflow { problem(element, "\(what) is past 2^64", dropping: what); return nil }
        return total
    }

    mutating func problem(_ element: XMLElement, _ message: String, dropped: String) {
        problem(element, message, dropping: dropped)
    }

    mutating func problem(_ element: XMLElement, _ message: String, dropping dropped: String) {
        problems.append(ImportProblem(line: element.line, message: message, dropped: dropped))
    }
}

/// The access words both formats use (IP-XACT `access`, SVD `access`).
enum ImportedAccess {
    static func parse(_ text: String) -> RegisterAccess? {
        switch text {
        case "read-write", "read-writeOnce": return .rw
        case "read-only": return .ro
        case "write-only", "writeOnce": return .wo
        default: return nil
        }
    }

    static let known = "read-write, read-only, write-only, writeOnce, read-writeOnce"

    /// SVD's modifiedWriteValues and IP-XACT's modifiedWriteValue: what a write does to a
    /// writable field (nil: it stores the value, `modify`).
    static func modifiedWrite(_ text: String) -> RegisterAccess? {
        switch text {
        case "oneToClear": return .w1c
        case "oneToSet": return .w1s
        case "oneToToggle": return .w1t
        case "zeroToClear": return .w0c
        case "zeroToSet": return .w0s
        case "zeroToToggle": return .w0t
        case "clear": return .wclr
        case "set": return .wset
        default: return nil
        }
    }

    /// A field's access with its write semantics: a read side effect (rc) wins, being what
    /// pcimmio must never do by itself; a read-only or write-only field keeps its access.
    static func withModifiedWrite(_ access: RegisterAccess?, _ modified: String?) -> RegisterAccess? {
        guard let modified, let write = modifiedWrite(modified), access == nil || access == .rw else { return access }
        return write
    }

    /// A register's access from its fields' when it gives none: a read with side effects in
    /// any field makes reading the register one.
    static func ofRegister(declared: RegisterAccess?, fields: [RegisterField]) -> RegisterAccess {
        if fields.contains(where: { $0.access == .rc }) { return .rc }
        if let declared { return declared }
        let accesses = Set(fields.compactMap(\.access))
        if accesses == [.ro] { return .ro }
        if accesses == [.wo] { return .wo }
        return .rw
    }
}
