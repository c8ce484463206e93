/// Sizes as lspci prints them: the largest binary unit that divides exactly (`16M`, `4K`,
/// `256`), or one decimal place when none does.
public func humanSize(_ bytes: UInt64) -> String {
    let units: [(UInt64, String)] = [(1 << 60, "E"), (1 << 50, "P"), (1 << 40, "T"), (1 << 30, "G"), (1 << 20, "M"), (1 << 10, "K")]
    for (scale, suffix) in units where bytes >= scale && bytes % scale == 0 {
        return String(bytes / scale) + suffix
    }
    for (scale, suffix) in units where bytes >= scale {
        let tenths = bytes / scale * 10 + bytes % scale * 10 / scale
        return String(tenths / 10) + "." + String(tenths % 10) + suffix
    }
    return String(bytes)
}
