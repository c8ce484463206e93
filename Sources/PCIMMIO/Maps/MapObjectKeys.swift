/// The keys one kind of object in a map file may have. The cases' order is the spellings'
/// order: a key's case is found from its position among them.
protocol MapObjectKeys: RawRepresentable<Int>, CaseIterable {
    /// Each key as the file spells it, in the cases' order (at most `KnownMembers.capacity`).
    static var spellings: KeySpellings { get }
}

enum MapKey: Int, MapObjectKeys {
    case name, description, devices, bars, byteOrder
    static let spellings = KeySpellings(["name", "description", "devices", "bars", "byteOrder"])
}

/// A BAR given as an object rather than as its list of registers.
enum BARKey: Int, MapObjectKeys {
    case base, registers
    static let spellings = KeySpellings(["base", "registers"])
}

enum RegisterKey: Int, MapObjectKeys {
    case name, offset, width, access, reset, description, fields, byteOrder
    static let spellings = KeySpellings(["name", "offset", "width", "access", "reset", "description", "fields", "byteOrder"])
}

enum FieldKey: Int, MapObjectKeys {
    case name, bits, access, description, values
    static let spellings = KeySpellings(["name", "bits", "access", "description", "values"])
}

/// An object's members sorted out by key in one pass over it: each key is compared once,
/// against the keys its kind allows, instead of once per look-up. Keys it does not allow are
/// left to the caller (the map reader reports them).
struct KnownMembers<Key: MapObjectKeys> {
    static var capacity: Int { 8 }
    /// The token of each key's value, by the key's raw value; -1 where the object has none.
    private var values = SIMD8<Int32>(repeating: -1)

    subscript(key: Key) -> JSONTape.Value? {
        values[key.rawValue] < 0 ? nil : JSONTape.Value(token: Int(values[key.rawValue]))
    }

    /// Sorts out `object`'s members, calling `unknown` with each member whose key is not a `Key`.
    init(_ object: JSONTape.Value, in tape: JSONTape, unknown: (_ key: JSONTape.Value, _ value: JSONTape.Value) -> Void) {
        for (key, value) in tape.members(object) {
            if let position = tape.position(of: key, in: Key.spellings) {
                values[position] = Int32(value.token)
            } else {
                unknown(key, value)
            }
        }
    }
}
