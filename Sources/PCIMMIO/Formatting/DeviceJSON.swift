/// The documented JSON shape of a device and its BARs.
extension PCIDevice {
    public var json: JSON {
        .object([
            ("slot", .string(address.description)),
            ("vendor", .number(UInt64(vendorID))),
            ("device", .number(UInt64(deviceID))),
            ("class", .number(UInt64(deviceClass))),
            ("revision", .number(UInt64(revision))),
            ("subsystemVendor", .number(UInt64(subsystemVendorID))),
            ("subsystemDevice", .number(UInt64(subsystemID))),
            ("vendorName", .string(vendorName)),
            ("deviceName", .string(deviceName)),
            ("className", .string(className)),
            ("driver", .string(driver)),
            ("bars", .array(bars.map(\.json))),
        ] + (rom.map { [("rom", $0.json)] } ?? []))
    }
}

extension BAR {
    public var json: JSON {
        .object([
            ("index", .number(UInt64(index))),
            ("kind", .string(kind.rawValue)),
            ("prefetchable", .bool(prefetchable)),
            ("address", .number(address)),
            ("size", .number(size)),
            ("resourceFile", .string(resourceFile)),
            ("writeCombining", .bool(writeCombiningFile != nil)),
        ])
    }
}
