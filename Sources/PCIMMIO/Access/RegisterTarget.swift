/// DEVICE, BAR and the access options of a register command, parsed once at the edge.
public struct RegisterTarget {
    public let device: DeviceSelector
    public let bar: Int
    public let width: Width
    public let writeCombining: Bool

    public init(device: String, bar: String, width: String = "32", writeCombining: Bool = false) throws(PCIMMIOError) {
        self.device = try DeviceSelector(device)
        self.bar = try BARNumber.parse(bar)
        self.width = try Width(parsing: width)
        self.writeCombining = writeCombining
    }
}
