#!/usr/bin/env python3
"""Parse and slice the QEMU memory_region_ops trace of the pcimmio test VM.

Trace lines (QEMU "log" trace backend, Debian's build), optionally prefixed
with "PID@SECONDS.USEC:" when QEMU runs with -msg timestamp=on:

    memory_region_ops_read cpu 0 mr 0x55... addr 0xfea00000 value 0x10000ed size 4 name 'edu-mmio'
    memory_region_ops_write cpu 0 mr 0x55... addr 0x703 value 0x5a size 1 name 'pm-smbus'

addr is absolute: a guest-physical address for memory regions, a port number
for I/O regions. value is the access value (for reads of registers a device
does not implement edu returns ~0 as a 64-bit number: mask it with the size).
Accesses to RAM-backed regions (ivshmem BAR2) are not traced, and accesses a
device rejects as invalid (e.g. 8/16-bit accesses to edu, which only accepts
4 and 8 bytes) do not appear at all.

Markers: the guest reads edu BAR0 + MARKER_OFFSET + 4*k (32-bit) to say
"marker k"; results.txt maps k to "begin NAME" / "end NAME". With one vCPU the
trace is in guest program order, so test NAME's accesses are the lines
strictly between its two marker reads. A guest that cannot reach edu's BAR
(the VFIO boot, under lockdown) names another scheme in results.txt:
    info marker_region REGION   info marker_base 0xADDR   info marker_limit 0xADDR
marker k is then one 4-byte read of REGION at marker_base + 4*k (< marker_limit);
run-tests-vfio.sh reads the marker device's sysfs config at 0x800 + 4*k, which the
kernel does through MMCONFIG ('pcie-mmcfg-mmio').

CLI:
    tracelib.py TRACE --results RESULTS.txt --list            # tests and access counts
    tracelib.py TRACE --results RESULTS.txt --test NAME [--devices-only]
    tracelib.py TRACE --from-line A --to-line B [--name REGEX] [--range LO-HI]
    tracelib.py TRACE --summary                               # accesses per region
"""
from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass

MARKER_OFFSET = 0x10000
MARKER_REGION = "edu-mmio"

LINE_RE = re.compile(
    r"^(?:(?P<pid>\d+)@(?P<ts>[0-9.]+):)?memory_region_ops_(?P<op>read|write) "
    r"cpu (?P<cpu>-?\d+) mr (?P<mr>0x[0-9a-fA-F]+|\(nil\)) addr (?P<addr>0x[0-9a-fA-F]+) "
    r"value (?P<value>0x[0-9a-fA-F]+) size (?P<size>\d+) name '(?P<name>[^']*)'"
)

# Regions that belong to the emulated test devices' BARs (anything the
# suite's devices expose).  Accesses to these outside a test's expectation
# are "stray" accesses.
DEVICE_REGION_RE = re.compile(
    r"^(edu-mmio|nvme|msix-table|msix-pba|virtio-pci-.*|ivshmem-mmio|ahci|ahci-idp|"
    r"pm-smbus|pci-testdev-.*|pvpanic)$"
)


@dataclass(frozen=True)
class Access:
    line: int  # 1-based line number in the trace file
    op: str  # "r" or "w"
    addr: int
    size: int
    raw_value: int
    name: str
    cpu: int

    @property
    def value(self) -> int:
        return self.raw_value & ((1 << (8 * self.size)) - 1) if self.size < 8 else self.raw_value & (2**64 - 1)

    def __str__(self) -> str:
        w = max(2, 2 * self.size)
        return (f"{'read ' if self.op == 'r' else 'write'} addr={self.addr:#x} size={self.size} "
                f"value=0x{self.value:0{w}x} region={self.name} (line {self.line})")


def parse_trace(path: str) -> list[Access]:
    out: list[Access] = []
    with open(path, "r", errors="replace") as f:
        for n, line in enumerate(f, 1):
            m = LINE_RE.match(line)
            if not m:
                continue
            out.append(Access(
                line=n,
                op="r" if m.group("op") == "read" else "w",
                addr=int(m.group("addr"), 16),
                size=int(m.group("size")),
                raw_value=int(m.group("value"), 16),
                name=m.group("name"),
                cpu=int(m.group("cpu")),
            ))
    return out


@dataclass
class Results:
    markers: dict[int, tuple[str, str]]  # k -> (begin|end, NAME)
    cases: dict[str, str]  # NAME -> rc (string; "missing" possible)
    cmds: dict[str, str]
    bars: dict[tuple[str, int], tuple[int, int, int]]  # (slot, idx) -> (start, end, flags)
    info: dict[str, list[str]]
    order: list[str]
    times: dict[str, float]


def parse_results(path: str) -> Results:
    r = Results({}, {}, {}, {}, {}, [], {})
    with open(path, "r", errors="replace") as f:
        for line in f:
            parts = line.rstrip("\n").split(" ")
            if not parts or not parts[0]:
                continue
            kind = parts[0]
            if kind == "marker" and len(parts) >= 4:
                r.markers[int(parts[1])] = (parts[2], parts[3])
            elif kind == "case" and len(parts) >= 3:
                r.cases[parts[1]] = parts[2]
                r.order.append(parts[1])
                if len(parts) >= 5:
                    try:
                        r.times[parts[1]] = float(parts[4]) - float(parts[3])
                    except ValueError:
                        pass
            elif kind == "cmd" and len(parts) >= 2:
                r.cmds[parts[1]] = " ".join(parts[2:])
            elif kind == "bar" and len(parts) >= 6:
                r.bars[(parts[1], int(parts[2]))] = (int(parts[3], 16), int(parts[4], 16), int(parts[5], 16))
            elif kind == "info" and len(parts) >= 2:
                r.info.setdefault(parts[1], []).append(" ".join(parts[2:]))
    return r


class Trace:
    """A parsed trace plus the marker index of the guest run."""

    def __init__(self, accesses: list[Access], results: Results | None = None, edu_base: int | None = None):
        self.accesses = accesses
        self.results = results
        if edu_base is None and results is not None and "edu_bar0" in results.info:
            edu_base = int(results.info["edu_bar0"][0], 16)
        self.edu_base = edu_base
        # marker k -> index into self.accesses (first occurrence)
        self.marker_pos: dict[int, int] = {}
        self.marker_dupes: list[int] = []
        region, lo, hi = MARKER_REGION, None, None
        info = results.info if results is not None else {}
        if "marker_region" in info and "marker_base" in info and "marker_limit" in info:
            region = info["marker_region"][0]
            lo, hi = int(info["marker_base"][0], 16), int(info["marker_limit"][0], 16)
        elif edu_base is not None:
            lo = edu_base + MARKER_OFFSET
            hi = edu_base + 0x100000
        self.marker_region, self.marker_lo, self.marker_hi = region, lo, hi
        if lo is not None:
            for i, a in enumerate(accesses):
                if a.op == "r" and a.size == 4 and a.name == region and lo <= a.addr < hi and (a.addr - lo) % 4 == 0:
                    k = (a.addr - lo) // 4
                    if k in self.marker_pos:
                        self.marker_dupes.append(k)
                    else:
                        self.marker_pos[k] = i
        # NAME -> (begin k, end k)
        self.test_markers: dict[str, list[int | None]] = {}
        if results is not None:
            for k, (be, name) in sorted(results.markers.items()):
                slot = self.test_markers.setdefault(name, [None, None])
                slot[0 if be == "begin" else 1] = k

    def slice(self, name: str) -> list[Access]:
        """Accesses strictly between test NAME's begin and end markers.
        Raises KeyError with a reason when the markers are not usable."""
        if name not in self.test_markers:
            raise KeyError(f"no markers recorded for test {name!r}")
        b, e = self.test_markers[name]
        if b is None or e is None:
            raise KeyError(f"test {name!r} lacks a begin or end marker")
        if b not in self.marker_pos:
            raise KeyError(f"begin marker {b} of {name!r} not found in the trace")
        if e not in self.marker_pos:
            raise KeyError(f"end marker {e} of {name!r} not found in the trace")
        i, j = self.marker_pos[b], self.marker_pos[e]
        if j < i:
            raise KeyError(f"markers of {name!r} out of order in the trace")
        return self.accesses[i + 1:j]

    def between_lines(self, a: int, b: int) -> list[Access]:
        return [x for x in self.accesses if a < x.line < b]


def device_accesses(accs: list[Access]) -> list[Access]:
    return [a for a in accs if DEVICE_REGION_RE.match(a.name)]


def in_range(accs: list[Access], lo: int, hi: int, name_re: str | None = None) -> list[Access]:
    """Accesses with lo <= addr < hi (and a region name matching name_re)."""
    rx = re.compile(name_re) if name_re else None
    return [a for a in accs if lo <= a.addr < hi and (rx is None or rx.search(a.name))]


def _int(s: str) -> int:
    return int(s, 0)


def main(argv: list[str]) -> int:
    import signal
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # quiet under `| head`
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("trace")
    ap.add_argument("--results", help="guest results.txt (marker map)")
    ap.add_argument("--edu-base", type=_int, help="edu BAR0 address (default: from results)")
    ap.add_argument("--test", help="print the accesses of one test (between its markers)")
    ap.add_argument("--list", action="store_true", help="list tests with their device-access counts")
    ap.add_argument("--from-line", type=int)
    ap.add_argument("--to-line", type=int)
    ap.add_argument("--name", help="only regions whose name matches this regex")
    ap.add_argument("--range", help="only addresses LO-HI (hex, HI exclusive)")
    ap.add_argument("--devices-only", action="store_true", help="only the test devices' BAR regions")
    ap.add_argument("--summary", action="store_true", help="count accesses per region")
    args = ap.parse_args(argv)

    accs = parse_trace(args.trace)
    res = parse_results(args.results) if args.results else None
    tr = Trace(accs, res, args.edu_base)

    if args.summary:
        counts: dict[str, int] = {}
        for a in accs:
            counts[a.name] = counts.get(a.name, 0) + 1
        for name, c in sorted(counts.items(), key=lambda kv: -kv[1]):
            print(f"{c:8d} {name}")
        return 0
    if args.list:
        if res is None:
            print("--list needs --results", file=sys.stderr)
            return 2
        for name in res.order:
            try:
                s = tr.slice(name)
                dev = device_accesses(s)
                print(f"{name:32s} rc={res.cases.get(name)} accesses={len(s)} device={len(dev)}")
            except KeyError as e:
                print(f"{name:32s} rc={res.cases.get(name)} ({e.args[0]})")
        return 0

    if args.test:
        try:
            sel = tr.slice(args.test)
        except KeyError as e:
            print(e.args[0], file=sys.stderr)
            return 1
    elif args.from_line is not None or args.to_line is not None:
        sel = tr.between_lines(args.from_line or 0, args.to_line or 1 << 62)
    else:
        sel = accs
    if args.devices_only:
        sel = device_accesses(sel)
    if args.name:
        rx = re.compile(args.name)
        sel = [a for a in sel if rx.search(a.name)]
    if args.range:
        lo, hi = (int(x, 16) for x in args.range.split("-"))
        sel = [a for a in sel if lo <= a.addr < hi]
    for a in sel:
        print(a)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
