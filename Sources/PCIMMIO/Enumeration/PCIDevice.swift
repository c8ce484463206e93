/// One PCI function as libpci reports it.
public struct PCIDevice: Sendable, Equatable {
    public let address: PCIAddress
    /// `address` as text, formatted once: every access plan names its device.
    public let slot: String
    public let vendorID: UInt16
    public let deviceID: UInt16
    /// Base class and subclass, `0x0200` for an Ethernet controller (lspci's `[0200]`).
    public let deviceClass: UInt16
    public let revision: UInt8
    public let subsystemVendorID: UInt16
    public let subsystemID: UInt16
    /// From pci.ids; nil when the database has no entry.
    public let vendorName: String?
    public let deviceName: String?
    public let className: String?
    public let driver: String?
    /// Used BARs only, by index.
    public let bars: [BAR]
    /// The expansion ROM (index 6, kind `.rom`), when the device has one.
    public let rom: BAR?
    /// `<sysfs>/devices/<slot>`, where its resource files are (nil for a device made up in a test).
    public let directory: String?

    public init(address: PCIAddress, vendorID: UInt16, deviceID: UInt16, deviceClass: UInt16,
                revision: UInt8, subsystemVendorID: UInt16, subsystemID: UInt16,
                vendorName: String?, deviceName: String?, className: String?, driver: String?, bars: [BAR],
                directory: String? = nil, rom: BAR? = nil) {
        self.init(address: address, slot: address.description, vendorID: vendorID, deviceID: deviceID,
                  deviceClass: deviceClass, revision: revision, subsystemVendorID: subsystemVendorID,
                  subsystemID: subsystemID, vendorName: vendorName, deviceName: deviceName, className: className,
                  driver: driver, bars: bars, directory: directory, rom: rom)
    }

    private init(address: PCIAddress, slot: String, vendorID: UInt16, deviceID: UInt16, deviceClass: UInt16,
                 revision: UInt8, subsystemVendorID: UInt16, subsystemID: UInt16,
                 vendorName: String?, deviceName: String?, className: String?, driver: String?, bars: [BAR],
                 directory: String? = nil, rom: BAR? = nil) {
        self.rom = rom
        self.address = address
        self.slot = slot
        self.vendorID = vendorID
        self.deviceID = deviceID
        self.deviceClass = deviceClass
        self.revision = revision
        self.subsystemVendorID = subsystemVendorID
        self.subsystemID = subsystemID
        self.vendorName = vendorName
        self.deviceName = deviceName
        self.className = className
        self.driver = driver
        self.bars = bars
        self.directory = directory
    }

    /// Its sysfs directory: the one it was found in, else where it would be under `root`.
    public func sysfsDirectory(root: String) -> String { directory ?? root + "/devices/" + slot }

    /// BAR `index`; 6 is the expansion ROM.
    public func bar(_ index: Int) -> BAR? { index == BAR.romIndex ? rom : bars.first { $0.index == index } }
}
