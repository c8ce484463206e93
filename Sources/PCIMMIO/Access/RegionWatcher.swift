/// Samples a region periodically and reports only the registers that changed. Registers in
/// `skipping` (byte ranges: a map's rc and wo registers) are never read: each sample reads
/// the runs of registers between them.
public struct RegionWatcher {
    public struct Change: Equatable {
        public let offset: UInt64
        public let old: UInt64
        public let new: UInt64
    }

    public let plan: AccessPlan
    /// The registers read, as runs of consecutive indices into the region.
    private let runs: [Range<Int>]
    private var last: [UInt64]

    /// Takes the first sample.
    public init(plan: AccessPlan, window: RegisterWindow, skipping: [Range<UInt64>] = []) throws(PCIMMIOError) {
        self.plan = plan
        let bytes = UInt64(plan.width.bytes)
        var runs: [Range<Int>] = []
        var start: Int? = nil
        for index in 0..<plan.count {
            let offset = plan.offset + UInt64(index) * bytes
            let skipped = skipping.contains { $0.overlaps(offset..<offset + bytes) }
            if skipped, let first = start {
                runs.append(first..<index)
                start = nil
            } else if !skipped, start == nil {
                start = index
            }
        }
        if let first = start { runs.append(first..<plan.count) }
        self.runs = runs
        last = Array(repeating: 0, count: plan.count)
        last = try read(window)
    }

    /// The latest sample: each register read, by offset.
    public var values: [(offset: UInt64, value: UInt64)] {
        runs.flatMap { $0 }.map { (offset(of: $0), last[$0]) }
    }

    /// Takes another sample; returns what differs from the previous one, in offset order.
    public mutating func sample(_ window: RegisterWindow) throws(PCIMMIOError) -> [Change] {
        let now = try read(window)
        var changes: [Change] = []
        for run in runs {
            for index in run where now[index] != last[index] {
                changes.append(Change(offset: offset(of: index), old: last[index], new: now[index]))
            }
        }
        last = now
        return changes
    }

    private func offset(of index: Int) -> UInt64 {
        plan.offset + UInt64(index * plan.width.bytes)
    }

    private func read(_ window: RegisterWindow) throws(PCIMMIOError) -> [UInt64] {
        var values = last
        for run in runs {
            let read = try window.read(plan.width, at: offset(of: run.lowerBound), count: run.count)
            values.replaceSubrange(run, with: read)
        }
        return values
    }
}
