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
        var found: [SlotAddress] = []
        do {
            try forEachDirectoryEntry(directory) { name in
                if let slot = SlotAddress(sysfsName: name) { found.append(slot) }
            }
        } catch {
            throw .pciTreeUnreadable(root: root, reason: "cannot open \(directory): \(systemErrorText(error.systemErrno ?? 0))")
        }
        return found
    }

    private func describe(_ address: PCIAddress) -> PCIDevice? {
        let directory = root + "/devices/" + address.description
        guard let vendor = number(directory, "vendor"), let device = number(directory, "device"),
              let deviceClass = number(directory, "class"), let revision = number(directory, "revision"),
              let subsystemVendor = number(directory, "subsystem_vendor"), let subsystem = number(directory, "subsystem_device"),
              let resources = withContents(directory + "/resource", ResourceTable.init) else { return nil }
        return PCIDevice(
            address: address,
            vendorID: UInt16(truncatingIfNeeded: vendor),
            deviceID: UInt16(truncatingIfNeeded: device),
            deviceClass: UInt16(truncatingIfNeeded: deviceClass >> 8),
            revision: UInt8(truncatingIfNeeded: revision),
            subsystemVendorID: UInt16(truncatingIfNeeded: subsystemVendor),
            subsystemID: UInt16(truncatingIfNeeded: subsystem),
            vendorName: nil, deviceName: nil, className: nil,
            driver: DriverBinding.boundDriver(directory),
            bars: resources.bars(directory: directory),
            directory: directory,
            rom: resources.rom(directory: directory)
        )
    }

    /// A sysfs attribute holding one number (`0x8086`), read as libpci does (strtol, base 0).
    private func number(_ directory: String, _ name: String) -> UInt64? {
        withContents(directory + "/" + name) { bytes in
            guard let numbers = whitespaceSeparatedNumbers(bytes, limit: 2), numbers.count == 1 else { return nil }
            return numbers[0]
        }
    }

    /// Parses a small file (sysfs attributes are at most a page) read into a stack buffer;
    /// nil when it cannot be read.
    private func withContents<T>(_ path: String, _ parse: (UnsafeBufferPointer<UInt8>) -> T?) -> T? {
        guard let file = try? FileDescriptor.open(path, O_RDONLY) else { return nil }
        defer { file.close() }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 4096) { buffer in
            guard let got = try? file.read(into: UnsafeMutableRawBufferPointer(buffer)) else { return nil }
            return parse(UnsafeBufferPointer(rebasing: buffer[0..<got]))
        }
    }
}
