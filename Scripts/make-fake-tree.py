#!/usr/bin/env python3
"""Build a fake /sys/bus/pci tree that libpci/lspci accept.

Usage:
    make-fake-tree.py [--flat] DESCRIPTION.toml OUTDIR
    make-fake-tree.py [--flat] --generate N [--seed S] OUTDIR

Point lspci (or anything built on libpci) at the result with
    lspci -A linux-sysfs -O sysfs.path=OUTDIR ...

Description format (TOML; see Tests/Fixtures/trees/README.md for more):

    iov = true            # optional. true: the kernel was built with
                          # CONFIG_PCI_IOV, so `resource` has 13 lines (17 for
                          # bridges); false: 7 (11), like minimal VM kernels.

    drivers = ["vfio-pci"]  # optional: drivers loaded but bound to nothing
                            # (drivers/NAME with bind/unbind files)

    [[device]]
    slot = "0000:00:02.0"           # [DOMAIN:]BUS:DEV.FN, hex; domain may be >4 digits
    vendor = 0x8086
    device = 0x100e
    class = 0x020000                # class(8) subclass(8) prog-if(8)
    revision = 0x03                 # default 0
    subsystem_vendor = 0x8086       # default 0
    subsystem_device = 0x001e       # default 0
    irq = 11                        # default 0 (no interrupt pin)
    numa_node = 0                   # default -1
    driver = "e1000"                # omit for an unbound device
    iommu_group = 3                 # optional: the device's IOMMU group (omit: no IOMMU)
    pcie = false                    # true: 4096-byte config with an Express capability
    bridge = { secondary = 1, subordinate = 1 }   # PCI-to-PCI bridge (header type 1)
    config_dump = "dumps/nvme.txt"  # optional: the config file's bytes, see below

    [[device.bar]]
    index = 0                       # 0-5 (0-1 for bridges); mem64 also uses index+1
    kind = "mem32"                  # mem32 | mem64 | io
    address = 0xfebc0000            # 0 = unassigned (kernel sets IORESOURCE_UNSET)
    size = 0x20000                  # power of two; address must be aligned to it
    prefetchable = false            # memory BARs only; adds resourceN_wc
    file = true                     # false: no resourceN/resourceN_wc file
    fill = "pattern"                # optional: byte at offset i = (i * 7 + 3) & 0xff
    fill_bytes = 0x1000             # how many leading bytes to fill (default: all)

    [device.rom]                    # optional expansion ROM (disabled, like most)
    address = 0xfeb80000
    size = 0x40000

Per device the tree holds vendor, device, class, revision, subsystem_vendor,
subsystem_device, irq, numa_node, enable, modalias, resource, config,
driver_override, driver (symlink to OUTDIR/drivers/NAME, which holds bind and
unbind files), iommu_group (symlink to OUTDIR/kernel-iommu_groups/N, whose
devices/ links back), and a sparse resourceN (+ resourceN_wc for
prefetchable memory) per BAR, rom for an expansion ROM.  Like real sysfs,
device directories live in a hierarchy (OUTDIR/sys-devices/pciDDDD:BB/<bridge>/
<device>) and OUTDIR/devices/<slot> are symlinks into it; --flat puts real
directories straight into OUTDIR/devices instead.  Derived rather than
described: the multi-function bit (functions sharing BUS:DEV), PCIe port
types (from the bridge topology) and bridge windows (covering the BARs behind
each bridge).  OUTDIR must not exist or be empty.  Build on tmpfs when you
can: on a slow disk file creation dominates (~18 files per device).

config_dump gives the whole config space as a hex dump in the format of
`lspci -x`, `-xxx` or `-xxxx` (64, 256 or 4096 bytes; lines "OFF: hh hh ..."
of 16 bytes each, offsets contiguous from 00; other lines, such as lspci's
device header line, are ignored; a 64-byte dump is padded to 256 bytes with
zeros).  The value is a path relative to the description's directory, or the
dump itself when it spans several lines.  The `config` file then holds exactly
those bytes: no capabilities, windows or bits are made up, so `pcie` must not
be given (the size comes from the dump).  vendor, device, class, revision,
subsystem_vendor and subsystem_device are read from the dump and may be left
out; when given they must agree with it.  `bridge` must be given exactly when
the dump's header type is 1, and agree with its bus numbers; every
[[device.bar]] must agree with the dump's BAR register (address and type
bits).  The rest (resource, driver, irq, ...) comes from the description.

--generate N makes N endpoints (32 per bus, 256 buses per domain, no
bridges) with ids taken from pci.ids, 1-3 memory BARs of 4 KiB-1 MiB each,
no pattern fills, and the capabilities most PCIe endpoints have (PM, MSI,
PCI Express with a link, MSI-X; AER and Device Serial Number), for
benchmarks.  Output is deterministic for a given
--seed.
"""

import argparse
import os
import random
import re
import sys
import tomllib

# Kernel resource flags (include/linux/ioport.h), as printed in `resource`.
IORESOURCE_IO = 0x100
IORESOURCE_MEM = 0x200
IORESOURCE_PREFETCH = 0x2000
IORESOURCE_READONLY = 0x4000
IORESOURCE_SIZEALIGN = 0x40000
IORESOURCE_MEM_64 = 0x100000
IORESOURCE_UNSET = 0x20000000

# Low bits of a BAR register (include/uapi/linux/pci_regs.h).  The kernel
# copies them into the resource flags too (decode_bar()).
BAR_SPACE_IO = 0x1
BAR_MEM_TYPE_64 = 0x4
BAR_MEM_PREFETCH = 0x8

CMD_IO, CMD_MEMORY, CMD_MASTER = 0x1, 0x2, 0x4
STATUS_CAP_LIST = 0x10
CAP_ID_PM, CAP_ID_MSI, CAP_ID_SSVID, CAP_ID_EXP, CAP_ID_MSIX = 0x01, 0x05, 0x0D, 0x10, 0x11
# PCI Express capability device/port types.
EXP_ENDPOINT, EXP_ROOT_PORT, EXP_UPSTREAM, EXP_DOWNSTREAM, EXP_RC_ENDPOINT = 0x0, 0x4, 0x5, 0x6, 0x9

FOUR_GIB = 1 << 32
MAX_FILL = 16 << 20  # fixtures stay cheap: pattern fills are real bytes on disk

PATTERN = bytes((i * 7 + 3) & 0xFF for i in range(256))

SLOT_RE = re.compile(r"^(?:([0-9a-fA-F]{1,8}):)?([0-9a-fA-F]{1,2}):([0-9a-fA-F]{1,2})\.([0-7])$")

DEVICE_KEYS = {"slot", "vendor", "device", "class", "revision", "subsystem_vendor",
               "subsystem_device", "irq", "numa_node", "driver", "pcie", "bridge",
               "bar", "rom", "iommu_group", "config_dump"}
BAR_KEYS = {"index", "kind", "address", "size", "prefetchable", "file", "fill", "fill_bytes"}
DUMP_LINE_RE = re.compile(r"^([0-9a-fA-F]{2,3}):((?: [0-9a-fA-F]{2}){16})\s*$")
# Identity fields a config dump supplies: (key, offset, width in bytes).
DUMP_FIELDS = [("vendor", 0x00, 2), ("device", 0x02, 2), ("revision", 0x08, 1), ("class", 0x09, 3)]
DUMP_SUBSYSTEM = [("subsystem_vendor", 0x2C, 2), ("subsystem_device", 0x2E, 2)]  # header type 0 only
FIELD_MAX = {"vendor": 0xFFFF, "device": 0xFFFF, "class": 0xFFFFFF, "revision": 0xFF,
             "subsystem_vendor": 0xFFFF, "subsystem_device": 0xFFFF, "irq": 0xFFFFFFFF}


class DescriptionError(Exception):
    pass


def check_types(spec, where, bools=(), strings=(), tables=()):
    """Everything not named here must be an integer (TOML booleans are not)."""
    for key, val in spec.items():
        want = bool if key in bools else str if key in strings else (dict, list) if key in tables else int
        if not isinstance(val, want) or (want is int and isinstance(val, bool)):
            raise DescriptionError(f"{where}: {key} has the wrong type")


def parse_config_dump(text, where):
    """Bytes of an `lspci -x/-xxx/-xxxx` dump: 64 (padded to 256), 256 or 4096 of them."""
    data = bytearray()
    for number, line in enumerate(text.splitlines(), 1):
        m = DUMP_LINE_RE.match(line.strip())
        if not m:
            continue  # lspci's header line, blank lines, comments
        offset = int(m.group(1), 16)
        if offset != len(data):
            raise DescriptionError(f"{where}: config dump line {number} is at offset {offset:#x}, expected {len(data):#x}")
        data += bytes(int(x, 16) for x in m.group(2).split())
    if len(data) not in (64, 256, 4096):
        raise DescriptionError(f"{where}: config dump has {len(data)} bytes; lspci -x, -xxx and -xxxx print 64, 256 and 4096")
    return bytes(data) + bytes(256 - len(data)) if len(data) == 64 else bytes(data)


def pattern_bytes(n):
    """The seeded pattern: byte at offset i is (i * 7 + 3) & 0xff."""
    return (PATTERN * (n // 256 + 1))[:n]


def is_pow2(n):
    return n > 0 and n & (n - 1) == 0


def align_down(x, a):
    return x & ~(a - 1)


def align_up(x, a):
    return (x + a - 1) & ~(a - 1)


class Bar:
    def __init__(self, spec, where, is_bridge):
        where = f"{where} bar {spec.get('index', '?')}"
        unknown = set(spec) - BAR_KEYS
        if unknown:
            raise DescriptionError(f"{where}: unknown keys {sorted(unknown)}")
        check_types(spec, where, bools=("prefetchable", "file"), strings=("kind", "fill"))
        try:
            self.index = spec["index"]
            self.kind = spec["kind"]
            self.address = spec["address"]
            self.size = spec["size"]
        except KeyError as e:
            raise DescriptionError(f"{where}: missing {e}") from None
        self.prefetchable = spec.get("prefetchable", False)
        self.file = spec.get("file", True)
        self.fill = spec.get("fill")
        self.fill_bytes = spec.get("fill_bytes", self.size)

        if self.kind not in ("mem32", "mem64", "io"):
            raise DescriptionError(f"{where}: kind must be mem32, mem64 or io")
        last = self.index + (1 if self.kind == "mem64" else 0)
        if self.index < 0 or last > (1 if is_bridge else 5):
            raise DescriptionError(f"{where}: BAR does not fit the header")
        if not is_pow2(self.size) or self.address % self.size:
            raise DescriptionError(f"{where}: size must be a power of two and address aligned to it")
        if self.kind == "io":
            if self.prefetchable or self.size < 4 or self.size > 256 or self.address + self.size > 0x10000:
                raise DescriptionError(f"{where}: I/O BARs are 4-256 bytes below 0x10000, never prefetchable")
        elif self.size < 16:
            raise DescriptionError(f"{where}: memory BARs are at least 16 bytes")
        if self.kind == "mem32" and self.address + self.size > FOUR_GIB:
            raise DescriptionError(f"{where}: mem32 BAR above 4 GiB")
        if self.address + self.size > 1 << 64:
            raise DescriptionError(f"{where}: BAR beyond the 64-bit address space")
        if self.fill not in (None, "pattern"):
            raise DescriptionError(f"{where}: fill must be \"pattern\"")
        if self.fill and not (0 < self.fill_bytes <= min(self.size, MAX_FILL)):
            raise DescriptionError(f"{where}: fill_bytes must be 1..min(size, {MAX_FILL:#x})")
        if self.fill and not self.file:
            raise DescriptionError(f"{where}: fill needs the resource file")

    @property
    def slots(self):
        return (self.index, self.index + 1) if self.kind == "mem64" else (self.index,)

    def low_bits(self):
        if self.kind == "io":
            return BAR_SPACE_IO
        bits = BAR_MEM_TYPE_64 if self.kind == "mem64" else 0
        return bits | (BAR_MEM_PREFETCH if self.prefetchable else 0)

    def resource_line(self):
        if self.kind == "io":
            flags = IORESOURCE_IO
        else:
            flags = IORESOURCE_MEM
            if self.prefetchable:
                flags |= IORESOURCE_PREFETCH
            if self.kind == "mem64":
                flags |= IORESOURCE_MEM_64
        flags |= IORESOURCE_SIZEALIGN | self.low_bits()
        if self.address == 0:
            # What __pci_read_base() does with a BAR the firmware left unassigned.
            flags |= IORESOURCE_UNSET
        return (self.address, self.address + self.size - 1, flags)

    def config_dwords(self):
        """(register index, value) pairs for the BAR registers."""
        if self.kind == "io":
            return [(self.index, (self.address & 0xFFFFFFFC) | BAR_SPACE_IO)]
        low = (self.address & 0xFFFFFFF0) | self.low_bits()
        if self.kind == "mem32":
            return [(self.index, low)]
        return [(self.index, low), (self.index + 1, self.address >> 32)]


class Device:
    def __init__(self, spec, where, base_dir="."):
        where = f"{where}: device {spec.get('slot', '?')}"
        unknown = set(spec) - DEVICE_KEYS
        if unknown:
            raise DescriptionError(f"{where}: unknown keys {sorted(unknown)}")
        check_types(spec, where, bools=("pcie",), strings=("slot", "driver", "config_dump"),
                    tables=("bridge", "bar", "rom"))
        self.config = None  # the config file's bytes when a dump gives them
        if "config_dump" in spec:
            spec = dict(spec)
            self.config = load_config_dump(spec, where, base_dir)
        m = SLOT_RE.match(spec.get("slot", ""))
        if not m:
            raise DescriptionError(f"{where}: slot must look like [DOMAIN:]BUS:DEV.FN")
        self.domain = int(m.group(1) or "0", 16)
        self.bus, self.dev, self.fn = int(m.group(2), 16), int(m.group(3), 16), int(m.group(4))
        if self.dev > 0x1F or self.domain > 0x7FFFFFFF:
            raise DescriptionError(f"{where}: device > 0x1f or domain > 0x7fffffff (libpci limits)")
        # The kernel's name format; libpci builds paths with the same one.
        self.name = f"{self.domain:04x}:{self.bus:02x}:{self.dev:02x}.{self.fn}"
        try:
            self.vendor, self.device, self.cls = spec["vendor"], spec["device"], spec["class"]
        except KeyError as e:
            raise DescriptionError(f"{where}: missing {e}") from None
        for key, top in FIELD_MAX.items():
            if not 0 <= spec.get(key, 0) <= top:
                raise DescriptionError(f"{where}: {key} must be 0..{top:#x}")
        self.revision = spec.get("revision", 0)
        self.subsystem_vendor = spec.get("subsystem_vendor", 0)
        self.subsystem_device = spec.get("subsystem_device", 0)
        self.irq = spec.get("irq", 0)
        self.numa_node = spec.get("numa_node", -1)
        self.driver = spec.get("driver")
        self.iommu_group = spec.get("iommu_group")
        if self.iommu_group is not None and (not isinstance(self.iommu_group, int) or self.iommu_group < 0):
            raise DescriptionError(f"{where}: iommu_group must be a number >= 0")
        self.pcie = spec.get("pcie", False)
        self.bridge = spec.get("bridge")
        # Filled in by check_and_link() once all devices are known.
        self.multifunction = False
        self.parent = None  # the bridge whose secondary bus this device sits on
        self.exp_type = None
        if self.bridge is not None:
            check_types(self.bridge, f"{where} bridge")
            if set(self.bridge) != {"secondary", "subordinate"}:
                raise DescriptionError(f"{where}: bridge needs exactly secondary and subordinate")
            if not self.bus < self.bridge["secondary"] <= self.bridge["subordinate"] <= 0xFF:
                raise DescriptionError(f"{where}: need bus < secondary <= subordinate <= 0xff")
        self.bars = [Bar(b, where, self.bridge is not None) for b in spec.get("bar", [])]
        used = [s for b in self.bars for s in b.slots]
        if len(used) != len(set(used)):
            raise DescriptionError(f"{where}: BARs overlap in the header")
        self.rom = spec.get("rom")
        if self.rom is not None:
            check_types(self.rom, f"{where} rom")
            if set(self.rom) != {"address", "size"} or not is_pow2(self.rom["size"]) \
                    or self.rom["address"] % self.rom["size"] or self.rom["address"] + self.rom["size"] > FOUR_GIB:
                raise DescriptionError(f"{where}: rom needs an aligned 32-bit address and a power-of-two size")
        self.windows = (None, None, None)  # bridges: (io, mem, prefetchable mem) as (start, end)
        self.rich_caps = None  # --generate: (link speed, link width, MSI-X vectors)
        if self.config is not None:
            check_dump_agrees(self, where)

    @property
    def key(self):
        return (self.domain, self.bus, self.dev, self.fn)


def load_config_dump(spec, where, base_dir):
    """Reads spec's config_dump; fills in the identity fields it gives, checks the ones described."""
    value = spec["config_dump"]
    if "pcie" in spec:
        raise DescriptionError(f"{where}: pcie and config_dump exclude each other (the dump's size says it)")
    if "\n" in value:
        config = parse_config_dump(value, where)
    else:
        path = os.path.join(base_dir, value)
        try:
            with open(path, encoding="ascii") as f:
                config = parse_config_dump(f.read(), f"{where}: {value}")
        except (OSError, UnicodeDecodeError) as e:
            raise DescriptionError(f"{where}: config_dump {value}: {e}") from None
    fields = DUMP_FIELDS + (DUMP_SUBSYSTEM if config[0x0E] & 0x7F == 0 else [])
    for key, offset, width in fields:
        actual = int.from_bytes(config[offset:offset + width], "little")
        if key in spec and spec[key] != actual:
            raise DescriptionError(f"{where}: {key} = {spec[key]:#x} but the config dump says {actual:#x}")
        spec[key] = actual
    spec["pcie"] = len(config) == 4096
    return config


def check_dump_agrees(d, where):
    """What the description says about the header must be what the dump holds."""
    cfg = d.config
    header_type = cfg[0x0E] & 0x7F
    if (header_type == 1) != (d.bridge is not None):
        raise DescriptionError(f"{where}: the config dump's header type is {header_type}: "
                               f"{'give' if header_type == 1 else 'leave out'} bridge")
    if d.bridge and (cfg[0x19], cfg[0x1A]) != (d.bridge["secondary"], d.bridge["subordinate"]):
        raise DescriptionError(f"{where}: bridge buses {d.bridge['secondary']:#x}-{d.bridge['subordinate']:#x} "
                               f"but the config dump has {cfg[0x19]:#x}-{cfg[0x1A]:#x}")
    for b in d.bars:
        for reg, val in b.config_dwords():
            actual = int.from_bytes(cfg[0x10 + 4 * reg:0x14 + 4 * reg], "little")
            if actual != val:
                raise DescriptionError(f"{where}: bar {b.index} makes BAR register {reg} {val:#010x} "
                                       f"but the config dump has {actual:#010x}")


def load_description(path):
    with open(path, "rb") as f:
        try:
            doc = tomllib.load(f)
        except tomllib.TOMLDecodeError as e:
            raise DescriptionError(f"{path}: {e}") from None
    unknown = set(doc) - {"iov", "device", "drivers"}
    if unknown:
        raise DescriptionError(f"{path}: unknown top-level keys {sorted(unknown)}")
    check_types(doc, path, bools=("iov",), tables=("device", "drivers"))
    base_dir = os.path.dirname(os.path.abspath(path))
    devices = [Device(d, path, base_dir) for d in doc.get("device", [])]
    drivers = doc.get("drivers", [])
    if not isinstance(drivers, list) or not all(isinstance(x, str) for x in drivers):
        raise DescriptionError(f"{path}: drivers must be a list of names")
    return devices, doc.get("iov", True), drivers


def check_and_link(devices):
    """Cross-device checks; set multifunction bits and bridge windows."""
    seen = {}
    for d in devices:
        if d.key in seen:
            raise DescriptionError(f"duplicate slot {d.name}")
        seen[d.key] = d
    # Overlapping BARs are always a typo in a description.
    for space in ("io", "mem"):
        ranges = [(b.address, b.address + b.size, d.name) for d in devices for b in d.bars
                  if b.address and (b.kind == "io") == (space == "io")]
        if space == "mem":
            ranges += [(d.rom["address"], d.rom["address"] + d.rom["size"], d.name) for d in devices if d.rom]
        ranges.sort()
        for (_, end, a), (start, _, b) in zip(ranges, ranges[1:]):
            if start < end:
                raise DescriptionError(f"{space} BARs of {a} and {b} overlap")
    functions = {}
    for d in devices:
        functions.setdefault(d.key[:3], []).append(d)
    for group in functions.values():
        for d in group:
            d.multifunction = len(group) > 1

    bridges = [d for d in devices if d.bridge]
    by_secondary = {(b.domain, b.bridge["secondary"]): b for b in bridges}
    for d in devices:
        d.parent = by_secondary.get((d.domain, d.bus))
        if not d.parent and any(b.domain == d.domain and b.bridge["secondary"] <= d.bus <= b.bridge["subordinate"]
                                for b in bridges):
            raise DescriptionError(f"{d.name}: bus {d.bus:02x} is inside a bridge's range but no bridge has it as secondary")
    # PCIe port types follow from the topology: bridges on a root bus are root
    # ports, below a root or downstream port sits a switch upstream port, below
    # that the downstream ports.  Endpoints on a root bus are RC-integrated.
    for d in sorted(devices, key=depth):
        up = d.parent.exp_type if d.parent else None
        if d.bridge:
            d.exp_type = EXP_ROOT_PORT if up is None else EXP_DOWNSTREAM if up == EXP_UPSTREAM else EXP_UPSTREAM
        else:
            d.exp_type = EXP_RC_ENDPOINT if up is None else EXP_ENDPOINT
    for d in bridges:
        lo, hi = d.bridge["secondary"], d.bridge["subordinate"]
        behind = [e for e in devices if e.domain == d.domain and lo <= e.bus <= hi]
        d.windows = bridge_windows(d, behind)


def depth(d):
    n = 0
    while d.parent:  # terminates: a bridge's secondary bus is above its own bus
        d, n = d.parent, n + 1
    return n


def bridge_windows(bridge, behind):
    """Smallest windows (4 KiB I/O, 1 MiB memory granularity) covering every BAR behind the bridge."""
    io, mem, pref = [], [], []
    for dev in behind:
        for b in dev.bars:
            if b.address == 0:
                continue
            rng = (b.address, b.address + b.size - 1)
            if b.kind == "io":
                io.append(rng)
            elif b.prefetchable:
                pref.append(rng)
            elif b.address + b.size > FOUR_GIB:
                raise DescriptionError(f"{dev.name}: a non-prefetchable BAR behind bridge "
                                       f"{bridge.name} must sit below 4 GiB (the window is 32-bit)")
            else:
                mem.append(rng)
        if dev.rom:  # the kernel puts expansion ROMs in the non-prefetchable window
            mem.append((dev.rom["address"], dev.rom["address"] + dev.rom["size"] - 1))

    def cover(ranges, gran):
        if not ranges:
            return None
        return (align_down(min(r[0] for r in ranges), gran), align_up(max(r[1] for r in ranges) + 1, gran) - 1)

    return cover(io, 0x1000), cover(mem, 1 << 20), cover(pref, 1 << 20)


def resource_text(d, iov):
    lines = [(0, 0, 0)] * 7
    for b in d.bars:
        lines[b.index] = b.resource_line()
    if d.rom:
        a, s = d.rom["address"], d.rom["size"]
        lines[6] = (a, a + s - 1, IORESOURCE_MEM | IORESOURCE_PREFETCH | IORESOURCE_READONLY | IORESOURCE_SIZEALIGN)
    if iov:
        lines += [(0, 0, 0)] * 6  # the SR-IOV VF BARs
    if d.bridge:
        io, mem, pref = d.windows
        # pci_read_bridge_io/mmio/mmio_pref(): window type bits end up in the
        # flags (16-bit I/O decode, 64-bit prefetchable).
        lines.append((*io, IORESOURCE_IO) if io else (0, 0, 0))
        lines.append((*mem, IORESOURCE_MEM) if mem else (0, 0, 0))
        lines.append((*pref, IORESOURCE_MEM | IORESOURCE_PREFETCH | IORESOURCE_MEM_64 | 0x1) if pref else (0, 0, 0))
        lines.append((0, 0, 0))
    return "".join(f"0x{s:016x} 0x{e:016x} 0x{f:016x}\n" for s, e, f in lines)


def config_bytes(d):
    if d.config is not None:
        return d.config
    cfg = bytearray(4096 if d.pcie else 256)

    def put(off, val, width):
        cfg[off:off + width] = val.to_bytes(width, "little")

    put(0x00, d.vendor, 2)
    put(0x02, d.device, 2)
    cmd = CMD_MASTER
    if any(b.kind == "io" for b in d.bars) or (d.bridge and d.windows[0]):
        cmd |= CMD_IO
    if any(b.kind != "io" for b in d.bars) or d.rom or (d.bridge and (d.windows[1] or d.windows[2])):
        cmd |= CMD_MEMORY
    put(0x04, cmd, 2)
    put(0x08, d.revision, 1)
    put(0x09, d.cls, 3)
    put(0x0D, 0 if d.pcie else 0x40, 1)  # latency timer (meaningless on PCIe)
    put(0x0E, (1 if d.bridge else 0) | (0x80 if d.multifunction else 0), 1)
    for b in d.bars:
        for reg, val in b.config_dwords():
            put(0x10 + 4 * reg, val, 4)
    if d.irq:
        put(0x3C, d.irq & 0xFF, 1)
        put(0x3D, 1, 1)  # INTA#

    caps = []  # (id, body) chained from 0x40 upwards
    if d.rich_caps:
        caps += rich_capabilities(d, *d.rich_caps)
    elif d.pcie:
        caps.append((CAP_ID_EXP, (2 | d.exp_type << 4).to_bytes(2, "little") + bytes(0x3C - 4)))

    if d.bridge:
        put(0x18, d.bus, 1)
        put(0x19, d.bridge["secondary"], 1)
        put(0x1A, d.bridge["subordinate"], 1)
        io, mem, pref = d.windows
        # A base above the limit disables a window.
        put(0x1C, io[0] >> 8 & 0xF0 if io else 0xF0, 1)
        put(0x1D, io[1] >> 8 & 0xF0 if io else 0x00, 1)
        put(0x20, mem[0] >> 16 & 0xFFF0 if mem else 0xFFF0, 2)
        put(0x22, mem[1] >> 16 & 0xFFF0 if mem else 0x0000, 2)
        put(0x24, (pref[0] >> 16 & 0xFFF0 if pref else 0xFFF0) | 1, 2)
        put(0x26, (pref[1] >> 16 & 0xFFF0 if pref else 0x0000) | 1, 2)
        if pref:
            put(0x28, pref[0] >> 32, 4)
            put(0x2C, pref[1] >> 32, 4)
        if d.rom:
            put(0x38, d.rom["address"], 4)
        if d.subsystem_vendor:
            # Type 1 headers carry subsystem ids in a capability.
            body = bytes(2) + d.subsystem_vendor.to_bytes(2, "little") + d.subsystem_device.to_bytes(2, "little")
            caps.append((CAP_ID_SSVID, body))
    else:
        put(0x2C, d.subsystem_vendor, 2)
        put(0x2E, d.subsystem_device, 2)
        if d.rom:
            put(0x30, d.rom["address"], 4)  # enable bit clear, as the kernel leaves it

    pos = 0x40
    for i, (cap_id, body) in enumerate(caps):
        nxt = pos + 2 + len(body) if i + 1 < len(caps) else 0
        nxt = align_up(nxt, 4)
        put(pos, cap_id, 1)
        put(pos + 1, nxt, 1)
        cfg[pos + 2:pos + 2 + len(body)] = body
        pos = nxt
    if caps:
        put(0x06, STATUS_CAP_LIST, 2)
        put(0x34, 0x40, 1)
    if d.rich_caps and d.pcie:
        # AER v2 (nothing logged) -> Device Serial Number: what most endpoints carry.
        put(0x100, 0x0001 | 2 << 16 | 0x148 << 20, 4)
        put(0x10C, 0x00462030, 4)  # the reset severity
        put(0x148, 0x0003 | 1 << 16, 4)
        put(0x14C, d.device << 16 | d.bus << 8 | d.dev, 4)
    return bytes(cfg)


def rich_capabilities(d, speed, width, vectors):
    """PM (D0), MSI (64-bit, off), PCI Express v2 with a link, MSI-X (on): --generate's devices."""
    le = lambda value, n: value.to_bytes(n, "little")
    pm = le(0x0003, 2) + le(0x0008, 2) + bytes(2)
    msi = le(0x0080 | 1 << 1, 2) + bytes(10)
    express = (le(2 | d.exp_type << 4, 2) + le(0x8FC2, 4) + le(0x2000 | 1 << 5, 2) + bytes(2)
               + le(speed | width << 4 | 3 << 10, 4) + bytes(2) + le(speed | width << 4 | 1 << 12, 2)).ljust(0x3C - 2, b"\0")
    msix = le(0x8000 | (vectors - 1), 2) + le(0x2000, 4) + le(0x3000, 4)
    return [(CAP_ID_PM, pm), (CAP_ID_MSI, msi), (CAP_ID_EXP, express), (CAP_ID_MSIX, msix)]


def modalias(d):
    c = d.cls
    return (f"pci:v{d.vendor:08X}d{d.device:08X}sv{d.subsystem_vendor:08X}sd{d.subsystem_device:08X}"
            f"bc{c >> 16:02X}sc{c >> 8 & 0xFF:02X}i{c & 0xFF:02X}\n")


def write_at(dirfd, name, data, size=None):
    """Create NAME in DIRFD holding DATA, then extend it sparsely to SIZE.

    Raw os calls relative to the directory: generated trees have ~20 files
    per device and Python's buffered open() would dominate the run time."""
    fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644, dir_fd=dirfd)
    try:
        if data:
            os.write(fd, data)
        if size is not None:
            os.ftruncate(fd, size)
    finally:
        os.close(fd)


def make_driver(outdir, name):
    drv = os.path.join(outdir, "drivers", name)
    if not os.path.isdir(drv):
        os.makedirs(drv)
        for f in ("bind", "unbind"):
            open(os.path.join(drv, f), "wb").close()
    return drv


def build(devices, outdir, iov=True, flat=False, drivers=()):
    check_and_link(devices)
    if os.path.lexists(outdir) and os.listdir(outdir):
        raise DescriptionError(f"{outdir} exists and is not empty")
    devdir = os.path.join(outdir, "devices")
    for sub in ("devices", "drivers", "slots"):
        os.makedirs(os.path.join(outdir, sub), exist_ok=True)
    for name in ("drivers_probe", "rescan"):
        open(os.path.join(outdir, name), "wb").close()
    for name in drivers:
        make_driver(outdir, name)

    def real_dir(d):
        if flat:
            return os.path.join(devdir, d.name)
        if d.parent:
            return os.path.join(real_dir(d.parent), d.name)
        return os.path.join(outdir, "sys-devices", f"pci{d.domain:04x}:{d.bus:02x}", d.name)

    # Parents before children so nested directories can be created in order.
    for d in sorted(devices, key=depth):
        path = real_dir(d)
        os.makedirs(path)
        if not flat:
            os.symlink(os.path.relpath(path, devdir), os.path.join(devdir, d.name))
        attrs = {
            "vendor": f"0x{d.vendor:04x}\n",
            "device": f"0x{d.device:04x}\n",
            "class": f"0x{d.cls:06x}\n",
            "revision": f"0x{d.revision:02x}\n",
            "subsystem_vendor": f"0x{d.subsystem_vendor:04x}\n",
            "subsystem_device": f"0x{d.subsystem_device:04x}\n",
            "irq": f"{d.irq}\n",
            "numa_node": f"{d.numa_node}\n",
            "enable": "1\n" if d.driver else "0\n",
            "modalias": modalias(d),
            "resource": resource_text(d, iov),
            "driver_override": "(null)\n",
        }
        dirfd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
        try:
            for name, text in attrs.items():
                write_at(dirfd, name, text.encode())
            write_at(dirfd, "config", config_bytes(d))
            for b in d.bars:
                if not b.file:
                    continue
                seed = pattern_bytes(b.fill_bytes) if b.fill else None
                write_at(dirfd, f"resource{b.index}", seed, b.size)
                if b.prefetchable:
                    write_at(dirfd, f"resource{b.index}_wc", seed, b.size)
            if d.rom:
                write_at(dirfd, "rom", None, d.rom["size"])
        finally:
            os.close(dirfd)
        if d.iommu_group is not None:
            group = os.path.join(outdir, "kernel-iommu_groups", str(d.iommu_group))
            os.makedirs(os.path.join(group, "devices"), exist_ok=True)
            os.symlink(os.path.relpath(group, path), os.path.join(path, "iommu_group"))
            os.symlink(os.path.relpath(path, os.path.join(group, "devices")), os.path.join(group, "devices", d.name))
        if d.driver:
            drv = make_driver(outdir, d.driver)
            # libpci realpath()s this link and keeps the basename, so it must resolve.
            os.symlink(os.path.relpath(drv, path), os.path.join(path, "driver"))
            os.symlink(os.path.relpath(path, drv), os.path.join(drv, d.name))


# --generate: (vendor, device, class, driver) rows that exist in pci.ids.
GENERATED_KINDS = [
    (0x8086, 0x100E, 0x020000, "e1000"),
    (0x8086, 0x10D3, 0x020000, "e1000e"),
    (0x8086, 0x1533, 0x020000, "igb"),
    (0x8086, 0x1572, 0x020000, "i40e"),
    (0x1AF4, 0x1041, 0x020000, "virtio-pci"),
    (0x1AF4, 0x1042, 0x018000, "virtio-pci"),
    (0x1AF4, 0x1048, 0x010000, "virtio-pci"),
    (0x15B3, 0x1017, 0x020000, "mlx5_core"),
    (0x144D, 0xA808, 0x010802, "nvme"),
    (0x1B36, 0x0010, 0x010802, "nvme"),
    (0x10DE, 0x1EB8, 0x030200, None),
    (0x1B36, 0x000D, 0x0C0330, "xhci_hcd"),
]


def generate(n, seed):
    """n plausible endpoints, 32 per bus (then per domain), BARs packed from 0xc0000000 and 0x4000000000."""
    rnd = random.Random(seed)
    next32, next64 = 0xC0000000, 0x40_0000_0000
    devices = []
    for i in range(n):
        vendor, device, cls, driver = GENERATED_KINDS[rnd.randrange(len(GENERATED_KINDS))]
        bars, index = [], 0
        for _ in range(rnd.randint(1, 3)):
            size = 1 << rnd.randint(12, 20)  # 4 KiB .. 1 MiB
            kind = rnd.choice(("mem32", "mem64"))
            if kind == "mem32" and align_up(next32, size) + size <= 0xFE000000:
                addr = align_up(next32, size)
                next32 = addr + size
            else:
                kind = "mem64"
                addr = align_up(next64, size)
                next64 = addr + size
            pref = kind == "mem64" and rnd.random() < 0.5
            bars.append({"index": index, "kind": kind, "address": addr, "size": size, "prefetchable": pref})
            index += 2 if kind == "mem64" else 1
        spec = {
            "slot": f"{i // 8192:04x}:{i // 32 % 256:02x}:{i % 32:02x}.0",
            "vendor": vendor, "device": device, "class": cls,
            "revision": rnd.choice((0, 1, 2, 3)),
            "subsystem_vendor": vendor, "subsystem_device": rnd.randrange(0x10000),
            "irq": rnd.randrange(16, 256), "pcie": True, "bar": bars,
        }
        if driver and rnd.random() < 0.9:
            spec["driver"] = driver
        d = Device(spec, "generated")
        d.rich_caps = (rnd.randint(1, 4), rnd.choice((1, 2, 4, 8, 16)), rnd.choice((2, 8, 32, 65)))
        devices.append(d)
    return devices


def main():
    ap = argparse.ArgumentParser(
        description="Build a fake /sys/bus/pci tree for libpci/lspci.",
        usage="%(prog)s [--flat] DESCRIPTION.toml OUTDIR\n"
              "       %(prog)s [--flat] --generate N [--seed S] OUTDIR")
    ap.add_argument("--generate", type=int, metavar="N", help="generate N devices instead of reading a description")
    ap.add_argument("--seed", type=int, default=1, help="random seed for --generate (default 1)")
    ap.add_argument("--flat", action="store_true", help="real directories in devices/ instead of symlinks")
    ap.add_argument("args", nargs="+", help=argparse.SUPPRESS)
    a = ap.parse_args()
    try:
        if a.generate is not None:
            if len(a.args) != 1 or not 0 < a.generate <= 0x7FFFFFFF:
                ap.error("--generate N takes N > 0 and only OUTDIR")
            build(generate(a.generate, a.seed), a.args[0], flat=a.flat)
        else:
            if len(a.args) != 2:
                ap.error("need DESCRIPTION.toml and OUTDIR")
            devices, iov, drivers = load_description(a.args[0])
            build(devices, a.args[1], iov=iov, flat=a.flat, drivers=drivers)
    except (DescriptionError, OSError) as e:
        sys.exit(f"make-fake-tree: {e}")


if __name__ == "__main__":
    main()
