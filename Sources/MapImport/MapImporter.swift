import Glibc
import PCIMMIO

/// `pcimmio map import`: an IP-XACT or CMSIS-SVD file made into a pcimmio register map.
/// Each block becomes one BAR (in order, or as `--bar BLOCK=N` says), and the map must
/// pass every check `map check` makes; what cannot be represented is a problem at its line
/// in the XML file, and fails the import unless `keepGoing` drops it.
public struct MapImporter {
    public enum Format: String, Sendable, CaseIterable {
        case ipxact, svd
    }

    public struct Options: Sendable {
        public var format: Format?
        public var devices: [RegisterMap.DeviceID] = []
        /// Block name to BAR number. When given, only these blocks are imported.
        public var bars: [(block: String, bar: Int)] = []
        public var keepGoing = false

        public init() {}
    }

    /// The map, and every problem (those `keepGoing` dropped, or all that stop the import).
    public struct Result: Sendable {
        public let map: RegisterMap?
        public let problems: [MapProblem]
    }

    public static func run(file: String, output: String, options: Options) -> Result {
        // libxml2 calls a missing file "failed to load external entity": say what it is.
        guard access(file, R_OK) == 0 else {
            return Result(map: nil, problems: [MapProblem(file: file, line: 0, message: "cannot read the file: \(String(cString: strerror(errno)))")])
        }
        let root: XMLElement
        do throws(XMLElement.Malformed) {
            root = try XMLElement.parse(file: file)
        } catch {
            return Result(map: nil, problems: [MapProblem(file: file, line: error.line, message: "not well-formed XML: \(error.message)")])
        }
        let format: Format
        switch options.format ?? detect(root) {
        case let known?: format = known
        case nil:
            return Result(map: nil, problems: [MapProblem(file: file, line: root.line,
                message: "root element <\(root.name)> is neither an IP-XACT <component> nor an SVD <device>: give --format ipxact|svd")])
        }
        let document = format == .ipxact ? IPXACTImporter.read(root) : SVDImporter.read(root)
        return assemble(document, file: file, output: output, options: options)
    }

    static func detect(_ root: XMLElement) -> Format? {
        switch root.name {
        case "component": return .ipxact
        case "device": return .svd
        default: return nil
        }
    }

    /// Blocks to BARs, then the checks of `map check`, dropping what fails them.
    static func assemble(_ document: ImportedDocument, file: String, output: String, options: Options) -> Result {
        var problems = document.problems
        var placed: [(ImportedBlock, Int)] = []
        if options.bars.isEmpty {
            for (index, block) in document.blocks.enumerated() {
                guard index < 6 else {
                    problems.append(ImportProblem(line: block.line, message: "block \(block.name) would be BAR \(index): a device has BARs 0 to 5 (choose blocks with --bar BLOCK=N)", dropped: "block \(block.name)"))
                    continue
                }
                placed.append((block, index))
            }
        } else {
            for (name, bar) in options.bars {
                guard let block = document.blocks.first(where: { $0.name == name }) else {
                    return Result(map: nil, problems: [MapProblem(file: file, line: 0,
                        message: "--bar \(name)=\(bar): no block \(name) in this file (blocks: \(document.blocks.map(\.name).joined(separator: ", ")))")])
                }
                placed.append((block, bar))
            }
        }
        var registers: [RegisterDefinition] = []
        var bases: [Int: UInt64] = [:]
        for (block, bar) in placed {
            if let base = block.base { bases[bar] = base }
            var kept = block.registers.map { register in
                RegisterDefinition(name: register.name, bar: bar, offset: register.offset, width: register.width, access: register.access,
                                   reset: register.reset, description: register.description,
                                   fields: checkedFields(register, problems: &problems), line: register.line)
            }
            kept = kept.filter { register in
                guard RegisterMapLoader.isIdentifier(register.name) else {
                    problems.append(ImportProblem(line: register.line, message: "register name '\(register.name)' must be letters, digits and _ (it is used on the command line)", dropped: "register \(register.name)"))
                    return false
                }
                guard register.offset % UInt64(register.width.bytes) == 0 else {
                    problems.append(ImportProblem(line: register.line, message: "register \(register.name) at offset 0x\(String(register.offset, radix: 16)) is not aligned to its \(register.width.bits)-bit width", dropped: "register \(register.name)"))
                    return false
                }
                return true
            }
            let conflicts = RegisterMapChecks.registerConflicts(kept)
            let dropped = Set(conflicts.map(\.index))
            for finding in conflicts {
                problems.append(ImportProblem(line: finding.line, message: finding.message, dropped: "register \(kept[finding.index].name)"))
            }
            registers += kept.enumerated().filter { !dropped.contains($0.offset) }.map(\.element)
        }
        problems.sort { $0.line < $1.line }
        let reported = problems.map { problem in
            MapProblem(file: file, line: problem.line, message: options.keepGoing ? "\(problem.message); dropped \(problem.dropped)" : problem.message)
        }
        guard options.keepGoing || problems.isEmpty else { return Result(map: nil, problems: reported) }
        let map = RegisterMap(file: output, name: document.name, devices: options.devices, registers: registers, bases: bases)
        return Result(map: map, problems: reported)
    }

    /// The fields that fit a map: named like identifiers, not sharing bits.
    private static func checkedFields(_ register: RegisterDefinition, problems: inout [ImportProblem]) -> [RegisterField] {
        let named = register.fields.filter { field in
            guard RegisterMapLoader.isIdentifier(field.name) else {
                problems.append(ImportProblem(line: field.line, message: "field name '\(register.name).\(field.name)' must be letters, digits and _", dropped: "field \(register.name).\(field.name)"))
                return false
            }
            return true
        }
        let conflicts = RegisterMapChecks.fieldConflicts(named, register: register.name)
        for finding in conflicts {
            problems.append(ImportProblem(line: finding.line, message: finding.message, dropped: "field \(register.name).\(named[finding.index].name)"))
        }
        let dropped = Set(conflicts.map(\.index))
        return named.enumerated().filter { !dropped.contains($0.offset) }.map(\.element)
    }
}
