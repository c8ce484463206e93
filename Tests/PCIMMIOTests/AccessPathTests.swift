import Glibc
import Testing
@testable import PCIMMIO

/// The parts of the access paths that need no kernel: VFIO's region info, /proc/iomem, the
/// diagnosis table, and which path a plan chooses.
@Suite struct VFIORegionInfoTests {
    /// A vfio_region_info buffer: the fixed part, then the given capabilities chained in order.
    func regionInfo(index: UInt32, flags: UInt32, size: UInt64, offset: UInt64, sparse: [(UInt64, UInt64)]? = nil,
                    extraCapability: Bool = false) -> [UInt8] {
        var bytes: [UInt8] = []
        func put<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value.littleEndian) { bytes += $0 } }
        var capabilities: [[UInt8]] = []
        if extraCapability { capabilities.append([2, 0, 1, 0, 0, 0, 0, 0] + [UInt8](repeating: 0xaa, count: 8)) }
        if let sparse {
            var cap: [UInt8] = [1, 0, 1, 0, 0, 0, 0, 0]
            withUnsafeBytes(of: UInt32(sparse.count).littleEndian) { cap += $0 }
            cap += [0, 0, 0, 0]
            for (start, length) in sparse {
                withUnsafeBytes(of: start.littleEndian) { cap += $0 }
                withUnsafeBytes(of: length.littleEndian) { cap += $0 }
            }
            capabilities.append(cap)
        }
        let total = 32 + capabilities.reduce(0) { $0 + $1.count }
        put(UInt32(total)); put(flags | (capabilities.isEmpty ? 0 : VFIORegionInfo.capsFlag)); put(index)
        put(UInt32(capabilities.isEmpty ? 0 : 32)); put(size); put(offset)
        var at = 32
        for (number, var cap) in capabilities.enumerated() {
            let next = number + 1 < capabilities.count ? UInt32(at + cap.count) : 0
            withUnsafeBytes(of: next.littleEndian) { cap.replaceSubrange(4..<8, with: $0) }
            bytes += cap
            at += cap.count
        }
        return bytes
    }

    @Test func theFixedPartGivesSizeOffsetAndFlags() throws {
        let info = try VFIORegionInfo(parsing: regionInfo(index: 0, flags: 7, size: 0x100000, offset: 0))
        #expect(info == VFIORegionInfo(index: 0, flags: 7, size: 0x100000, offset: 0, sparseAreas: nil))
        #expect(info.readable && info.writable)
        #expect(info.mappable(0..<0x1000) && info.mappable(0xff000..<0x100000))
        #expect(!info.mappable(0xff000..<0x101000), "past the region")
        let noMmap = try VFIORegionInfo(parsing: regionInfo(index: 4, flags: 3, size: 0x20, offset: 4 << 40))
        #expect(noMmap.offset == 4 << 40 && !noMmap.mappable(0..<0x20), "an I/O BAR has no mmap flag")
    }

    /// A 16 KiB BAR holding an MSI-X table at 0x2000: the kernel offers two areas around it.
    @Test func sparseAreasLeaveTheMSIXTableUnmapped() throws {
        let info = try VFIORegionInfo(parsing: regionInfo(index: 2, flags: 7, size: 0x4000, offset: 2 << 40,
                                                          sparse: [(0, 0x2000), (0x3000, 0x1000)], extraCapability: true))
        #expect(info.sparseAreas == [0..<0x2000, 0x3000..<0x4000])
        #expect(info.mappable(0..<0x2000))
        #expect(info.mappable(0x3000..<0x4000))
        #expect(!info.mappable(0x2000..<0x3000), "the MSI-X table")
        #expect(!info.mappable(0..<0x4000), "the whole BAR spans the hole")
        #expect(!info.mappable(0x1000..<0x3000))
    }

    @Test func aBrokenCapabilityChainIsAnErrorNotALoop() {
        var looped = regionInfo(index: 0, flags: 7, size: 0x1000, offset: 0, sparse: [(0, 0x1000)])
        looped[36] = 32  // the capability's next points at itself
        #expect(throws: PCIMMIOError.self) { try VFIORegionInfo(parsing: looped) }
        var outside = regionInfo(index: 0, flags: 7, size: 0x1000, offset: 0, sparse: [(0, 0x1000)])
        outside[12] = 0xf0  // cap_offset past the buffer
        #expect(throws: PCIMMIOError.self) { try VFIORegionInfo(parsing: outside) }
        var tooMany = regionInfo(index: 0, flags: 7, size: 0x1000, offset: 0, sparse: [(0, 0x1000)])
        tooMany[40] = 200  // nr_areas larger than the buffer holds
        #expect(throws: PCIMMIOError.self) { try VFIORegionInfo(parsing: tooMany) }
        #expect(throws: PCIMMIOError.self) { try VFIORegionInfo(parsing: [UInt8](repeating: 0, count: 16)) }
    }
}

@Suite struct IOMemMapTests {
    /// Tests/Fixtures/iomem: copied from real machines.
    func fixture(_ name: String) throws -> IOMemMap {
        let path = String(#filePath.dropLast("PCIMMIOTests/AccessPathTests.swift".count)) + "Fixtures/iomem/" + name
        return try IOMemMap(parsing: String(decoding: readWholeFile(path), as: UTF8.self))
    }

    @Test func ramIsFoundAndNamed() throws {
        let map = try fixture("cloud-vm.txt")
        #expect(map.memoryEntry(overlapping: 0x100000, length: 4)?.name == "System RAM")
        #expect(map.memoryEntry(overlapping: 0x1000000, length: 4)?.name == "System RAM", "Kernel code sits inside System RAM")
        #expect(map.memoryEntry(overlapping: 0xbffffffe, length: 4)?.name == "System RAM", "a range that ends inside RAM")
        #expect(map.memoryEntry(overlapping: 0xc0001000, length: 4) == nil, "PCI bus space")
        #expect(map.memoryEntry(overlapping: 0xfec00000, length: 4) == nil, "the IOAPIC")
    }

    @Test func aDriversRangeNamesTheDriverAndItsDevice() throws {
        let map = try fixture("cloud-vm.txt")
        let claimant = map.claimant(of: 0x4000080010, length: 4)
        #expect(claimant?.driver == "virtio-pci-modern")
        #expect(claimant?.owner == "0000:00:02.0")
        #expect(map.claimant(of: 0xc0001000, length: 4) == nil, "a bus window is nobody's")
        #expect(map.entries.first { $0.name == "Kernel code" }?.parents == ["System RAM"])
    }

    @Test func malformedLinesAreReported() {
        #expect(throws: PCIMMIOError.self) { try IOMemMap(parsing: "00000000-00000fff Reserved\n") }
        #expect(throws: PCIMMIOError.self) { try IOMemMap(parsing: "zz-00000fff : Reserved\n") }
    }
}

@Suite struct MappingDiagnosisTests {
    typealias D = MappingDiagnosis

    @Test func lockdownIsNamedWithTheVFIORemedy() {
        for mode in [KernelLockdown.integrity, .confidentiality] {
            let cause = D.cause(call: "mmap", kind: .resourceFile, errno: EPERM, lockdown: mode, root: true)
            #expect(cause?.contains("lockdown (\(mode.rawValue))") == true)
            #expect(cause?.contains("pcimmio bind DEVICE vfio-pci") == true)
        }
        #expect(D.cause(call: "open", kind: .devmem, errno: EPERM, lockdown: .integrity, root: true)?.contains("closes /dev/mem") == true)
        #expect(D.cause(call: "pwrite", kind: .resourceFile, errno: EPERM, lockdown: .integrity, root: true)?.contains("lockdown") == true,
                "I/O-port BARs are refused under lockdown too")
    }

    @Test func eachOtherRefusalHasItsOwnCause() {
        #expect(D.cause(call: "open", kind: .resourceFile, errno: EACCES, lockdown: KernelLockdown.none, root: false)?.contains("run as root") == true)
        #expect(D.cause(call: "open", kind: .vfio, errno: EACCES, lockdown: nil, root: false)?.contains("/dev/vfio") == true)
        #expect(D.cause(call: "mmap", kind: .devmem, errno: EPERM, lockdown: KernelLockdown.none, root: true)?.contains("STRICT_DEVMEM") == true)
        #expect(D.cause(call: "mmap", kind: .resourceFile, errno: EINVAL, lockdown: KernelLockdown.none, root: true)?.contains("exclusively") == true)
        #expect(D.cause(call: "mmap", kind: .resourceFile, errno: ENXIO, lockdown: nil, root: true)?.contains("different memory type") == true)
        #expect(D.cause(call: "mmap", kind: .devmem, errno: EAGAIN, lockdown: nil, root: true)?.contains("different memory type") == true)
        #expect(D.cause(call: "open", kind: .devmem, errno: ENOENT, lockdown: nil, root: true)?.contains("CONFIG_DEVMEM") == true)
        #expect(D.cause(call: "mmap", kind: .resourceFile, errno: EPERM, lockdown: KernelLockdown.none, root: true) == nil,
                "no guess when nothing explains it: the plain errno text stays")
    }

    @Test func theErrorKeepsCallPathAndErrnoText() {
        let error = PCIMMIOError.accessRefused(call: "mmap", path: "/sys/bus/pci/devices/0000:00:03.0/resource0", errno: EPERM, cause: "because")
        #expect(error.description == "mmap /sys/bus/pci/devices/0000:00:03.0/resource0: Operation not permitted: because")
        #expect(!error.description.contains("\n"))
    }

    @Test func theLockdownFileIsRead() {
        #expect(KernelLockdown(parsing: "none [integrity] confidentiality\n") == .integrity)
        #expect(KernelLockdown(parsing: "[none] integrity confidentiality\n") == KernelLockdown.none)
        #expect(KernelLockdown(parsing: "none integrity [confidentiality]") == .confidentiality)
        #expect(KernelLockdown(parsing: "garbage") == nil)
    }
}

@Suite struct AccessPathChoiceTests {
    func boundDevice(_ driver: String?) -> PCIDevice {
        PCIDevice(address: PCIAddress(domain: 0, bus: 0, device: 2, function: 0), vendorID: 0x1234, deviceID: 0x11e8,
                  deviceClass: 0x00ff, revision: 0, subsystemVendorID: 0, subsystemID: 0, vendorName: nil,
                  deviceName: nil, className: nil, driver: driver,
                  bars: [memoryBAR(0, size: 0x1000, file: "/nonexistent/resource0", wc: "/nonexistent/resource0_wc", prefetchable: true),
                         BAR(index: 1, kind: .io, prefetchable: false, address: 0xc000, size: 0x20, resourceFile: "/nonexistent/resource1", writeCombiningFile: nil)],
                  directory: "/nonexistent")
    }

    @Test func aDeviceBoundToVFIOPCIGoesThroughVFIO() throws {
        #expect(try AccessPlan(device: boundDevice("vfio-pci"), bar: 0, offset: 0, width: .w32, mode: .read).via == .vfio)
        #expect(try AccessPlan(device: boundDevice(nil), bar: 0, offset: 0, width: .w32, mode: .read).via == .sysfs)
        #expect(try AccessPlan(device: boundDevice("e1000"), bar: 0, offset: 0, width: .w32, mode: .read).via == .sysfs)
        #expect(try AccessPlan(device: boundDevice("vfio-pci"), bar: 0, offset: 0, width: .w32, mode: .read, via: .sysfs).via == .sysfs)
    }

    @Test func forcedPathsAreChecked() {
        #expect(throws: PCIMMIOError.self) { try AccessPlan(device: boundDevice(nil), bar: 0, offset: 0, width: .w32, mode: .read, via: .vfio) }
        #expect(throws: PCIMMIOError.self) { try AccessPlan(device: boundDevice("vfio-pci"), bar: 0, offset: 0, width: .w32, mode: .read, writeCombining: true) }
        #expect(throws: PCIMMIOError.self) { try AccessPlan(device: boundDevice(nil), bar: 1, offset: 0, width: .w32, mode: .read, via: .devmem) }
        #expect(throws: PCIMMIOError.usage("phys addresses go through /dev/mem: drop --via sysfs")) {
            try RegisterTarget(place: .physical, via: "sysfs")
        }
    }

    /// `phys` is no device: a target of its own, checked against the whole physical address space.
    @Test func physicalAddressesAreCheckedAgainstTheAddressSpace() throws {
        let backend = DevMemBackend(device: nil, directory: nil, diagnostics: Diagnostics { _, _ in },
                                    memoryMap: { () throws(PCIMMIOError) in try IOMemMap(parsing: "00000000-0009ffff : System RAM\n") })
        #expect(throws: PCIMMIOError.misaligned(offset: 0x1002, width: .w32)) {
            try AccessPlan(physicalAddress: 0x1002, width: .w32, mode: .read, backend: backend)
        }
        #expect(throws: PCIMMIOError.physicalRangeTooLong(address: .max - 3, length: 8)) {
            try AccessPlan(physicalAddress: .max - 3, width: .w32, count: 2, mode: .read, backend: backend)
        }
        #expect(throws: PCIMMIOError.self) { try AccessPlan(physicalAddress: 0x1000, width: .w32, mode: .read, backend: backend) }
        let plan = try AccessPlan(physicalAddress: 0xfea0_0000, width: .w32, mode: .read, backend: backend)
        #expect(plan.location == .physical && plan.bar == nil && plan.via == .devmem)
        #expect(try RegisterCommandSyntax.peek.target(["phys", "0x1000"]).place == .physical)
    }

    /// Only memory BARs are reached by physical address, whatever /proc/iomem says about the
    /// port number: an I/O port's number is not a physical address (issue 17, defect 5).
    @Test func devmemRefusesIOPortAndROMBARsEvenWhereTheirNumberIsNotRAM() throws {
        let nothingIsRAM = DevMemBackend(device: boundDevice(nil), directory: "/nonexistent", diagnostics: Diagnostics { _, _ in },
                                         memoryMap: { () throws(PCIMMIOError) in try IOMemMap(parsing: "") })
        #expect(try AccessPlan(device: boundDevice(nil), bar: 0, offset: 0, width: .w32, mode: .read, backend: nothingIsRAM).path != "")
        #expect(throws: PCIMMIOError.usage("0000:00:02.0 BAR 1 is an I/O-port BAR: /dev/mem reaches memory only; drop --via devmem")) {
            try AccessPlan(device: boundDevice(nil), bar: 1, offset: 0, width: .w32, mode: .read, backend: nothingIsRAM)
        }
    }
}
