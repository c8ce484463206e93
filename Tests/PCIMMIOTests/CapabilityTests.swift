// The capability chain walker and decoders on config spaces built byte by byte.
import Testing
@testable import PCIMMIO

/// A config space under construction: little-endian writes, a capability list bit, chains.
private struct ConfigBuilder {
    var bytes: [UInt8]

    init(size: Int = 256, capabilities: Bool = true) {
        bytes = [UInt8](repeating: 0, count: size)
        put(0x00, 0x1234, 2)
        put(0x02, 0xabcd, 2)
        if capabilities { put(0x06, 0x0010, 2) }
    }

    mutating func put(_ offset: Int, _ value: UInt64, _ width: Int) {
        for index in 0..<width { bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(index))) }
    }

    /// Standard capability `id` at `offset` pointing to `next`.
    mutating func cap(_ offset: Int, id: Int, next: Int) {
        put(offset, UInt64(id), 1)
        put(offset + 1, UInt64(next), 1)
    }

    /// Extended capability header.
    mutating func ext(_ offset: Int, id: Int, version: Int = 1, next: Int) {
        put(offset, UInt64(id) | UInt64(version) << 16 | UInt64(next) << 20, 4)
    }

    var config: ConfigBytes { ConfigBytes(bytes) }
}

@Suite struct CapabilityChainTests {
    @Test func walksStandardChainInChainOrderNotOffsetOrder() throws {
        var b = ConfigBuilder()
        b.put(0x34, 0x80, 1)
        b.cap(0x80, id: 0x11, next: 0x40)
        b.cap(0x40, id: 0x01, next: 0x60)
        b.cap(0x60, id: 0x05, next: 0)
        let chain = try CapabilityChain(walking: b.config)
        #expect(chain.standard.map(\.offset) == [0x80, 0x40, 0x60])
        #expect(chain.standard.map(\.id) == [0x11, 0x01, 0x05])
        #expect(chain.standard.map(\.name) == ["MSI-X", "Power Management", "MSI"])
        #expect(chain.breaks.isEmpty)
        #expect(chain.extended.isEmpty)
    }

    @Test func oneRowPerCapabilityNamesItForSetpciAndLspci() {
        for extended in [false, true] {
            let table = KnownCapability.table(extended: extended)
            #expect(Set(table.map(\.id)).count == table.count, "an id has one row")
            let setpciNames = table.compactMap(\.setpciName)
            #expect(Set(setpciNames).count == setpciNames.count, "a setpci name has one row")
            #expect(setpciNames.allSatisfy { $0 == $0.uppercased() }, "looked up in upper case")
            #expect(table.allSatisfy { $0.extended == extended })
        }
        #expect(KnownCapability.withSetpciName("cap_exp", extended: false)?.id == 0x10)
        #expect(KnownCapability.withSetpciName("ECAP_VF_REBAR", extended: true)?.lspciName == "Virtual Resizable BAR")
        #expect(KnownCapability.withSetpciName("CAP_EXP", extended: true) == nil, "CAP_ names are not ECAP_ names")
        #expect(KnownCapability.withID(0x0C, extended: true)?.setpciName == nil)
    }

    @Test func noCapabilityListBitMeansNoCapabilities() throws {
        var b = ConfigBuilder(capabilities: false)
        b.put(0x34, 0x40, 1)
        b.cap(0x40, id: 0x01, next: 0)
        #expect(try CapabilityChain(walking: b.config).entries.isEmpty)
    }

    @Test func reservedLowPointerBitsAreIgnored() throws {
        var b = ConfigBuilder()
        b.put(0x34, 0x43, 1)
        b.cap(0x40, id: 0x01, next: 0x52)
        b.cap(0x50, id: 0x05, next: 0)
        #expect(try CapabilityChain(walking: b.config).standard.map(\.offset) == [0x40, 0x50])
    }

    @Test(arguments: [0x40, 0x50])
    func loopIsReportedOnceAndNeverFollowed(backTo: Int) throws {
        var b = ConfigBuilder()
        b.put(0x34, 0x40, 1)
        b.cap(0x40, id: 0x01, next: 0x50)
        b.cap(0x50, id: 0x05, next: backTo)
        let chain = try CapabilityChain(walking: b.config)
        #expect(chain.standard.map(\.offset) == [0x40, 0x50])
        #expect(chain.breaks == [ChainBreak(offset: backTo, from: 0x50, extended: false, reason: .loop)])
    }

    @Test func pointerIntoTheHeaderIsNotFollowed() throws {
        var b = ConfigBuilder()
        b.put(0x34, 0x40, 1)
        b.cap(0x40, id: 0x11, next: 0x20)
        let chain = try CapabilityChain(walking: b.config)
        #expect(chain.standard.map(\.offset) == [0x40])
        #expect(chain.breaks == [ChainBreak(offset: 0x20, from: 0x40, extended: false, reason: .pointerIntoHeader)])
        #expect(chain.breaks[0].description.contains("inside the header"))
    }

    @Test func capabilitiesPointerIntoTheHeaderIsReportedFromThePointer() throws {
        var b = ConfigBuilder()
        b.put(0x34, 0x10, 1)
        let chain = try CapabilityChain(walking: b.config)
        #expect(chain.entries.isEmpty)
        #expect(chain.breaks == [ChainBreak(offset: 0x10, from: nil, extended: false, reason: .pointerIntoHeader)])
    }

    @Test func idFFBreaksTheChain() throws {
        var b = ConfigBuilder()
        b.put(0x34, 0x40, 1)
        b.cap(0x40, id: 0x01, next: 0x50)
        b.cap(0x50, id: 0xFF, next: 0x60)
        let chain = try CapabilityChain(walking: b.config)
        #expect(chain.standard.map(\.offset) == [0x40])
        #expect(chain.breaks.map(\.reason) == [.brokenID])
    }

    @Test func everyByteAPointerStillEnds() throws {
        // Every capability points to the next dword, the last back to the first: 48 entries, one loop.
        var b = ConfigBuilder()
        b.put(0x34, 0x40, 1)
        for offset in stride(from: 0x40, to: 0x100, by: 4) { b.cap(offset, id: 0x09, next: offset == 0xFC ? 0x40 : offset + 4) }
        let chain = try CapabilityChain(walking: b.config)
        #expect(chain.standard.count == 48)
        #expect(chain.breaks.map(\.reason) == [.loop])
    }

    private func express(size: Int = 4096) -> ConfigBuilder {
        var b = ConfigBuilder(size: size)
        b.put(0x34, 0x40, 1)
        b.cap(0x40, id: 0x10, next: 0)
        b.put(0x42, 0x0002, 2)
        return b
    }

    @Test func walksExtendedChainWithVersions() throws {
        var b = express()
        b.ext(0x100, id: 0x01, version: 2, next: 0x148)
        b.ext(0x148, id: 0x0D, version: 1, next: 0x200)
        b.ext(0x200, id: 0x15, version: 1, next: 0)
        let chain = try CapabilityChain(walking: b.config)
        #expect(chain.extended.map(\.offset) == [0x100, 0x148, 0x200])
        #expect(chain.extended.map(\.headerVersion) == [2, 1, 1])
        #expect(chain.extended.map(\.name) == ["Advanced Error Reporting", "Access Control Services", "Physical Resizable BAR"])
        let allExtended = chain.extended.allSatisfy(\.extended)
        #expect(allExtended)
        #expect(chain.entries.map(\.offset) == [0x40, 0x100, 0x148, 0x200])
    }

    @Test func extendedLoopAndLowPointerAreReported() throws {
        var looped = express()
        looped.ext(0x100, id: 0x01, next: 0x140)
        looped.ext(0x140, id: 0x0D, next: 0x100)
        let loop = try CapabilityChain(walking: looped.config)
        #expect(loop.extended.map(\.offset) == [0x100, 0x140])
        #expect(loop.breaks == [ChainBreak(offset: 0x100, from: 0x140, extended: true, reason: .loop)])

        var low = express()
        low.ext(0x100, id: 0x01, next: 0xC0)
        let broken = try CapabilityChain(walking: low.config)
        #expect(broken.extended.map(\.offset) == [0x100])
        #expect(broken.breaks == [ChainBreak(offset: 0xC0, from: 0x100, extended: true, reason: .pointerIntoHeader)])
    }

    @Test func extendedSpaceNeedsExpressAndFourKiB() throws {
        var conventional = ConfigBuilder(size: 4096)
        conventional.put(0x34, 0x40, 1)
        conventional.cap(0x40, id: 0x01, next: 0)
        conventional.ext(0x100, id: 0x01, next: 0)
        #expect(try CapabilityChain(walking: conventional.config).extended.isEmpty)
        // An Express function whose extended space the kernel cannot reach (256-byte config).
        #expect(try CapabilityChain(walking: express(size: 256).config).extended.isEmpty)
        // All ones at 0x100: no extended capabilities, not a broken chain.
        var ones = express()
        ones.put(0x100, 0xFFFF_FFFF, 4)
        let chain = try CapabilityChain(walking: ones.config)
        #expect(chain.extended.isEmpty && chain.breaks.isEmpty)
    }
}

@Suite struct CapabilityDecoderTests {
    @Test func expressPayloadsStatusAndLink() throws {
        var b = ConfigBuilder(size: 4096)
        b.put(0x40, 0x0010, 2)
        b.put(0x42, 0x0042, 2)                              // v2, Root Port (4)
        b.put(0x44, 0x0000_0002, 4)                          // DevCap MPS 512
        b.put(0x48, UInt64(1 << 5 | 5 << 12), 2)             // DevCtl MPS 256, MRRS 4096
        b.put(0x4A, 0b0000_1010, 2)                          // DevSta NonFatalErr UnsupReq
        b.put(0x4C, UInt64(0x0500_0000 | 5 | 16 << 4), 4)    // LnkCap port 5, 32GT/s x16
        b.put(0x52, UInt64(2 | 4 << 4), 2)                   // LnkSta 5GT/s x4
        let express = try ExpressCapability(at: 0x40, in: b.config)
        #expect(express.version == 2)
        #expect(express.typeName == "Root Port")
        #expect(express.maxPayloadSupported == 512)
        #expect(express.maxPayload == 256)
        #expect(express.maxReadRequest == 4096)
        #expect(setBitNames(UInt32(express.deviceStatus), ExpressCapability.deviceStatusBits) == ["NonFatalErr", "UnsupReq"])
        #expect(express.linkCapability == ExpressCapability.Link(speedCode: 5, width: 16))
        #expect(express.linkCapability?.speed == "32GT/s")
        #expect(express.linkStatus?.speed == "5GT/s")
        #expect(express.linkStatus?.width == 4)
        #expect(express.port == 5)
        // A root port below its capability is normal; an endpoint is downgraded.
        #expect(express.comparison(2, 5) == "")
        b.put(0x42, 0x0002, 2)
        #expect(try ExpressCapability(at: 0x40, in: b.config).comparison(2, 5) == " (downgraded)")
    }

    @Test func integratedEndpointHasNoLink() throws {
        var b = ConfigBuilder()
        b.put(0x42, 0x0092, 2)
        b.put(0x4C, 0x41, 4)
        let express = try ExpressCapability(at: 0x40, in: b.config)
        #expect(express.typeName == "Root Complex Integrated Endpoint")
        #expect(express.linkCapability == nil && express.linkStatus == nil)
    }

    @Test(arguments: [(0, "D0"), (1, "D1"), (2, "D2"), (3, "D3hot")])
    func powerState(state: Int, name: String) throws {
        var b = ConfigBuilder()
        b.put(0x42, 0x0003, 2)
        b.put(0x44, UInt64(state) | 0x8, 2)
        let pm = try PowerManagementCapability(at: 0x40, in: b.config)
        #expect(pm.version == 3)
        #expect(pm.powerStateName == name)
        #expect(pm.noSoftReset)
    }

    @Test func msi32And64Bit() throws {
        var b = ConfigBuilder()
        b.put(0x42, UInt64(1 | 5 << 1 | 4 << 4), 2)         // enabled, 32 capable, 16 enabled, 32-bit
        b.put(0x44, 0xFEE0_1000, 4)
        b.put(0x48, 0x4021, 2)
        let msi = try MSICapability(at: 0x40, in: b.config)
        #expect(msi.enabled && !msi.is64Bit && !msi.maskable)
        #expect(msi.vectorsCapable == 32 && msi.vectorsEnabled == 16)
        #expect(msi.address == 0xFEE0_1000 && msi.data == 0x4021)
        b.put(0x42, UInt64(1 << 7 | 1 << 8), 2)            // disabled, 64-bit, maskable
        b.put(0x48, 0x1, 4)
        b.put(0x4C, 0x55, 2)
        let wide = try MSICapability(at: 0x40, in: b.config)
        #expect(!wide.enabled && wide.is64Bit && wide.maskable)
        #expect(wide.address == 0x1_FEE0_1000 && wide.data == 0x55)
    }

    @Test func msixTableAndPBA() throws {
        var b = ConfigBuilder()
        b.put(0x42, UInt64(1 << 15 | 64), 2)               // enabled, 65 vectors
        b.put(0x44, 0x0000_2000 | 4, 4)
        b.put(0x48, 0x0000_3000 | 5, 4)
        let msix = try MSIXCapability(at: 0x40, in: b.config)
        #expect(msix.enabled && !msix.functionMask)
        #expect(msix.tableSize == 65)
        #expect(msix.tableBAR == 4 && msix.tableOffset == 0x2000)
        #expect(msix.pbaBAR == 5 && msix.pbaOffset == 0x3000)
    }

    @Test func aerStatusAndMaskNames() throws {
        var b = ConfigBuilder(size: 4096)
        b.put(0x104, UInt64(1 << 20 | 1 << 14 | 1 << 22), 4)
        b.put(0x108, UInt64(1 << 19), 4)
        b.put(0x110, UInt64(1 | 1 << 6), 4)
        b.put(0x114, UInt64(1 << 13), 4)
        let aer = try AERCapability(at: 0x100, in: b.config)
        #expect(setBitNames(aer.uncorrectableStatus, AERCapability.uncorrectableBits) == ["CmpltTO", "UnsupReq", "UncorrIntErr"])
        #expect(setBitNames(aer.uncorrectableMask, AERCapability.uncorrectableBits) == ["ECRC"])
        #expect(setBitNames(aer.correctableStatus, AERCapability.correctableBits) == ["RxErr", "BadTLP"])
        #expect(setBitNames(aer.correctableMask, AERCapability.correctableBits) == ["AdvNonFatalErr"])
        // lspci's twelve flags, then only the newer bits that are set.
        #expect(AERCapability.flags(aer.uncorrectableStatus, AERCapability.uncorrectableBits, lspciCount: 12)
                == "DLP- SDES- TLP- FCP- CmpltTO+ CmpltAbrt- UnxCmplt- RxOF- MalfTLP- ECRC- UnsupReq+ ACSViol- UncorrIntErr+")
    }

    @Test func resizableBARSizesIncludingExtendedOnes() throws {
        var b = ConfigBuilder(size: 4096)
        b.put(0x204, UInt64(((1 << 14) - (1 << 8)) << 4), 4)   // 256MB-8GB
        b.put(0x208, UInt64(1 | 2 << 5 | 8 << 8), 4)            // BAR 1, two entries, current 256MB
        b.put(0x20C, UInt64(1 << 4), 4)                          // 1MB
        b.put(0x210, UInt64(1 << 16 | 1 << 31), 4)   // BAR 0, current 1MB, +256TB, +8EB
        let rebar = try ResizableBARCapability(at: 0x200, in: b.config)
        #expect(rebar.badCount == nil)
        #expect(rebar.entries.map(\.bar) == [1, 0])
        #expect(rebar.entries[0].currentSize == 256 << 20)
        #expect(rebar.entries[0].supportedSizes == (8...13).map { UInt64(1) << UInt64($0 + 20) })
        #expect(rebar.entries[1].supportedSizes == [1 << 20, 1 << 48, 1 << 63])
        #expect(rebar.entries[1].supportedSizes.map(ResizableBARCapability.sizeText) == ["1MB", "256TB", "8EB"])
    }

    @Test func resizableBARWithABadCountStops() throws {
        var b = ConfigBuilder(size: 4096)
        b.put(0x208, UInt64(7 << 5), 4)
        let rebar = try ResizableBARCapability(at: 0x200, in: b.config)
        #expect(rebar.entries.isEmpty && rebar.badCount == 7)
    }

    @Test func listingTextAndJSONShowBreaksWhereTheyHappen() throws {
        var b = ConfigBuilder()
        b.put(0x34, 0x40, 1)
        b.cap(0x40, id: 0x01, next: 0x40)
        b.put(0x42, 0x0003, 2)
        b.put(0x44, 0x0003, 2)
        let listing = try CapabilityListing(b.config)
        #expect(listing.text == """
            [40] Power Management v3 (0x01)
                Status: D3hot NoSoftRst- PME-Enable- PME-
            [40] <chain looped: the capability at 0x40 points back to 0x40, already visited; stopped there>

            """)
        let json = listing.json.rendered(indent: nil)
        #expect(json.hasPrefix(#"[{"offset":64,"id":1,"extended":false,"name":"Power Management","version":3,"powerState":"D3hot""#))
        #expect(json.contains(#"{"offset":64,"id":1,"extended":false,"name":"<chain looped>","broken":"#))
    }
}
