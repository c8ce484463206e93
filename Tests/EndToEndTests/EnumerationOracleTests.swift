// `list --json`, `bars --json`, `list -s/-d` against lspci on every fixture, and BAR indices,
// resource files and _wc files against the tree itself.
import Foundation
import Testing

@Suite("Enumeration vs lspci")
struct EnumerationOracleTests {
    static let deviceKeys: Set<String> = ["slot", "vendor", "device", "class", "revision", "subsystemVendor",
                                          "subsystemDevice", "vendorName", "deviceName", "className", "driver", "bars"]
    static let barKeys: Set<String> = ["index", "kind", "prefetchable", "address", "size", "resourceFile",
                                       "writeCombining"]

    @Test("list --json: slots, ids, names, revision, subsystem ids, driver match lspci -vmm -nn -k",
          arguments: E2E.fixtureNames)
    func listMatchesLspci(fixture: String) throws {
        let tree = try sharedTree(fixture)
        let result = try pcimmioOK(["list", "--json"], sysfs: tree)
        let devices = try decodeJSON([DeviceJSON].self, from: result)
        let oracle = try Lspci.machineReadable(tree)
        #expect(!oracle.isEmpty)
        #expect(devices.map(\.slot).sorted() == oracle.map(\.slot).sorted(), "slots differ from lspci")
        let bySlot = Dictionary(devices.map { ($0.slot, $0) }, uniquingKeysWith: { first, _ in first })
        for want in oracle {
            guard let got = bySlot[want.slot] else { continue }
            try expectDevice(got, matches: want, tree: tree)
        }
    }

    @Test("list --json: every device and BAR object has exactly the documented keys", arguments: E2E.fixtureNames)
    func listJSONKeys(fixture: String) throws {
        let result = try pcimmioOK(["list", "--json"], sysfs: try sharedTree(fixture))
        guard let array = try JSONSerialization.jsonObject(with: result.stdout) as? [[String: Any]] else {
            throw E2EFailure("list --json is not an array of objects: \(result)")
        }
        let lspci = try runProcess(try E2E.tool("lspci"), ["-A", "linux-sysfs", "-O", "sysfs.path=\(try sharedTree(fixture).path)", "-v", "-D"]).out
        for device in array {
            // `rom` only for a device with an expansion ROM: lspci -v shows it as "Expansion ROM at ADDR … [size=N]".
            #expect(Set(device.keys).subtracting(["rom"]) == Self.deviceKeys, "device keys: \(device.keys.sorted())")
            let stanza = lspci.components(separatedBy: "\n\n").first { $0.hasPrefix(device["slot"] as? String ?? "?") } ?? ""
            let romLine = stanza.split(separator: "\n").first { $0.contains("Expansion ROM at ") }
            #expect((device["rom"] != nil) == (romLine != nil), "rom key vs lspci: \(stanza)")
            if let romLine {
                let rom = device["rom"] as? [String: Any] ?? [:]
                let address = (rom["address"] as? NSNumber)?.uint64Value ?? 0
                let size = (rom["size"] as? NSNumber)?.uint64Value ?? 0
                #expect(Set(rom.keys) == Self.barKeys)
                #expect(romLine.contains("Expansion ROM at \(String(address, radix: 16))") && romLine.contains("[size=\(size >> 10)K]"),
                        "\(romLine) vs \(rom)")
                #expect(rom["kind"] as? String == "rom" && (rom["index"] as? NSNumber)?.intValue == 6)
            }
            for bar in device["bars"] as? [[String: Any]] ?? [] {
                #expect(Set(bar.keys) == Self.barKeys, "bar keys: \(bar.keys.sorted())")
            }
        }
    }

    @Test("bars --json and list --json BARs match lspci -v, the resource file and the tree's files",
          arguments: E2E.fixtureNames)
    func barsMatchLspci(fixture: String) throws {
        let tree = try sharedTree(fixture)
        let lspciBars = try Lspci.bars(tree)
        let listed = try decodeJSON([DeviceJSON].self, from: try pcimmioOK(["list", "--json"], sysfs: tree))
        let listedBySlot = Dictionary(listed.map { ($0.slot, $0) }, uniquingKeysWith: { first, _ in first })
        for want in try Lspci.machineReadable(tree) {
            let shown = try decodeJSON(DeviceJSON.self, from: try pcimmioOK(["bars", want.slot, "--json"], sysfs: tree))
            #expect(shown.slot == want.slot)
            try expectDevice(shown, matches: want, tree: tree)
            try expectBARs(shown.bars, slot: want.slot, tree: tree, lspci: lspciBars[want.slot] ?? [], what: "bars")
            if let fromList = listedBySlot[want.slot] {
                try expectBARs(fromList.bars, slot: want.slot, tree: tree, lspci: lspciBars[want.slot] ?? [],
                               what: "list")
            }
        }
    }

    /// basic 00:03.0 is class 00ff, edge 00:05.0 is ff00: pci.ids names the class (00, ff) but
    /// not the subclass, and libpci's fallback puts the id into the name ("Unassigned class
    /// [ff00]"). lspci -nn prints that as "Unassigned class [ff00]", so the name is "Unassigned
    /// class"; className must not carry the id the `class` field already holds.
    @Test("className when pci.ids knows the class but not the subclass: the name without the id",
          arguments: ["basic", "edge"])
    func fallbackClassName(fixture: String) throws {
        let tree = try sharedTree(fixture)
        let devices = try decodeJSON([DeviceJSON].self, from: try pcimmioOK(["list", "--json"], sysfs: tree))
        let fallbacks = try Lspci.machineReadable(tree).filter(\.classNameIsFallback)
        #expect(!fallbacks.isEmpty, "the fixture should have such a device")
        for want in fallbacks {
            let got = devices.first { $0.slot == want.slot }
            #expect(got?.className == want.className,
                    "\(want.slot) className \(got?.className.debugDescription ?? "missing"), lspci -nn (id stripped) \(want.className.debugDescription)")
        }
    }

    @Test("PCIMMIO_SYSFS selects the tree like --sysfs", arguments: ["domain", "edge"])
    func environmentVariable(fixture: String) throws {
        let tree = try sharedTree(fixture)
        let result = try pcimmio(["list", "--json"], sysfs: nil,
                                 environment: pcimmioEnvironment(extra: ["PCIMMIO_SYSFS": tree.path]))
        #expect(result.status == 0, "\(result)")
        let slots = try decodeJSON([DeviceJSON].self, from: result).map(\.slot)
        #expect(slots.sorted() == (try Lspci.slots(tree, []) ?? []).sorted())
    }

    static let slotSelectors = ["00:1f.", "1f", "01:", "0001:", "*:*.1", "af:", "AF:1F.0", "10000:00:01.0", "10000:"]
    static let idSelectors = ["8086:", ":1041", "10de:", "::0200", "8086::0604", "1b36:0005", "beef:", "8086:*:0600"]

    @Test("list -s X selects the same slots as lspci -s X", arguments: E2E.fixtureNames, slotSelectors)
    func slotSelector(fixture: String, selector: String) throws {
        try expectSameSelection(fixture: fixture, option: "-s", selector: selector)
    }

    @Test("list -d X selects the same slots as lspci -d X", arguments: E2E.fixtureNames, idSelectors)
    func idSelector(fixture: String, selector: String) throws {
        try expectSameSelection(fixture: fixture, option: "-d", selector: selector)
    }

    private func expectSameSelection(fixture: String, option: String, selector: String) throws {
        let tree = try sharedTree(fixture)
        let result = try pcimmio(["list", option, selector, "--json"], sysfs: tree)
        guard let want = try Lspci.slots(tree, [option, selector]) else {
            // lspci rejects the selector: so must pcimmio, cleanly.
            expectCleanFailure(result, mentions: [selector])
            return
        }
        #expect(result.status == 0, "lspci accepts \(option) '\(selector)', pcimmio does not: \(result)")
        guard result.status == 0 else { return }
        let got = try decodeJSON([DeviceJSON].self, from: result).map(\.slot)
        #expect(got.sorted() == want.sorted(), "\(option) '\(selector)': pcimmio \(got), lspci \(want)")
    }
}

/// Ids, names, revision, subsystem ids and driver of one device against lspci.
func expectDevice(_ got: DeviceJSON, matches want: Lspci.Device, tree: URL,
                  sourceLocation: SourceLocation = #_sourceLocation) throws {
    let slot = want.slot
    #expect(got.vendor == want.vendorID, "\(slot) vendor", sourceLocation: sourceLocation)
    #expect(got.device == want.deviceID, "\(slot) device", sourceLocation: sourceLocation)
    #expect(got.class == want.classID, "\(slot) class \(hex(UInt64(got.class))) vs lspci \(hex(UInt64(want.classID)))",
            sourceLocation: sourceLocation)
    #expect(got.revision == want.revision, "\(slot) revision", sourceLocation: sourceLocation)
    #expect(got.vendorName == want.vendorName, "\(slot) vendorName", sourceLocation: sourceLocation)
    #expect(got.deviceName == want.deviceName, "\(slot) deviceName", sourceLocation: sourceLocation)
    if !want.classNameIsFallback {  // that case has its own test: fallbackClassName
        #expect(got.className == want.className,
                "\(slot) className \(got.className.debugDescription), lspci -nn (id stripped) \(want.className.debugDescription)",
                sourceLocation: sourceLocation)
    }
    #expect(got.driver == want.driver, "\(slot) driver", sourceLocation: sourceLocation)
    // lspci prints SVendor/SDevice only when the subsystem vendor is set; otherwise the
    // tree's own attribute files are the oracle.
    let sv = try want.subsystemVendorID ?? sysfsHexAttribute(tree, slot, "subsystem_vendor")
    let sd = try want.subsystemDeviceID ?? sysfsHexAttribute(tree, slot, "subsystem_device")
    #expect(got.subsystemVendor == sv, "\(slot) subsystemVendor", sourceLocation: sourceLocation)
    #expect(got.subsystemDevice == sd, "\(slot) subsystemDevice", sourceLocation: sourceLocation)
}

/// BARs against lspci -v (kind, prefetchable, address, size, in index order), the
/// `resource` file (indices) and the tree (resourceN and resourceN_wc files).
func expectBARs(_ bars: [BarJSON], slot: String, tree: URL, lspci: [Lspci.BAR], what: String,
                sourceLocation: SourceLocation = #_sourceLocation) throws {
    #expect(bars.map(\.index) == (try resourceFileBARIndices(tree, slot)),
            "\(what) \(slot): BAR indices vs the resource file", sourceLocation: sourceLocation)
    let mine = bars.map { Lspci.BAR(kind: $0.kind, prefetchable: $0.prefetchable, address: $0.address, size: $0.size) }
    #expect(mine == lspci, "\(what) \(slot): BARs \(mine) vs lspci \(lspci)", sourceLocation: sourceLocation)
    for bar in bars {
        let file = resourceFile(tree, slot, "resource\(bar.index)")
        if FileManager.default.fileExists(atPath: file) {
            let shown = bar.resourceFile.map { URL(fileURLWithPath: $0).resolvingSymlinksInPath().path }
            #expect(shown == URL(fileURLWithPath: file).resolvingSymlinksInPath().path,
                    "\(what) \(slot) BAR \(bar.index): resourceFile", sourceLocation: sourceLocation)
        } else {
            #expect(bar.resourceFile == nil, "\(what) \(slot) BAR \(bar.index): no such file, resourceFile must be null",
                    sourceLocation: sourceLocation)
        }
        let wc = FileManager.default.fileExists(atPath: file + "_wc")
        #expect(bar.writeCombining == wc, "\(what) \(slot) BAR \(bar.index): writeCombining vs \(file)_wc",
                sourceLocation: sourceLocation)
    }
}
