import PCIShim

/// The PCI functions under one sysfs root (`/sys/bus/pci` or a fake tree), read through libpci.
public final class PCITree {
    public static let defaultRoot = "/sys/bus/pci"

    /// `--sysfs`, else `PCIMMIO_SYSFS`, else /sys/bus/pci.
    public static func root(option: String?) -> String {
        if let option { return option }
        return environment("PCIMMIO_SYSFS") ?? defaultRoot
    }

    public let root: String
    private let session: LibPCISession

    public init(root: String) throws(PCIMMIOError) {
        self.root = root
        session = try LibPCISession(root: root)
    }

    /// Warnings libpci raised while reading the tree (lspci prints these too).
    public func takeWarnings() -> [String] { session.takeWarnings() }

    /// Functions matching every filter, sorted by address. `names` also looks them up in pci.ids.
    public func devices(matching filters: [DeviceFilter] = [], names: Bool = true) throws(PCIMMIOError) -> [PCIDevice] {
        var found: [PCIDevice] = []
        for handle in session.devices where filters.allSatisfy({ $0.matches(handle) }) {
            found.append(try describe(handle, names: names))
        }
        return found.sorted { $0.address < $1.address }
    }

    /// The one function `selector` names; none or several is an error listing the candidates.
    public func device(_ selector: DeviceSelector, names: Bool = true) throws(PCIMMIOError) -> PCIDevice {
        let filter = try selector.filter
        let matches = session.devices.filter { filter.matches($0) }
        let slots = { (handles: [UnsafeMutablePointer<pci_dev>]) in
            handles.map(LibPCISession.address(of:)).sorted().map(\.description)
        }
        guard matches.count == 1 else {
            if matches.isEmpty { throw .noSuchDevice(text: selector.text, candidates: slots(session.devices)) }
            throw .ambiguousDevice(text: selector.text, matches: slots(matches))
        }
        return try describe(matches[0], names: names)
    }

    private static let fillFlags = PCI_FILL_IDENT | PCI_FILL_CLASS | PCI_FILL_BASES | PCI_FILL_SIZES
        | PCI_FILL_IO_FLAGS | PCI_FILL_CLASS_EXT | PCI_FILL_SUBSYS | PCI_FILL_DRIVER | PCI_FILL_ROM_BASE

    private func describe(_ handle: UnsafeMutablePointer<pci_dev>, names: Bool) throws(PCIMMIOError) -> PCIDevice {
        try session.fill(handle, Self.fillFlags)
        let d = handle.pointee
        let address = LibPCISession.address(of: handle)
        let directory = root + "/devices/" + address.description
        return PCIDevice(
            address: address,
            vendorID: d.vendor_id,
            deviceID: d.device_id,
            deviceClass: d.device_class,
            revision: d.rev_id,
            subsystemVendorID: d.subsys_vendor_id,
            subsystemID: d.subsys_id,
            vendorName: names ? session.vendorName(d.vendor_id) : nil,
            deviceName: names ? session.deviceName(d.vendor_id, d.device_id) : nil,
            className: names ? session.className(d.device_class).map { Self.withoutNumber($0, d.device_class) } : nil,
            driver: pcishim_driver(handle).map { String(cString: $0) },
            bars: Self.bars(of: d, directory: directory),
            directory: directory,
            rom: d.known_fields & UInt32(PCI_FILL_ROM_BASE) != 0
                ? BAR.expansionROM(base: UInt64(d.rom_base_addr), size: UInt64(d.rom_size), directory: directory) : nil
        )
    }

    private static func bars(of d: pci_dev, directory: String) -> [BAR] {
        let bases = withUnsafeBytes(of: d.base_addr) { Array($0.bindMemory(to: pciaddr_t.self)) }
        let sizes = withUnsafeBytes(of: d.size) { Array($0.bindMemory(to: pciaddr_t.self)) }
        let flags = withUnsafeBytes(of: d.flags) { Array($0.bindMemory(to: pciaddr_t.self)) }
        let haveFlags = d.known_fields & UInt32(PCI_FILL_IO_FLAGS) != 0
        return (0..<6).compactMap { index in
            BAR.decoding(index: index, base: UInt64(bases[index]), size: UInt64(sizes[index]),
                         resourceFlags: haveFlags ? UInt64(flags[index]) : nil, directory: directory)
        }
    }

    /// libpci names an unknown subclass by its base class plus the number, `Unclassified
    /// device [00ff]`; the number is already the `class` field.
    private static func withoutNumber(_ name: String, _ deviceClass: UInt16) -> String {
        let suffix = " [" + hex(deviceClass, digits: 4) + "]"
        return name.hasSuffix(suffix) ? String(name.dropLast(suffix.count)) : name
    }
}
