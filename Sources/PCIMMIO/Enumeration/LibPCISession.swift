import PCIShim

/// An open libpci handle on one sysfs tree; cleaned up when the last reference goes.
final class LibPCISession {
    let handle: UnsafeMutablePointer<pci_access>
    let root: String

    init(root: String) throws(PCIMMIOError) {
        var message = [CChar](repeating: 0, count: 512)
        guard pcishim_load(&message, message.count) == 0 else { throw .libraryUnavailable(cString(message)) }
        guard let handle = pcishim_open(root, &message, message.count) else {
            throw .pciTreeUnreadable(root: root, reason: cString(message))
        }
        self.handle = handle
        self.root = root
    }

    deinit { pcishim_close(handle) }

    /// Every function libpci found, in its scan order.
    var devices: [UnsafeMutablePointer<pci_dev>] {
        var result: [UnsafeMutablePointer<pci_dev>] = []
        var next = handle.pointee.devices
        while let device = next {
            result.append(device)
            next = device.pointee.next
        }
        return result
    }

    func fill(_ device: UnsafeMutablePointer<pci_dev>, _ flags: Int32) throws(PCIMMIOError) {
        var message = [CChar](repeating: 0, count: 512)
        if pcishim_fill_info(device, UInt32(flags), &message, message.count) != 0 {
            throw .deviceUnreadable(slot: Self.address(of: device).description, reason: cString(message))
        }
    }

    static func address(of device: UnsafeMutablePointer<pci_dev>) -> PCIAddress {
        let d = device.pointee
        return PCIAddress(domain: UInt32(bitPattern: d.domain), bus: d.bus, device: d.dev, function: d.`func`)
    }

    func vendorName(_ vendor: UInt16) -> String? {
        lookup { pcishim_vendor_name(handle, $0, $1, vendor) }
    }

    func deviceName(_ vendor: UInt16, _ device: UInt16) -> String? {
        lookup { pcishim_device_name(handle, $0, $1, vendor, device) }
    }

    func className(_ deviceClass: UInt16) -> String? {
        lookup { pcishim_class_name(handle, $0, $1, deviceClass) }
    }

    private func lookup(_ body: (UnsafeMutablePointer<CChar>, Int32) -> UnsafePointer<CChar>?) -> String? {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: 256) { buffer in
            body(buffer.baseAddress!, Int32(buffer.count)).map { String(cString: $0) }
        }
    }

    /// Warnings libpci printed since the last call, one per line.
    func takeWarnings() -> [String] {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: 2048) { buffer in
            let count = pcishim_take_warnings(buffer.baseAddress!, buffer.count)
            let bytes = UnsafeRawBufferPointer(start: buffer.baseAddress!, count: count)
            return String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init)
        }
    }
}
