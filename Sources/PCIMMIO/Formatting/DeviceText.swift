/// Human-readable lines for `list` and tables for `bars`.
extension PCIDevice {
    /// `0000:00:02.0 Ethernet controller [0200]: Intel Corporation 82540EM … [8086:100e] (rev 03) driver=e1000 bars: 0:mem32 128K …`
    public var listLine: String {
        var line = address.description + " "
        line += (className ?? "Class") + " [" + hex(deviceClass, digits: 4) + "]: "
        line += (vendorName ?? "Vendor " + hex(vendorID, digits: 4)) + " "
        line += (deviceName ?? "Device " + hex(deviceID, digits: 4))
        line += " [" + hex(vendorID, digits: 4) + ":" + hex(deviceID, digits: 4) + "]"
        if revision != 0 { line += " (rev " + hex(revision, digits: 2) + ")" }
        line += " driver=" + (driver ?? "none")
        if !bars.isEmpty {
            line += " bars:" + bars.map { " " + String($0.index) + ":" + $0.summary }.joined()
        }
        return line
    }

    /// The `bars` table: a heading for the device, then one row per BAR.
    public var barTable: String {
        var heading = address.description + " " + (vendorName ?? hex(vendorID, digits: 4)) + " "
        heading += (deviceName ?? hex(deviceID, digits: 4)) + " [" + hex(vendorID, digits: 4) + ":" + hex(deviceID, digits: 4) + "]"
        if bars.isEmpty { return heading + "\nno BARs\n" }
        let header = ["BAR", "KIND", "PREFETCH", "ADDRESS", "SIZE", "", "RESOURCE FILE", "WC"]
        let rows = (bars + (rom.map { [$0] } ?? [])).map { bar in
            [
                bar.kind == .rom ? "rom" : String(bar.index), bar.kind.rawValue, bar.prefetchable ? "yes" : "no",
                bar.assigned ? "0x" + hex(bar.address, digits: bar.kind == .io ? 4 : bar.kind == .mem64 ? 16 : 8) : "unassigned",
                "0x" + String(bar.size, radix: 16), humanSize(bar.size),
                bar.resourceFile ?? "(none)", bar.writeCombiningFile != nil ? "yes" : "no",
            ]
        }
        return heading + "\n" + table([header] + rows)
    }
}

extension BAR {
    /// `mem64 pf 16G` style, for one-line listings.
    public var summary: String {
        kind.rawValue + (prefetchable ? " pf " : " ") + humanSize(size)
    }
}

/// Left-aligned columns separated by two spaces.
func table(_ rows: [[String]]) -> String {
    let columns = rows.map(\.count).max() ?? 0
    let widths = (0..<columns).map { column in rows.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0 }
    return rows.map { row in
        row.enumerated().map { column, cell in
            column == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[column] - cell.count)
        }.joined(separator: "  ")
    }.joined(separator: "\n") + "\n"
}
