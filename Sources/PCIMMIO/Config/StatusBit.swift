/// One bit of a status register (and of the mask and severity registers beside it), named
/// twice: lspci's flag for it (`UnsupReq`, what `caps` prints) and the specification's name
/// (`Unsupported Request`, what `--check-errors` prints). One table per register serves both.
public struct StatusBit: Sendable, Equatable {
    public let bit: Int
    public let flag: String
    public let name: String

    init(_ bit: Int, _ flag: String, _ name: String) {
        self.bit = bit
        self.flag = flag
        self.name = name
    }

    var mask: UInt32 { 1 << UInt32(bit) }
}

extension [StatusBit] {
    /// All of the table's bits.
    var mask: UInt32 { reduce(0) { $0 | $1.mask } }
}
