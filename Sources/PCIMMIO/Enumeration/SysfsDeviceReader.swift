import Glibc

/// One function named by its full slot, read straight from its sysfs directory: the files
/// libpci's sysfs method reads for the fields pcimmio uses (vendor, device, class, revision,
/// subsystem_vendor, subsystem_device, the driver link and resource). A register command on a
/// slot so neither loads libpci nor reads every device of the tree (libpci's scan reads each
/// one's resource, irq, vendor, device and class files). Names from pci.ids are libpci's job:
/// commands that print them use PCITree. The two agree field for field on every fixture tree
/// (EnumerationOracleTests).
struct SysfsDeviceReader {
    let root: String

    /// The one function `slot` names (a slot without a domain matches it in any domain, as
    /// libpci's filter does); nil when its directory lacks a file libpci would have taken
    /// from config space instead (old kernels): the caller asks libpci then.
    func device(_ slot: SlotAddress, text: String) throws(PCIMMIOError) -> PCIDevice? {
        let present = try slots()
        let matches = present.filter { slot.matches($0) }
        guard matches.count == 1 else {
            let names = { (slots: [SlotAddress]) in slots.map(\.address).sorted().map(\.description) }
            if matches.isEmpty { throw .noSuchDevice(text: text, candidates: names(present)) }
            throw .ambiguousDevice(text: text, matches: names(matches))
        }
        return describe(matches[0].address)
    }

    /// Every function in `<root>/devices`.
    private func slots() throws(PCIMMIOError) -> [SlotAddress] {
        let directory = root + "/devices"
        guard let stream = opendir(directory) else {
            throw .pciTreeUnreadable(root: root, reason: "cannot open \(directory): \(String(cString: strerror(errno)))")
        }
        defer { closedir(stream) }
        var found: [SlotAddress] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            if let slot = SlotAddress(sysfsName: name) { found.append(slot) }
        }
        return found
    }

    private func describe(_ address: PCIAddress) -> PCIDevice? {
        let directory = root + "/devices/" + address.description
        guard let vendor = number(directory, "vendor"), let device = number(directory, "device"),
              let deviceClass = number(directory, "class"), let revision = number(directory, "revision"),
              let subsystemVendor = number(directory, "subsystem_vendor"), let subsystem = number(directory, "subsystem_device"),
              let resources = ResourceTable(text(directory + "/resource") ?? "") else { return nil }
        return PCIDevice(
            address: address,
            vendorID: UInt16(truncatingIfNeeded: vendor),
            deviceID: UInt16(truncatingIfNeeded: device),
            deviceClass: UInt16(truncatingIfNeeded: deviceClass >> 8),
            revision: UInt8(truncatingIfNeeded: revision),
            subsystemVendorID: UInt16(truncatingIfNeeded: subsystemVendor),
            subsystemID: UInt16(truncatingIfNeeded: subsystem),
            vendorName: nil, deviceName: nil, className: nil,
            driver: driver(directory),
            bars: resources.bars(directory: directory),
            directory: directory,
            rom: resources.rom(directory: directory)
        )
    }

    /// A sysfs attribute holding one number (`0x8086`), read as libpci does (strtol, base 0).
    private func number(_ directory: String, _ name: String) -> UInt64? {
        guard let text = text(directory + "/" + name) else { return nil }
        var trimmed = Substring(text)
        while let last = trimmed.last, last.isWhitespace { trimmed = trimmed.dropLast() }
        if trimmed.hasPrefix("0x") || trimmed.hasPrefix("0X") { return UInt64(trimmed.dropFirst(2), radix: 16) }
        return UInt64(trimmed)
    }

    /// The bound driver: the last part of the `driver` link.
    private func driver(_ directory: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX))
        let length = readlink(directory + "/driver", &buffer, buffer.count - 1)
        guard length > 0 else { return nil }
        let target = String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return target.split(separator: "/").last.map(String.init)
    }

    /// A small file's text (sysfs attributes are at most a page); nil when it cannot be read.
    private func text(_ path: String) -> String? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 4096) { buffer in
            let got = read(descriptor, buffer.baseAddress, buffer.count)
            return got < 0 ? nil : String(decoding: UnsafeBufferPointer(rebasing: buffer[0..<got]), as: UTF8.self)
        }
    }
}

/// The sysfs `resource` file: one `start end flags` line (hex) per BAR, then the ROM and, for
/// bridges, their windows. Read as libpci reads it: the base keeps the flags' low four bits,
/// and a region whose end is not past its start has size 0.
struct ResourceTable {
    struct Entry {
        let base: UInt64
        let size: UInt64
        let flags: UInt64
    }

    let entries: [Entry]

    init?(_ text: String) {
        var entries: [Entry] = []
        for line in text.split(separator: "\n").prefix(7) {
            let fields = line.split(separator: " ")
            guard fields.count >= 3, let start = Self.hexNumber(fields[0]), let end = Self.hexNumber(fields[1]),
                  let flags = Self.hexNumber(fields[2]) else { return nil }
            entries.append(Entry(base: start | (flags & 0xf), size: end > start ? end - start + 1 : 0, flags: flags))
        }
        guard !entries.isEmpty else { return nil }
        self.entries = entries
    }

    func bars(directory: String) -> [BAR] {
        entries.prefix(6).enumerated().compactMap { index, entry in
            BAR.decoding(index: index, base: entry.base, size: entry.size, resourceFlags: entry.flags, directory: directory)
        }
    }

    func rom(directory: String) -> BAR? {
        guard entries.count > BAR.romIndex else { return nil }
        let entry = entries[BAR.romIndex]
        return BAR.expansionROM(base: entry.base, size: entry.size, directory: directory)
    }

    private static func hexNumber(_ text: Substring) -> UInt64? {
        guard text.hasPrefix("0x") else { return UInt64(text, radix: 16) }
        return UInt64(text.dropFirst(2), radix: 16)
    }
}
