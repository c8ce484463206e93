// lspci (pciutils) pointed at a fake tree, and parsers for its output: the oracle for
// enumeration, names, ids, drivers, BARs and -s/-d selectors.
import Foundation

enum Lspci {
    static func run(_ tree: URL, _ arguments: [String]) throws -> ProcessResult {
        try runProcess(try E2E.tool("lspci"), ["-A", "linux-sysfs", "-O", "sysfs.path=\(tree.path)"] + arguments)
    }

    static func runOK(_ tree: URL, _ arguments: [String]) throws -> ProcessResult {
        let result = try run(tree, arguments)
        guard result.status == 0 else { throw E2EFailure("lspci failed: \(result)") }
        return result
    }

    /// Slots listed by plain `lspci -D ARGS` (first word of each line); nil if lspci rejected ARGS.
    static func slots(_ tree: URL, _ arguments: [String]) throws -> [String]? {
        let result = try run(tree, ["-D"] + arguments)
        guard result.status == 0 else { return nil }
        return result.outLines.filter { !$0.hasPrefix("\t") }.compactMap { $0.split(separator: " ").first.map(String.init) }
    }

    /// One device from `lspci -vmm -nn -D -k`.
    struct Device {
        let slot: String
        let classID: Int
        let className: String?
        let vendorID: Int
        let vendorName: String?
        let deviceID: Int
        let deviceName: String?
        let subsystemVendorID: Int?
        let subsystemDeviceID: Int?
        let revision: Int
        let driver: String?
        /// pci.ids names the class but not the subclass: libpci then names it "Class [xxxx]"
        /// with the id inside the name (plain `lspci -vmm` shows the " [xxxx]" too).
        let classNameIsFallback: Bool
    }

    static func machineReadable(_ tree: URL) throws -> [Device] {
        let text = try runOK(tree, ["-vmm", "-nn", "-D", "-k"]).out
        let plain = try classLines(tree)
        return try text.components(separatedBy: "\n\n").compactMap { block -> Device? in
            var fields: [String: String] = [:]
            for line in block.split(separator: "\n") {
                guard let tab = line.firstIndex(of: "\t") else { continue }
                let key = String(line[..<tab]).trimmingCharacters(in: CharacterSet(charactersIn: ":"))
                fields[key] = String(line[line.index(after: tab)...])
            }
            guard let slot = fields["Slot"] else { return nil }
            func named(_ key: String, placeholder: String) throws -> (name: String?, id: Int) {
                guard let value = fields[key] else { throw E2EFailure("lspci -vmm: \(slot) has no \(key) line") }
                return try splitNameAndID(value, placeholder: placeholder)
            }
            let cls = try named("Class", placeholder: "Class")
            let vendor = try named("Vendor", placeholder: "Vendor")
            let device = try named("Device", placeholder: "Device")
            let sv = try fields["SVendor"].map { try splitNameAndID($0, placeholder: "Vendor").id }
            let sd = try fields["SDevice"].map { try splitNameAndID($0, placeholder: "Device").id }
            let rev = fields["Rev"].flatMap { Int($0, radix: 16) } ?? 0
            return Device(slot: slot, classID: cls.id, className: cls.name, vendorID: vendor.id,
                          vendorName: vendor.name, deviceID: device.id, deviceName: device.name,
                          subsystemVendorID: sv, subsystemDeviceID: sd, revision: rev, driver: fields["Driver"],
                          classNameIsFallback: plain[slot]?.hasSuffix(String(format: " [%04x]", cls.id)) ?? false)
        }
    }

    /// slot -> "Class:" of plain `lspci -vmm -D` (names only, no -nn).
    static func classLines(_ tree: URL) throws -> [String: String] {
        var result: [String: String] = [:]
        for block in try runOK(tree, ["-vmm", "-D"]).out.components(separatedBy: "\n\n") {
            var slot: String?, cls: String?
            for line in block.split(separator: "\n") {
                if line.hasPrefix("Slot:\t") { slot = String(line.dropFirst(6)) }
                if line.hasPrefix("Class:\t") { cls = String(line.dropFirst(7)) }
            }
            if let slot, let cls { result[slot] = cls }
        }
        return result
    }

    /// lspci -nn prints "Name [id]"; without a pci.ids name it prints "Vendor [beef]" /
    /// "Device [0001]" and the name is absent.
    static func splitNameAndID(_ text: String, placeholder: String) throws -> (name: String?, id: Int) {
        guard text.hasSuffix("]"), let open = text.range(of: " [", options: .backwards),
              let id = Int(text[open.upperBound..<text.index(before: text.endIndex)], radix: 16) else {
            throw E2EFailure("lspci -nn field without a trailing [id]: '\(text)'")
        }
        let name = String(text[..<open.lowerBound])
        return (name == placeholder ? nil : name, id)
    }

    /// A BAR line of `lspci -v`, in the order lspci prints them (ascending BAR index).
    struct BAR: Equatable, CustomStringConvertible {
        let kind: String        // mem32 | mem64 | io
        let prefetchable: Bool
        let address: UInt64     // 0 for <unassigned>
        let size: UInt64
        var description: String { "\(kind) pf=\(prefetchable) \(hex(address)) size \(hex(size))" }
    }

    /// `lspci -v -D`, split per device: slot -> BAR lines.
    static func bars(_ tree: URL) throws -> [String: [BAR]] {
        let text = try runOK(tree, ["-v", "-D"]).out
        var result: [String: [BAR]] = [:]
        for block in text.components(separatedBy: "\n\n") {
            let lines = block.split(separator: "\n").map(String.init)
            guard let header = lines.first, let slot = header.split(separator: " ").first else { continue }
            result[String(slot)] = try lines.dropFirst().compactMap(parseBARLine)
        }
        return result
    }

    /// "Memory at febc0000 (32-bit, non-prefetchable) [size=128K]",
    /// "Memory at <unassigned> (64-bit, prefetchable) [size=1M]", "I/O ports at c000 [size=64]".
    static func parseBARLine(_ raw: String) throws -> BAR? {
        let line = raw.trimmingCharacters(in: .whitespaces)
        let isMemory = line.hasPrefix("Memory at ")
        guard isMemory || line.hasPrefix("I/O ports at ") else { return nil }
        let afterAt = line[line.range(of: " at ")!.upperBound...]
        let addressText = afterAt.prefix { $0 != " " }
        let address: UInt64
        if addressText.hasPrefix("<") { address = 0 } else {
            guard let a = UInt64(addressText, radix: 16) else { throw E2EFailure("lspci BAR address in '\(line)'") }
            address = a
        }
        guard let sizeRange = line.range(of: "[size="),
              let close = line[sizeRange.upperBound...].firstIndex(of: "]") else {
            throw E2EFailure("lspci BAR line without [size=]: '\(line)'")
        }
        let size = try parseSize(String(line[sizeRange.upperBound..<close]))
        if !isMemory { return BAR(kind: "io", prefetchable: false, address: address, size: size) }
        guard let open = line.firstIndex(of: "("), let shut = line.firstIndex(of: ")") else {
            throw E2EFailure("lspci memory BAR without (bits, prefetch): '\(line)'")
        }
        let attrs = line[line.index(after: open)..<shut].components(separatedBy: ", ")
        return BAR(kind: attrs.contains("64-bit") ? "mem64" : "mem32",
                   prefetchable: attrs.contains("prefetchable"), address: address, size: size)
    }

    /// "128K" -> 0x20000; units K, M, G, T are powers of 1024.
    static func parseSize(_ text: String) throws -> UInt64 {
        let units: [Character: UInt64] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40]
        if let last = text.last, let unit = units[last], let n = UInt64(text.dropLast()) { return n * unit }
        guard let n = UInt64(text) else { throw E2EFailure("lspci size '\(text)'") }
        return n
    }
}

/// Indices of the BARs the kernel reports in a device's `resource` file (lines 0-5 with
/// flags set), read directly from the tree: the oracle for BAR numbering.
func resourceFileBARIndices(_ tree: URL, _ slot: String) throws -> [Int] {
    let path = deviceDir(tree, slot).appendingPathComponent("resource").path
    let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
    return try lines.prefix(6).enumerated().compactMap { index, line in
        let fields = line.split(separator: " ")
        guard fields.count == 3, let flags = UInt64(fields[2].dropFirst(2), radix: 16) else {
            throw E2EFailure("\(path): bad line '\(line)'")
        }
        return flags == 0 ? nil : index
    }
}

/// An attribute file of the tree, e.g. subsystem_vendor -> 0x8086.
func sysfsHexAttribute(_ tree: URL, _ slot: String, _ name: String) throws -> Int {
    let path = deviceDir(tree, slot).appendingPathComponent(name).path
    let text = try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    guard text.hasPrefix("0x"), let value = Int(text.dropFirst(2), radix: 16) else {
        throw E2EFailure("\(path): not a hex attribute: '\(text)'")
    }
    return value
}
