/// A dictionary that forgets everything when it grows past `limit` entries: the caches of a
/// script run stay useful for repeated lines without growing with a script of distinct ones.
struct BoundedCache<Key: Hashable, Value> {
    private var entries: [Key: Value] = [:]
    let limit: Int

    init(limit: Int = 4096) { self.limit = limit }

    subscript(key: Key) -> Value? {
        get { entries[key] }
        set {
            if newValue != nil, entries.count >= limit, entries[key] == nil { entries.removeAll(keepingCapacity: true) }
            entries[key] = newValue
        }
    }
}
