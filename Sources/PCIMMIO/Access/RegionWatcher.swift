/// Samples a region periodically and reports only the registers that changed.
public struct RegionWatcher {
    public struct Change: Equatable {
        public let offset: UInt64
        public let old: UInt64
        public let new: UInt64
    }

    public let plan: AccessPlan
    private var last: [UInt64]

    /// Takes the first sample.
    public init(plan: AccessPlan, window: RegisterWindow) throws(PCIMMIOError) {
        self.plan = plan
        last = try window.read(plan.width, at: plan.offset, count: plan.count)
    }

    /// The values of the latest sample.
    public var values: [UInt64] { last }

    /// Takes another sample; returns what differs from the previous one, in offset order.
    public mutating func sample(_ window: RegisterWindow) throws(PCIMMIOError) -> [Change] {
        let now = try window.read(plan.width, at: plan.offset, count: plan.count)
        var changes: [Change] = []
        for index in 0..<now.count where now[index] != last[index] {
            changes.append(Change(offset: plan.offset + UInt64(index * plan.width.bytes), old: last[index], new: now[index]))
        }
        last = now
        return changes
    }
}
