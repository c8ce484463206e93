#!/usr/bin/env python3
"""Host-side checks of the pcimmio QEMU end-to-end suite (python3 stdlib only).

    check.py --make-ivshmem FILE          write the 1 MiB ivshmem pattern file
    check.py --workdir DIR --pcimmio BIN  extract the guest outbox and run the checks

Prints "ok - NAME" / "not ok - NAME: REASON" and exactly one final line
"N passed, N failed"; exits 1 when anything failed.
"""
from __future__ import annotations

import argparse
import base64
import io
import json
import os
import re
import subprocess
import sys
import tarfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
if __name__ == "__main__":
    # check_scripting.py does `from check import ...`: make that this very module
    sys.modules.setdefault("check", sys.modules[__name__])
import tracelib  # noqa: E402
from tracelib import Access  # noqa: E402

IVSHMEM_SIZE = 1 << 20
OUTBOX_MAGIC = b"PCIMBOX1"
OUTBOX_DONE = b"DONE"


def ivshmem_pattern() -> bytes:
    b = bytearray(((i * 7 + 3 + (i >> 8) * 29 + (i >> 16) * 101) & 0xFF) for i in range(IVSHMEM_SIZE))
    b[0:16] = b"PCIMMIO-IVSHMEM\x00"
    return bytes(b)


def extract_outbox(work: str) -> tuple[str | None, str]:
    """Unpack the guest archive into WORK/guest; returns (dir, how) or (None, reason)."""
    data = None
    how = ""
    try:
        with open(os.path.join(work, "outbox.bin"), "rb") as f:
            head = f.read(16)
            if head[0:8] == OUTBOX_MAGIC and head[12:16] == OUTBOX_DONE:
                size = int.from_bytes(head[8:12], "little")
                f.seek(0x1000)
                data = f.read(size)
                how = f"outbox ({size} bytes)"
    except OSError:
        pass
    if data is None:
        try:
            p = os.path.join(work, "console.txt")
            if not os.path.exists(p):  # run-vm.sh run by hand: console.log still has \r\n
                p = os.path.join(work, "console.log")
            text = open(p, errors="replace").read().replace("\r", "")
            m = re.search(r"=== PCIMMIO-OUTBOX-BASE64-BEGIN ===\n(.*?)=== PCIMMIO-OUTBOX-BASE64-END ===", text, re.S)
            if m:
                data = base64.b64decode("".join(m.group(1).split()))
                how = f"console base64 ({len(data)} bytes)"
        except OSError:
            pass
    if data is None:
        return None, "no outbox header and no base64 block on the console"
    dest = os.path.join(work, "guest")
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tf:
            if sys.version_info >= (3, 12):
                tf.extractall(dest, filter="tar")
            else:
                tf.extractall(dest)
    except (tarfile.TarError, OSError, EOFError) as e:
        return None, f"guest archive unreadable: {e}"
    return os.path.join(dest, "out"), how



# --------------------------------------------------------------------------------------
# Parsing helpers
# --------------------------------------------------------------------------------------

HEX_RE = re.compile(r"^(?:0x)?([0-9a-fA-F]+)$")


def parse_memtool(text: str, size: int) -> list[int]:
    """Values from `memtool md` output: 'ADDR: v v v v   ascii' (16 bytes a line)."""
    per_line = 16 // size
    vals: list[int] = []
    for line in text.splitlines():
        toks = line.split()
        if not toks or not toks[0].endswith(":"):
            continue
        for tok in toks[1:1 + per_line]:
            if len(tok) == 2 * size and HEX_RE.match(tok):
                vals.append(int(tok, 16))
            else:
                break
    return vals


def parse_hexdump(text: str, size: int, count: int) -> list[int]:
    """Values of WIDTH `size` bytes from a hex dump whose exact layout is pcimmio's
    business: an optional offset column (a token ending in ':', or a first
    column that advances by a constant stride), then the values (optionally
    0x-prefixed), then anything (an ASCII column).  At most `count` values."""
    lines = [ln.split() for ln in text.splitlines() if ln.strip()]
    # offset column without a colon?  first tokens advance by a constant stride
    offset_col = False
    firsts = []
    for toks in lines:
        m = HEX_RE.match(toks[0].rstrip(":"))
        firsts.append(int(m.group(1), 16) if m else None)
    if len(lines) >= 2 and all(f is not None for f in firsts):
        strides = {b - a for a, b in zip(firsts, firsts[1:])}
        if len(strides) == 1 and next(iter(strides)) > 0:
            offset_col = True
    vals: list[int] = []
    for toks in lines:
        i = 0
        if toks[0].endswith(":") or offset_col:
            i = 1
        for tok in toks[i:]:
            m = HEX_RE.match(tok)
            if m and len(m.group(1)) == 2 * size:
                vals.append(int(m.group(1), 16))
                if len(vals) >= count:
                    return vals
            else:
                break
    return vals


def parse_peek(text: str, width: int) -> list[int]:
    """Values printed by `pcimmio peek`: one '0x' + width/4 hex digits per line."""
    vals = []
    rx = re.compile(r"^0x[0-9a-fA-F]{%d}$" % (width // 4))
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if not rx.match(line):
            raise ValueError(f"peek output line {line!r} is not 0x + {width // 4} hex digits")
        vals.append(int(line, 16))
    return vals


def json_numbers(obj) -> list[int]:
    """All integers in a JSON document, in document order (hex strings count)."""
    out: list[int] = []
    if isinstance(obj, bool):
        return out
    if isinstance(obj, int):
        out.append(obj)
    elif isinstance(obj, str):
        m = re.match(r"^0x([0-9a-fA-F]+)$", obj)
        if m:
            out.append(int(m.group(1), 16))
    elif isinstance(obj, list):
        for x in obj:
            out.extend(json_numbers(x))
    elif isinstance(obj, dict):
        for x in obj.values():
            out.extend(json_numbers(x))
    return out


def is_subsequence(needle: list[int], hay: list[int]) -> bool:
    it = iter(hay)
    return all(any(x == y for y in it) for x in needle)


def parse_lspci_vmm(text: str) -> list[dict[str, str]]:
    devs = []
    for block in re.split(r"\n\s*\n", text.strip()):
        d = {}
        for line in block.splitlines():
            if ":\t" in line:
                k, v = line.split(":\t", 1)
                d[k.strip()] = v.strip()
        if d:
            devs.append(d)
    return devs


SIZE_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}


def parse_lspci_v_bars(text: str) -> dict[str, list[dict]]:
    """slot -> [{kind, address, size, prefetchable}] from `lspci -v -D`, in order."""
    out: dict[str, list[dict]] = {}
    slot = None
    for line in text.splitlines():
        m = re.match(r"^([0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]) ", line)
        if m:
            slot = m.group(1)
            out[slot] = []
            continue
        if slot is None:
            continue
        m = re.match(r"^\s+Memory at ([0-9a-f]+) \((32|64)-bit, (non-prefetchable|prefetchable)\)"
                     r"(?: \[[^\]]*\])* ?\[size=(\d+)([KMGT]?)\]", line)
        if m and "disabled" not in line:
            out[slot].append({"kind": "mem" + m.group(2), "address": int(m.group(1), 16),
                              "size": int(m.group(4)) * SIZE_UNITS[m.group(5)],
                              "prefetchable": m.group(3) == "prefetchable"})
            continue
        m = re.match(r"^\s+I/O ports at ([0-9a-f]+)(?: \[[^\]]*\])* ?\[size=(\d+)([KMGT]?)\]", line)
        if m:
            out[slot].append({"kind": "io", "address": int(m.group(1), 16),
                              "size": int(m.group(2)) * SIZE_UNITS[m.group(3)], "prefetchable": False})
    return out


PLACEHOLDER_RE = re.compile(r"^((Vendor|Device) \[?[0-9a-fA-F]{4}\]?|Vendor|Device|)$")


def strip_id(name: str) -> str:
    return re.sub(r"\s*\[[0-9a-fA-F]+\]$", "", name).strip()


def full_slot(s: str) -> str:
    return s if s.count(":") == 2 else "0000:" + s


def load_json(text: str):
    return json.loads(text)


def device_list(doc) -> list[dict]:
    if isinstance(doc, list):
        return doc
    if isinstance(doc, dict):
        for k in ("devices", "items"):
            if isinstance(doc.get(k), list):
                return doc[k]
        if "slot" in doc:
            return [doc]
    raise ValueError("JSON is not a list of devices")


# --------------------------------------------------------------------------------------
# The suite
# --------------------------------------------------------------------------------------

EDU, NVME, IVSHMEM, OUTBOX = "0000:00:02.0", "0000:00:03.0", "0000:00:04.0", "0000:00:05.0"
TESTDEV, PVPANIC, ROOTPORT = "0000:00:06.0", "0000:00:06.1", "0000:00:07.0"
AHCI, SMBUS, VIRTIO = "0000:00:1f.2", "0000:00:1f.3", "0000:01:00.0"


class Fail(Exception):
    pass


class Suite:
    def __init__(self, work: str, out: str, pcimmio: str | None):
        self.work = work
        self.out = out
        self.pcimmio = pcimmio
        self.passed = 0
        self.failed = 0
        self.res = tracelib.parse_results(os.path.join(out, "results.txt"))
        self.accs = tracelib.parse_trace(os.path.join(work, "trace.log"))
        self.trace = tracelib.Trace(self.accs, self.res)
        self.bars = self.res.bars
        # address ranges of BARs we do not test (root port's MSI-X table is the
        # kernel's business) -> excluded from "device accesses"
        self.ignore_ranges = [(st, en + 1) for (slot, _i), (st, en, _f) in self.bars.items()
                              if slot in (ROOTPORT, OUTBOX)]

    # -- reporting --
    def ok(self, name: str):
        print(f"ok - {name}")
        self.passed += 1

    def notok(self, name: str, reason: str):
        reason = " ".join(str(reason).split())
        if len(reason) > 600:
            reason = reason[:600] + "..."
        print(f"not ok - {name}: {reason}")
        self.failed += 1

    def check(self, name: str, fn, *args):
        try:
            fn(*args)
        except Fail as e:
            self.notok(name, e.args[0])
        except KeyError as e:
            self.notok(name, e.args[0] if e.args else "missing data")
        except Exception as e:  # noqa: BLE001 - report, never crash the suite
            self.notok(name, f"{type(e).__name__}: {e}")
        else:
            self.ok(name)

    # -- data access --
    def base(self, slot: str, idx: int) -> int:
        if (slot, idx) not in self.bars:
            raise Fail(f"guest sysfs shows no BAR{idx} for {slot}")
        return self.bars[(slot, idx)][0]

    def text(self, test: str, ext: str = "out") -> str:
        p = os.path.join(self.out, "t", f"{test}.{ext}")
        if not os.path.exists(p):
            raise Fail(f"guest test {test} did not run (no {test}.{ext})")
        return open(p, errors="replace").read()

    def rc(self, test: str) -> int:
        if test not in self.res.cases:
            raise Fail(f"guest test {test} did not run")
        return int(self.res.cases[test])

    def need_rc0(self, test: str):
        rc = self.rc(test)
        if rc != 0:
            err = self.text(test, "err").strip().splitlines()
            raise Fail(f"`{self.res.cmds.get(test, test)}` exited {rc}" + (f": {err[-1]}" if err else ""))

    def dev(self, test: str) -> list[Access]:
        try:
            sl = self.trace.slice(test)
        except KeyError as e:
            raise Fail(e.args[0])
        return [a for a in tracelib.device_accesses(sl)
                if not any(lo <= a.addr < hi for lo, hi in self.ignore_ranges)]

    def expect_accesses(self, test: str, expected: list[tuple]):
        """Device-BAR accesses of `test` must be exactly `expected`:
        tuples (op, addr, size[, value]) in order."""
        got = self.dev(test)
        def fmt(e):
            v = f" value={e[3]:#x}" if len(e) > 3 and e[3] is not None else ""
            return f"{'read' if e[0] == 'r' else 'write'} addr={e[1]:#x} size={e[2]}{v}"
        problems = []
        if len(got) != len(expected):
            problems.append(f"expected {len(expected)} device access(es), trace has {len(got)}")
        for i, (g, e) in enumerate(zip(got, expected)):
            if (g.op, g.addr, g.size) != tuple(e[:3]) or (len(e) > 3 and e[3] is not None and g.value != e[3]):
                problems.append(f"#{i}: expected {fmt(e)}, got {g}")
        if problems:
            shown = "; ".join(str(a) for a in got[:6]) + (" ..." if len(got) > 6 else "")
            raise Fail(", ".join(problems[:3]) + f" [trace: {shown or 'nothing'}]")
        return got

    def peek_values(self, test: str, width: int) -> list[int]:
        self.need_rc0(test)
        return parse_peek(self.text(test), width)

    def peek1(self, test: str, width: int) -> int:
        v = self.peek_values(test, width)
        if len(v) != 1:
            raise Fail(f"expected one value, got {len(v)}")
        return v[0]

    def memtool(self, test: str, size: int) -> list[int]:
        self.need_rc0(test)
        v = parse_memtool(self.text(test), size)
        if not v:
            raise Fail(f"oracle {test} printed no values")
        return v

    # ------------------------------------------------------------------------------
    def run(self, infra_msg: str):
        r = self.res
        # -- harness integrity --
        def ran_all():
            missing = [n for n in r.cmds if n not in r.cases]
            if missing:
                raise Fail(f"tests without a result: {', '.join(missing[:10])}")
            if not r.cmds:
                raise Fail("guest recorded no tests")
            if "end" not in r.info:
                raise Fail("guest script did not reach its end")
        self.check(f"harness: guest results shipped via {infra_msg}", ran_all)

        def markers():
            if self.trace.edu_base is None:
                raise Fail("edu BAR0 address unknown")
            want = set(r.markers)
            have = set(self.trace.marker_pos)
            lost = sorted(want - have)
            if lost:
                raise Fail(f"{len(lost)} of {len(want)} markers missing from the trace, e.g. {lost[:5]}")
            if self.trace.marker_dupes:
                raise Fail(f"markers read more than once: {self.trace.marker_dupes[:5]}")
            pos = [self.trace.marker_pos[k] for k in sorted(want)]
            if pos != sorted(pos):
                raise Fail("markers out of order in the trace")
        self.check(f"harness: all {len(r.markers)} trace markers found in order ({len(self.accs)} traced accesses)", markers)

        self.oracle_checks()
        self.enumeration_checks()
        self.edu_checks()
        self.width_checks()
        self.dump_checks()
        self.ivshmem_checks()
        self.io_checks()
        self.error_checks()
        self.scripting_checks()
        self.phys_checks()
        self.config_checks()
        self.bulk_checks()
        self.sysfs_capture_checks()

    def scripting_checks(self):
        # register maps, field pokes, dump --map, wait, watch, run: check_scripting.py
        import check_scripting  # here, not at the top: it imports names from this module
        check_scripting.run(self)

    def config_checks(self):
        # config vs setpci, config --dump vs lspci -x, caps vs lspci -vvv, device health: check_config.py
        import check_config  # here, not at the top: it imports names from this module
        check_config.run(self)

    def bulk_checks(self):
        # load, fill, multi-value poke: check_bulk.py
        import check_bulk  # here, not at the top: it imports names from this module
        check_bulk.run(self)

    # ------------------------------------------------------------------------------
    def oracle_checks(self):
        V4 = lambda: self.base(VIRTIO, 4)  # noqa: E731
        E0 = lambda: self.base(EDU, 0)  # noqa: E731
        N0 = lambda: self.base(NVME, 0)  # noqa: E731
        c = self.check
        c("oracle: marker pair with nothing between gives no device access",
          lambda: self.expect_accesses("oracle_empty", []))
        c("oracle: memtool md -b (virtio common cfg) = one 1-byte read",
          lambda: self.expect_accesses("oracle_memtool_b", [("r", V4() + 0x14, 1)]))
        c("oracle: memtool md -w (virtio num_queues) = one 2-byte read of 1",
          lambda: self.expect_accesses("oracle_memtool_w", [("r", V4() + 0x12, 2, 1)]))
        c("oracle: memtool md -l edu 0x00 = one 4-byte read of 0x010000ed",
          lambda: self.expect_accesses("oracle_memtool_l", [("r", E0(), 4, 0x010000ED)]))

        def q():
            v = self.memtool("oracle_memtool_q", 8)
            self.expect_accesses("oracle_memtool_q", [("r", N0(), 8, v[0])])
        c("oracle: memtool md -q nvme CAP = one 8-byte read", q)

        def l64():
            v = self.memtool("oracle_memtool_l64", 4)
            if len(v) != 16:
                raise Fail(f"memtool printed {len(v)} values")
            self.expect_accesses("oracle_memtool_l64", [("r", N0() + 4 * i, 4, v[i]) for i in range(16)])
        c("oracle: memtool md -l of 64 bytes = exactly 16 4-byte reads", l64)
        c("oracle: 16-bit access to edu is rejected by QEMU's edu (not traced), so widths use virtio/nvme",
          lambda: self.expect_accesses("oracle_memtool_edu_w", []))
        c("oracle: memtool mw -l = one 4-byte write",
          lambda: self.expect_accesses("oracle_memtool_mw", [("w", E0() + 4, 4, 0x5A5A0000)]))

        def io_b():
            self.need_rc0("oracle_io_dd_b")
            got = self.expect_accesses("oracle_io_dd_b", [("r", self.base(SMBUS, 4), 1)])
            if got[0].name != "pm-smbus":
                raise Fail(f"region {got[0].name}")
        c("oracle: I/O BAR (SMBus) read through sysfs resource4 is traced as one 1-byte read", io_b)

        def io_l():
            self.need_rc0("oracle_io_dd_l")
            got = self.expect_accesses("oracle_io_dd_l", [("r", self.base(AHCI, 4), 4)])
            if got[0].name != "ahci-idp":
                raise Fail(f"region {got[0].name}")
        c("oracle: I/O BAR (AHCI index/data) 4-byte read is traced as one 4-byte read", io_l)
        c("oracle: mmap of sysfs resource0 reads the same register",
          lambda: self.expect_accesses("oracle_sysfs_mmap", [("r", E0(), 4, 0x010000ED)]))

    # ------------------------------------------------------------------------------
    def enumeration_checks(self):
        c = self.check
        vmm = lambda: parse_lspci_vmm(self.text("lspci_vmm"))  # noqa: E731
        vmm_num = lambda: {d["Slot"]: d for d in parse_lspci_vmm(self.text("lspci_vmm_num"))}  # noqa: E731
        drivers = {}
        for v in self.res.info.get("driver", []):
            parts = v.split(" ")
            drivers[parts[0]] = parts[1] if len(parts) > 1 else ""

        def list_devices(test):
            self.need_rc0(test)
            try:
                return device_list(load_json(self.text(test)))
            except (ValueError, json.JSONDecodeError) as e:
                raise Fail(f"{test}: invalid JSON: {e}")

        def sysfs_bars(slot):
            out = {}
            for (s, i), (st, en, fl) in self.bars.items():
                if s != slot or i > 5 or en == 0:
                    continue
                kind = "io" if fl & 0x100 else ("mem64" if fl & 0x100000 else "mem32")
                out[i] = {"kind": kind, "address": st, "size": en - st + 1,
                          "prefetchable": bool(fl & 0x2000) and kind != "io"}
            return out

        def compare_device(d, num, named):
            slot = full_slot(d.get("slot", ""))
            errs = []
            for key, field in (("vendor", "Vendor"), ("device", "Device"),
                               ("subsystemVendor", "SVendor"), ("subsystemDevice", "SDevice")):
                want = int(num.get(field, "0"), 16)
                if d.get(key) != want:
                    errs.append(f"{key}={d.get(key)!r}, lspci {want:#06x}")
            rev = int(num.get("Rev", "0"), 16)
            if d.get("revision") != rev:
                errs.append(f"revision={d.get('revision')!r}, lspci {rev:#x}")
            cls16 = int(num["Class"], 16)
            progif = int(num.get("ProgIf", "0"), 16)
            cl = d.get("class")
            if cl not in (cls16, (cls16 << 8) | progif):
                errs.append(f"class={cl!r}, lspci {cls16:#06x} prog-if {progif:#04x}")
            for key, field in (("vendorName", "Vendor"), ("deviceName", "Device"), ("className", "Class")):
                want = named.get(field, "")
                if key == "className":
                    # pci.ids names only the base class here; libpci appends the class
                    # number, which JSON carries in "class" already.
                    want = want.removesuffix(f" [{cls16:04x}]")
                got = d.get(key)
                if key not in d:
                    errs.append(f"{key} missing")
                elif PLACEHOLDER_RE.match(want):
                    # unknown to pci.ids: lspci prints a placeholder; pcimmio may give null or its own
                    if got is not None and not isinstance(got, str):
                        errs.append(f"{key}={got!r} is neither a string nor null")
                elif got != want:
                    errs.append(f"{key}={got!r}, lspci {want!r}")
            drv = d.get("driver") or ""
            if drv != drivers.get(slot, ""):
                errs.append(f"driver={drv!r}, sysfs {drivers.get(slot, '')!r}")
            return errs

        def compare_bars(slot, bars, lspci_bars):
            errs = []
            want = sysfs_bars(slot)
            got = {b.get("index"): b for b in bars}
            if set(got) != set(want):
                errs.append(f"BAR indexes {sorted(k for k in got if k is not None)}, sysfs {sorted(want)}")
            for i, w in want.items():
                b = got.get(i)
                if not b:
                    continue
                for k in ("kind", "address", "size", "prefetchable"):
                    if b.get(k) != w[k]:
                        errs.append(f"BAR{i} {k}={b.get(k)!r}, sysfs {w[k]!r}")
                wc = os.path.basename(str(b.get("resourceFile", "")))
                if wc != f"resource{i}":
                    errs.append(f"BAR{i} resourceFile={b.get('resourceFile')!r}")
                want_wc = w["kind"] != "io" and w["prefetchable"]
                if b.get("writeCombining") != want_wc:
                    errs.append(f"BAR{i} writeCombining={b.get('writeCombining')!r}, expected {want_wc}")
            # and lspci -v agrees (address, size, kind, prefetch) in BAR order
            lw = [{k: w[k] for k in ("kind", "address", "size", "prefetchable")} for _i, w in sorted(want.items())]
            if lspci_bars is not None and lspci_bars != lw:
                errs.append(f"lspci -v shows {lspci_bars}, sysfs {lw}")
            return errs

        def list_json():
            devs = list_devices("list_json")
            lv = vmm()
            slots = [d["Slot"] for d in lv]
            got = [full_slot(d.get("slot", "")) for d in devs]
            if sorted(got) != sorted(slots):
                raise Fail(f"slots {got}, lspci {slots}")
            nums = vmm_num()
            # names as lspci prints them without -nn (libpci's own strings)
            named = {full_slot(d["Slot"]): d for d in parse_lspci_vmm(self.text("lspci_vmm_names"))}
            errs = []
            for d in devs:
                s = full_slot(d["slot"])
                errs += [f"{s}: {e}" for e in compare_device(d, nums[s], named[s])]
            if errs:
                raise Fail("; ".join(errs[:8]))
        c("list --json: same devices, ids, class, names and driver as lspci -vmm -n/-D and sysfs", list_json)

        def list_bars():
            devs = list_devices("list_json")
            lb = parse_lspci_v_bars(self.text("lspci_v"))
            errs = []
            for d in devs:
                s = full_slot(d["slot"])
                if s == ROOTPORT:
                    lbs = None  # lspci -v also prints the bridge windows; sysfs is the reference
                else:
                    lbs = lb.get(s)
                errs += [f"{s}: {e}" for e in compare_bars(s, d.get("bars", []), lbs)]
            if errs:
                raise Fail("; ".join(errs[:8]))
        c("list --json: BARs (index, kind, address, size, prefetchable, wc) agree with sysfs and lspci -v", list_bars)

        def bars_each():
            lb = parse_lspci_v_bars(self.text("lspci_v"))
            errs = []
            lst = {full_slot(d["slot"]): d for d in list_devices("list_json")}
            for s in sorted(lb):
                test = "bars_json_" + s.replace(":", "_").replace(".", "_")
                try:
                    devs = list_devices(test)
                except Fail as e:
                    errs.append(str(e.args[0]))
                    continue
                if len(devs) != 1 or full_slot(devs[0].get("slot", "")) != s:
                    errs.append(f"{test}: not exactly device {s}")
                    continue
                errs += [f"{s}: {e}" for e in compare_bars(s, devs[0].get("bars", []), None if s == ROOTPORT else lb.get(s))]
                if s in lst and devs[0] != lst[s]:
                    errs.append(f"{s}: bars --json differs from its list --json entry")
            if errs:
                raise Fail("; ".join(errs[:8]))
        c("bars DEVICE --json for every device agrees with sysfs, lspci -v and list --json", bars_each)

        def filt(test, want):
            got = sorted(full_slot(d.get("slot", "")) for d in list_devices(test))
            if got != sorted(want):
                raise Fail(f"got {got}, expected {sorted(want)}")
        c("list --json -s 00:02.0 selects edu only", filt, "list_json_slot", [EDU])
        c("list --json -d 1af4:1110 selects both ivshmem devices", filt, "list_json_vd", [IVSHMEM, OUTBOX])
        c("list --json -s 00:06 selects both functions of the multi-function device", filt, "list_json_mf", [TESTDEV, PVPANIC])
        c("bars 1234:11e8 --json resolves vendor:device to edu", filt, "bars_json_by_id", [EDU])

        def list_text():
            self.need_rc0("list_text")
            t = self.text("list_text")
            miss = [s for s in (d["Slot"] for d in vmm()) if s[5:] not in t]
            if miss:
                raise Fail(f"slots missing from the text listing: {miss}")
        c("list (text) mentions every device", list_text)

        def bars_text():
            self.need_rc0("bars_text_edu")
            if f"{self.base(EDU, 0):x}" not in self.text("bars_text_edu").lower():
                raise Fail("edu BAR0 address not in the output")
        c("bars 00:02.0 (text) shows edu's BAR0 address", bars_text)

        def no_touch():
            tests = [n for n in self.res.order if n.startswith(("list_", "bars_"))]
            bad = [f"{n}: {self.dev(n)[0]}" for n in tests if self.dev(n)]
            if bad:
                raise Fail("; ".join(bad[:4]))
        c("list/bars never touch a BAR (trace)", no_touch)

    # ------------------------------------------------------------------------------
    def edu_checks(self):
        c = self.check
        E0 = lambda: self.base(EDU, 0)  # noqa: E731

        def ident(test):
            v = self.peek1(test, 32)
            if v != 0x010000ED:
                raise Fail(f"read {v:#010x}")
            self.expect_accesses(test, [("r", E0(), 4, 0x010000ED)])
        c("peek edu BAR0 0x00 = 0x010000ed, one 32-bit read", ident, "edu_id_peek")
        c("peek 00:02.0 bar0 0x0 (short slot, barN) = 0x010000ed", ident, "edu_id_peek_short")
        c("peek 1234:11e8 0 0x0 (vendor:device) = 0x010000ed", ident, "edu_id_peek_vd")

        def poke():
            self.need_rc0("edu_live_poke")
            self.expect_accesses("edu_live_poke", [("w", E0() + 4, 4, 0x12345678)])
        c("poke edu 0x04 0x12345678 = one 32-bit write of that value", poke)

        def live():
            v = self.peek1("edu_live_peek", 32)
            if v != 0xEDCBA987:
                raise Fail(f"read {v:#010x}, expected the inverse 0xedcba987")
            self.expect_accesses("edu_live_peek", [("r", E0() + 4, 4, 0xEDCBA987)])
        c("edu liveness: peek 0x04 reads back the bitwise inverse", live)

        def dry():
            self.need_rc0("edu_dryrun_poke")
            self.expect_accesses("edu_dryrun_poke", [])
            v = self.peek1("edu_dryrun_after", 32)
            if v != 0xEDCBA987:
                raise Fail(f"register changed: {v:#010x}")
        c("poke --dry-run touches nothing (trace) and the register keeps its value", dry)

        def verify_bad():
            if self.rc("edu_verify_mismatch") == 0:
                raise Fail("exit status 0 although edu reads back the inverse")
            self.expect_accesses("edu_verify_mismatch", [("w", E0() + 4, 4, 0x0F0F0F0F), ("r", E0() + 4, 4, 0xF0F0F0F0)])
        c("poke --verify on edu 0x04 fails (reads back the inverse): one write, one read", verify_bad)

        def fact():
            self.need_rc0("edu_factorial")
            lines = self.text("edu_factorial").split()
            if not lines or lines[-1] != "0x00375f00":
                raise Fail(f"last value {lines[-1] if lines else None!r}, expected 0x00375f00 (10!)")
            got = self.dev("edu_factorial")
            if not got or (got[0].op, got[0].addr, got[0].size, got[0].value) != ("w", E0() + 8, 4, 10):
                raise Fail(f"first access {got[0] if got else None}, expected a 32-bit write of 10 to 0x08")
            if (got[-1].op, got[-1].addr, got[-1].size, got[-1].value) != ("r", E0() + 8, 4, 3628800):
                raise Fail(f"last access {got[-1]}, expected a 32-bit read of 10! from 0x08")
            mid = [a for a in got[1:-1] if (a.op, a.addr, a.size) != ("r", E0() + 0x20, 4)]
            if mid:
                raise Fail(f"unexpected access while polling: {mid[0]}")
            if len(got) < 3:
                raise Fail("status register never polled")
        c("edu factorial: write 10 to 0x08, poll 0x20 bit 0, read 0x08 = 10!", fact)

        def trace_opt():
            v = self.peek1("edu_trace_opt", 32)
            if v != 0x010000ED:
                raise Fail(f"read {v:#010x}")
            p = os.path.join(self.out, "t", "edu_trace_opt.log")
            if not os.path.exists(p) or os.path.getsize(p) == 0:
                raise Fail("--trace file missing or empty")
        c("--trace FILE writes an access log", trace_opt)

    # ------------------------------------------------------------------------------
    def width_checks(self):
        c = self.check
        V4 = lambda: self.base(VIRTIO, 4)  # noqa: E731
        N0 = lambda: self.base(NVME, 0)  # noqa: E731

        def peek_w(test, width, addr_fn, expect=None):
            v = self.peek1(test, width)
            got = self.expect_accesses(test, [("r", addr_fn(), width // 8)])
            if got[0].value != v:
                raise Fail(f"printed {v:#x}, the device returned {got[0].value:#x}")
            if expect is not None and v != expect:
                raise Fail(f"read {v:#x}, expected {expect:#x}")
        c("width 8: peek -w 8 (virtio device_status) = exactly one 1-byte read", peek_w, "width8", 8, lambda: V4() + 0x14)
        c("width 16: peek -w 16 (virtio num_queues) = exactly one 2-byte read of 1", peek_w, "width16", 16, lambda: V4() + 0x12, 1)
        c("width 32: peek -w 32 (virtio device_feature_select) = exactly one 4-byte read", peek_w, "width32", 32, lambda: V4())
        c("width 64: peek -w 64 (nvme CAP) = exactly one 8-byte read", peek_w, "width64", 64, lambda: N0())

        def cap():
            lo = self.peek1("nvme_cap_lo", 32)
            hi = self.peek1("nvme_cap_hi", 32)
            q = self.peek1("width64", 64)
            self.expect_accesses("nvme_cap_lo", [("r", N0(), 4, lo)])
            self.expect_accesses("nvme_cap_hi", [("r", N0() + 4, 4, hi)])
            if q != (hi << 32) | lo:
                raise Fail(f"64-bit read {q:#018x} != hi:lo {hi:#010x}:{lo:#010x}")
            m = self.memtool("nvme_cap_memtool", 8)[0]
            if q != m:
                raise Fail(f"memtool md -q says {m:#018x}")
        c("nvme CAP: peek -w 64 equals the two 32-bit halves and memtool md -q", cap)

        def count():
            v = self.peek_values("peek_count", 32)
            if len(v) != 4:
                raise Fail(f"{len(v)} values printed")
            got = self.expect_accesses("peek_count", [("r", N0() + 4 * i, 4) for i in range(4)])
            if [a.value for a in got] != v:
                raise Fail(f"printed {v}, device returned {[a.value for a in got]}")
        c("peek -n 4 -w 32 = four consecutive 4-byte reads, values printed in order", count)

        def pjson():
            self.need_rc0("peek_json")
            doc = load_json(self.text("peek_json"))
            got = self.dev("peek_json")
            vals = [a.value for a in got]
            if len(got) != 2 or not is_subsequence(vals, json_numbers(doc)):
                raise Fail(f"JSON {doc!r} does not hold the 2 values read {vals}")
        c("peek --json holds the values read", pjson)

        def pokew(test, addr_fn, width, value):
            self.need_rc0(test)
            self.expect_accesses(test, [("w", addr_fn(), width // 8, value)])
        c("poke -w 8 = exactly one 1-byte write", pokew, "poke_w8", lambda: V4() + 0x14, 8, 0)
        c("poke -w 16 = exactly one 2-byte write", pokew, "poke_w16", lambda: V4() + 0x16, 16, 0)
        c("poke -w 32 = exactly one 4-byte write", pokew, "poke_w32", lambda: V4() + 0x08, 32, 0x11223344)
        c("poke -w 64 (nvme ASQ) = exactly one 8-byte write", pokew, "poke_w64", lambda: N0() + 0x28, 64, 0x112345000)

        def readback(test, addr_fn, width, value):
            v = self.peek1(test, width)
            if v != value:
                raise Fail(f"read {v:#x}, expected {value:#x}")
            self.expect_accesses(test, [("r", addr_fn(), width // 8, value)])
        c("peek after poke -w 32 reads the value back", readback, "poke_w32_peek", lambda: V4() + 0x08, 32, 0x11223344)
        c("peek -w 64 after poke -w 64 reads the value back", readback, "poke_w64_peek", lambda: N0() + 0x28, 64, 0x112345000)

        def mask():
            self.need_rc0("poke_mask")
            self.expect_accesses("poke_mask", [("r", V4() + 8, 4, 0x11223344), ("w", V4() + 8, 4, 0x1122FF44)])
            v = self.peek1("poke_mask_peek", 32)
            if v != 0x1122FF44:
                raise Fail(f"register now {v:#010x}, expected 0x1122ff44")
        c("poke --mask = one read then one write of (old & ~mask) | (value & mask)", mask)

        def verify_ok():
            self.need_rc0("poke_verify_ok")
            self.expect_accesses("poke_verify_ok", [("w", V4(), 4, 1), ("r", V4(), 4, 1)])
        c("poke --verify on a read/write register succeeds: one write, one read", verify_ok)

    # ------------------------------------------------------------------------------
    def dump_checks(self):
        c = self.check

        def dump(test, oracle, slot, bar, width, nbytes, start=0):
            self.need_rc0(test)
            size = width // 8
            n = nbytes // size
            want = self.memtool(oracle, size)[:n]
            got_v = parse_hexdump(self.text(test), size, n)
            base = self.base(slot, bar) + start
            accs = self.expect_accesses(test, [("r", base + size * i, size) for i in range(n)])
            if [a.value for a in accs] != want:
                raise Fail(f"device returned {[hex(a.value) for a in accs]}, memtool {[hex(x) for x in want]}")
            if got_v != want:
                raise Fail(f"dump shows {[hex(x) for x in got_v]}, memtool {[hex(x) for x in want]}")
        c("dump edu 0+0x40 -w 32 = memtool md -l; exactly 16 4-byte reads", dump,
          "dump_edu_hex", "dump_edu_memtool", EDU, 0, 32, 0x40)
        c("dump nvme 0+0x40 -w 32 = memtool md -l; exactly 16 4-byte reads", dump,
          "dump_nvme_hex", "dump_nvme_memtool", NVME, 0, 32, 0x40)
        c("dump virtio 0+0x10 -w 8 = memtool md -b; exactly 16 1-byte reads", dump,
          "dump_virtio_w8", "dump_virtio_memtool_b", VIRTIO, 4, 8, 0x10)
        c("dump AHCI ABAR (BAR5) 0+0x20 -w 32 = memtool md -l; exactly 8 4-byte reads", dump,
          "dump_ahci_abar", "dump_ahci_memtool", AHCI, 5, 32, 0x20)

        def w64():
            self.need_rc0("dump_nvme_w64")
            want = self.memtool("dump_nvme_memtool_q", 8)
            got = self.dev("dump_nvme_w64")
            if not got or any(a.op != "r" or a.size != 8 for a in got):
                raise Fail(f"expected only 8-byte reads, trace: {'; '.join(map(str, got[:4])) or 'nothing'}")
            n0 = self.base(NVME, 0)
            if [a.addr for a in got] != [n0 + 8 * i for i in range(len(got))] or len(got) not in (7, 8):
                raise Fail(f"{len(got)} reads at {[hex(a.addr) for a in got]}")
            shown = parse_hexdump(self.text("dump_nvme_w64"), 8, len(got))
            if shown != [a.value for a in got] or shown != want[:len(got)]:
                raise Fail(f"dump shows {[hex(x) for x in shown]}, memtool {[hex(x) for x in want]}")
        c("dump nvme START-END -w 64 = only 8-byte reads, values = memtool md -q", w64)

        def raw():
            self.need_rc0("dump_nvme_raw")
            want = b"".join(v.to_bytes(4, "little") for v in self.memtool("dump_nvme_memtool", 4))
            p = os.path.join(self.out, "t", "dump_nvme_raw.bin")
            if not os.path.exists(p):
                raise Fail("-o file not written")
            got = open(p, "rb").read()
            if got != want:
                raise Fail(f"{len(got)} bytes {got[:16].hex()}..., memtool {want[:16].hex()}...")
            self.expect_accesses("dump_nvme_raw", [("r", self.base(NVME, 0) + 4 * i, 4) for i in range(16)])
        c("dump --format raw -o FILE = the memtool bytes; exactly 16 4-byte reads", raw)

        def js():
            self.need_rc0("dump_nvme_json")
            doc = load_json(self.text("dump_nvme_json"))
            want = self.memtool("dump_nvme_memtool", 4)
            if not is_subsequence(want, json_numbers(doc)):
                raise Fail("JSON does not hold the 16 register values in order")
            self.expect_accesses("dump_nvme_json", [("r", self.base(NVME, 0) + 4 * i, 4) for i in range(16)])
        c("dump --format json holds the memtool values; exactly 16 4-byte reads", js)

    # ------------------------------------------------------------------------------
    def ivshmem_checks(self):
        c = self.check
        init = open(os.path.join(self.work, "ivshmem.initial"), "rb").read()
        final = open(os.path.join(self.work, "ivshmem.bin"), "rb").read()
        exp = bytearray(init)

        def put(off, val, n):
            exp[off:off + n] = val.to_bytes(n, "little")
        old = int.from_bytes(init[0x1020:0x1024], "little")
        pokes = [
            ("ivshmem_poke32", 0x1000, 0xCAFEF00D, 4, "poke -w 32"),
            ("ivshmem_poke8", 0x1007, 0x5A, 1, "poke -w 8"),
            ("ivshmem_poke16", 0x100A, 0xBEEF, 2, "poke -w 16"),
            ("ivshmem_poke64", 0x1010, 0x0123456789ABCDEF, 8, "poke -w 64"),
            ("ivshmem_poke_mask", 0x1020, (old & ~0xFF) | 0xFF, 4, "poke --mask 0xff"),
            ("ivshmem_poke_verify", 0x1040, 0x600DC0DE, 4, "poke --verify"),
            ("ivshmem_wc_poke", 0x2000, 0x11223344, 4, "poke --wc (resource2_wc)"),
            ("ivshmem_wc_poke64", 0x2008, 0x8877665544332211, 8, "poke -w 64 --wc"),
        ]
        for _t, off, val, n, _d in pokes:
            put(off, val, n)
        import check_bulk  # the bulk writes of check_bulk.py (load, fill, multi-value poke) land here too
        check_bulk.ivshmem_expected(self, exp)

        def one(test, off, val, n):
            self.need_rc0(test)
            got = final[off:off + n]
            if got != val.to_bytes(n, "little"):
                raise Fail(f"host file at {off:#x}: {got.hex()}, expected {val.to_bytes(n, 'little').hex()}")
        for t, off, val, n, d in pokes:
            c(f"ivshmem: guest {d} at {off:#x} lands in the host file at exactly that offset", one, t, off, val, n)

        def dry():
            self.need_rc0("ivshmem_poke_dryrun")
            if final[0x1030:0x1034] != init[0x1030:0x1034]:
                raise Fail(f"host file changed: {final[0x1030:0x1034].hex()}")
        c("ivshmem: poke --dry-run leaves the host file alone", dry)

        def whole():
            if len(final) != len(exp):
                raise Fail(f"host file is {len(final)} bytes")
            diffs = [i for i in range(len(exp)) if final[i] != exp[i]]
            if diffs:
                raise Fail(f"{len(diffs)} unexpected bytes changed, first at {diffs[0]:#x}: "
                           f"{final[diffs[0]]:#04x}, expected {exp[diffs[0]]:#04x}")
        c("ivshmem: no other byte of the host file changed", whole)

        def head():
            self.need_rc0("ivshmem_dump_head")
            p = os.path.join(self.out, "t", "ivshmem_dump_head.bin")
            got = open(p, "rb").read() if os.path.exists(p) else b""
            if got != init[:0x100]:
                raise Fail(f"guest dump {got[:16].hex()}..., host wrote {init[:16].hex()}...")
            m = bytes(self.memtool("ivshmem_memtool_head", 1))
            if m != init[:0x100]:
                raise Fail("memtool oracle disagrees with the host file")
        c("ivshmem: bytes the host wrote = guest dump --format raw (= memtool)", head)

        def hexd():
            self.need_rc0("ivshmem_dump_hex")
            got = parse_hexdump(self.text("ivshmem_dump_hex"), 1, 0x40)
            if bytes(got) != init[0x80000:0x80040]:
                raise Fail(f"guest shows {bytes(got)[:16].hex()}..., host wrote {init[0x80000:0x80010].hex()}...")
        c("ivshmem: dump -w 8 at 0x80000 shows the host's bytes", hexd)

        def p64():
            v = self.peek_values("ivshmem_peek64", 64)
            want = [int.from_bytes(init[0:8], "little"), int.from_bytes(init[8:16], "little")]
            if v != want:
                raise Fail(f"read {[hex(x) for x in v]}, host wrote {[hex(x) for x in want]}")
        c("ivshmem: peek -w 64 -n 2 reads the host's bytes little-endian", p64)

        def wc():
            self.need_rc0("ivshmem_wc_dump")
            self.need_rc0("ivshmem_uc_dump")
            a = open(os.path.join(self.out, "t", "ivshmem_wc_dump.bin"), "rb").read()
            b = open(os.path.join(self.out, "t", "ivshmem_uc_dump.bin"), "rb").read()
            if a != b:
                raise Fail("--wc dump differs from the uncached dump")
            if a != final[0x1000:0x2100]:
                raise Fail("dumps differ from the host file")
        c("ivshmem: dump --wc = uncached dump = host file (after the pokes)", wc)

        def wc_area():
            self.need_rc0("ivshmem_wc_dump_area")
            want = [int.from_bytes(final[0x2000 + 4 * i:0x2004 + 4 * i], "little") for i in range(4)]
            got = parse_hexdump(self.text("ivshmem_wc_dump_area"), 4, 4)
            mt = self.memtool("ivshmem_memtool_wc", 4)
            if got != want or mt != want:
                raise Fail(f"dump --wc {[hex(x) for x in got]}, memtool {[hex(x) for x in mt]}, file {[hex(x) for x in want]}")
        c("ivshmem: dump --wc -w 32 of the wc-poked words = memtool on resource2_wc = host file", wc_area)

        def mt_area():
            mt = bytes(b for v in self.memtool("ivshmem_memtool_area", 4) for b in v.to_bytes(4, "little"))
            if mt != final[0x1000:0x1050]:
                raise Fail("guest memtool view differs from the host file")
        c("ivshmem: guest memtool view of the poked area = host file", mt_area)

    # ------------------------------------------------------------------------------
    def io_checks(self):
        c = self.check

        def io_peek(test, slot, bar, off, width, region, expect=None, oracle=None):
            v = self.peek1(test, width)
            got = self.expect_accesses(test, [("r", self.base(slot, bar) + off, width // 8)])
            if got[0].name != region:
                raise Fail(f"access went to region {got[0].name}, expected {region}")
            if got[0].value != v:
                raise Fail(f"printed {v:#x}, the device returned {got[0].value:#x}")
            if expect is not None and v != expect:
                raise Fail(f"read {v:#x}, expected {expect:#x}")
            if oracle:
                self.need_rc0(oracle)
                ob = bytes(int(x, 16) for x in self.text(oracle).split())
                if int.from_bytes(ob, "little") != v:
                    raise Fail(f"dd oracle read {ob.hex()}")
        c("I/O BAR: peek -w 8 SMBus (BAR4) 0x0 = one 1-byte port read, = dd oracle", io_peek,
          "io_smbus_peek8", SMBUS, 4, 0, 8, "pm-smbus", None, "io_smbus_dd")

        def io_poke():
            self.need_rc0("io_smbus_poke8")
            self.expect_accesses("io_smbus_poke8", [("w", self.base(SMBUS, 4) + 3, 1, 0x5A)])
        c("I/O BAR: poke -w 8 SMBus 0x3 0x5a = one 1-byte port write", io_poke)
        c("I/O BAR: peek after poke reads 0x5a back", io_peek,
          "io_smbus_peek8_after", SMBUS, 4, 3, 8, "pm-smbus", 0x5A)
        c("I/O BAR: peek -w 32 AHCI index/data (BAR4) 0x0 = one 4-byte port read", io_peek,
          "io_ahci_peek32", AHCI, 4, 0, 32, "ahci-idp")

        def idp():
            self.need_rc0("io_ahci_idx_poke")
            self.expect_accesses("io_ahci_idx_poke", [("w", self.base(AHCI, 4) + 0x10, 4, 4)])
            v = self.peek1("io_ahci_data_peek", 32)
            self.expect_accesses("io_ahci_data_peek", [("r", self.base(AHCI, 4) + 0x14, 4, v)])
            ghc = self.memtool("io_ahci_abar_ghc", 4)[0]
            if v != ghc:
                raise Fail(f"AHCI GHC through the I/O window {v:#010x}, through ABAR (memtool) {ghc:#010x}")
        c("I/O BAR: AHCI index/data window (poke index 4, peek data) = GHC via memory BAR (memtool)", idp)
        c("I/O BAR: peek -w 8 pci-testdev (BAR1) = one 1-byte port read", io_peek,
          "io_testdev_peek8", TESTDEV, 1, 0, 8, "pci-testdev-portio")

    # ------------------------------------------------------------------------------
    def error_checks(self):
        c = self.check

        def err(test):
            rc = self.rc(test)
            if rc == 0:
                raise Fail(f"`{self.res.cmds.get(test)}` exited 0")
            if not self.text(test, "err").strip():
                raise Fail("no message on stderr")
            self.expect_accesses(test, [])
        c("error: offset past the end of the BAR fails without any access", err, "err_out_of_range")
        c("error: a BAR the device does not have fails without any access", err, "err_no_such_bar")
        c("error: ambiguous vendor:device (two ivshmem) fails without any access", err, "err_ambiguous")
        c("error: a device that does not exist fails without any access", err, "err_no_device")
        c("error: -w 12 is rejected without any access", err, "err_bad_width")

    # ------------------------------------------------------------------------------
    def phys_checks(self):
        """/dev/mem: `phys ADDRESS` in place of DEVICE BAR OFFSET (issue 8)."""
        c = self.check
        E0 = lambda: self.base(EDU, 0)  # noqa: E731
        V4 = lambda: self.base(VIRTIO, 4)  # noqa: E731
        N0 = lambda: self.base(NVME, 0)  # noqa: E731

        def peek(test, width, addr_fn, expect=None, same_as=None):
            v = self.peek1(test, width)
            got = self.expect_accesses(test, [("r", addr_fn(), width // 8)])
            if got[0].value != v:
                raise Fail(f"printed {v:#x}, the device returned {got[0].value:#x}")
            if expect is not None and v != expect:
                raise Fail(f"read {v:#x}, expected {expect:#x}")
            if same_as is not None:
                other = self.peek1(same_as, width)
                if other != v:
                    raise Fail(f"read {v:#x}, the sysfs path ({same_as}) read {other:#x}")
        c("phys: peek phys EDU0 = 0x010000ed, one 4-byte read at edu's physical address", peek,
          "phys_peek_id", 32, E0, 0x010000ED, "edu_id_peek")
        c("phys: peek phys -w 8 (virtio device_status) = one 1-byte read", peek,
          "phys_peek_w8", 8, lambda: V4() + 0x14)
        c("phys: peek phys -w 16 (virtio num_queues) = one 2-byte read of 1, = the sysfs path", peek,
          "phys_peek_w16", 16, lambda: V4() + 0x12, 1, "width16")
        c("phys: peek phys -w 64 (nvme CAP) = one 8-byte read, = the sysfs path", peek,
          "phys_peek_w64", 64, N0, None, "width64")

        def edu_w16():
            v = self.peek1("phys_peek_edu_w16", 16)
            self.expect_accesses("phys_peek_edu_w16", [])
            if v != 0:
                raise Fail(f"read {v:#06x}; edu rejects 2-byte accesses (they read 0, see the oracle)")
        c("phys: peek phys -w 16 on edu behaves like memtool md -w: rejected by edu, reads 0, not traced", edu_w16)

        def live():
            self.need_rc0("phys_poke_live")
            self.expect_accesses("phys_poke_live", [("w", E0() + 4, 4, 1)])
            v = self.peek1("phys_peek_live", 32)
            self.expect_accesses("phys_peek_live", [("r", E0() + 4, 4, 0xFFFFFFFE)])
            if v != 0xFFFFFFFE:
                raise Fail(f"peek phys read {v:#010x}, expected the inverse 0xfffffffe")
            s = self.peek1("phys_peek_live_sysfs", 32)
            m = self.memtool("phys_live_memtool", 4)[0]
            if not v == s == m:
                raise Fail(f"phys {v:#010x}, sysfs path {s:#010x}, memtool {m:#010x}")
        c("phys: poke phys EDU0+4 0x1 = one 4-byte write; peek phys, the sysfs path and memtool read 0xfffffffe", live)

        def verify_bad():
            if self.rc("phys_verify_mismatch") == 0:
                raise Fail("exit status 0 although edu reads back the inverse")
            self.expect_accesses("phys_verify_mismatch", [("w", E0() + 4, 4, 1), ("r", E0() + 4, 4, 0xFFFFFFFE)])
        c("phys: poke phys --verify on edu 0x04 fails: one write, one read", verify_bad)

        def verify_ok():
            self.need_rc0("phys_verify_ok")
            self.expect_accesses("phys_verify_ok", [("w", V4() + 8, 4, 5), ("r", V4() + 8, 4, 5)])
        c("phys: poke phys --verify on a read/write register succeeds: one write, one read", verify_ok)

        def w16():
            self.need_rc0("phys_poke_w16")
            self.expect_accesses("phys_poke_w16", [("w", V4() + 0x16, 2, 0)])
        c("phys: poke phys -w 16 = one 2-byte write", w16)

        def dump():
            self.need_rc0("phys_dump")
            accs = self.expect_accesses("phys_dump", [("r", E0() + 4 * i, 4) for i in range(8)])
            got = parse_hexdump(self.text("phys_dump"), 4, 8)
            dev = [a.value for a in accs]
            sysfs = parse_hexdump(self.text("phys_dump_sysfs"), 4, 8)
            mt = self.memtool("phys_dump_memtool", 4)[:8]
            if got != dev:
                raise Fail(f"dump shows {[hex(x) for x in got]}, the device returned {[hex(x) for x in dev]}")
            if not got == sysfs == mt:
                raise Fail(f"phys {[hex(x) for x in got]}, sysfs path {[hex(x) for x in sysfs]}, memtool {[hex(x) for x in mt]}")
        c("phys: dump phys EDU0+0x20 = exactly 8 4-byte reads; = dump via sysfs = memtool md -l", dump)

        def wait():
            self.need_rc0("phys_wait_poke")
            self.expect_accesses("phys_wait_poke", [("w", E0() + 8, 4, 4)])
            self.need_rc0("phys_wait")
            got = self.dev("phys_wait")
            if not got or any((a.op, a.addr, a.size) != ("r", E0() + 0x20, 4) for a in got):
                raise Fail(f"expected only 4-byte reads of EDU0+0x20, trace: {'; '.join(map(str, got[:4])) or 'nothing'}")
            if got[-1].value & 1:
                raise Fail(f"stopped at {got[-1].value:#x} (bit 0 still set)")
            v = self.peek1("phys_wait", 32)
            if v != got[-1].value:
                raise Fail(f"printed {v:#x}, last read {got[-1].value:#x}")
            f = self.peek1("phys_wait_peek", 32)
            if f != 24:
                raise Fail(f"factorial register {f:#x} after the wait, expected 4! = 0x18")
        c("phys: wait phys EDU0+0x20 --mask 1 --value 0 = only 4-byte reads of STATUS, then 4! is there", wait)

        def run():
            self.need_rc0("phys_run")
            out = self.text("phys_run").split()
            if not out or out[0] != "0x010000ed" or out[-1] != "0x00000006":
                raise Fail(f"output {out!r}, expected 0x010000ed first and 3! = 0x00000006 last")
            got = self.dev("phys_run")
            want_first = [("r", E0(), 4), ("w", E0() + 8, 4)]
            if [(a.op, a.addr, a.size) for a in got[:2]] != want_first or got[1].value != 3:
                raise Fail(f"first accesses {'; '.join(map(str, got[:2]))}")
            if (got[-1].op, got[-1].addr, got[-1].size, got[-1].value) != ("r", E0() + 8, 4, 6):
                raise Fail(f"last access {got[-1]}, expected a 4-byte read of 6 at EDU0+8")
            mid = [a for a in got[2:-1] if (a.op, a.addr, a.size) != ("r", E0() + 0x20, 4)]
            if mid or len(got) < 4:
                raise Fail(f"between poke and peek expected only STATUS reads: {'; '.join(map(str, got[2:-1][:4]))}")
        c("phys: run script with phys lines (peek, poke, wait, peek) = those accesses, 3! printed", run)

        def trace():
            v = self.peek1("phys_trace", 32)
            if v != 0x010000ED:
                raise Fail(f"read {v:#010x}")
            self.expect_accesses("phys_trace", [("r", E0(), 4, 0x010000ED)])
            p = os.path.join(self.out, "t", "phys_trace.log")
            lines = [ln for ln in open(p).read().splitlines() if ln.strip()] if os.path.exists(p) else []
            if not lines:
                raise Fail("--trace file missing or empty")
            for ln in lines:
                d = json.loads(ln)
                if d.get("via") != "devmem":
                    raise Fail(f'trace line without "via":"devmem": {ln}')
        c('phys: --trace lines carry "via":"devmem"', trace)

        def ram():
            rc = self.rc("phys_ram")
            if rc == 0:
                raise Fail("peek phys 0x100000 (System RAM) exited 0")
            err = self.text("phys_ram", "err")
            if "System RAM" not in err:
                raise Fail(f"stderr does not name the System RAM entry: {err.strip()[:200]!r}")
            self.expect_accesses("phys_ram", [])
        c("phys: peek phys 0x100000 (System RAM) is refused, naming \"System RAM\", no access", ram)

        def ram_opened():
            if "phys_ram_strace" not in self.res.cases:
                raise Fail("strace was not in the initramfs (install strace on the host)")
            p = os.path.join(self.out, "t", "phys_ram_strace.log")
            log = open(p).read() if os.path.exists(p) else ""
            if not log:
                raise Fail("no strace log")
            if self.rc("phys_ram_strace") == 0:
                raise Fail("exit status 0 under strace")
            if "System RAM" not in self.text("phys_ram_strace", "err"):
                raise Fail("under strace the refusal does not name System RAM either")
            opened = [ln for ln in log.splitlines() if "/dev/mem" in ln]
            if opened:
                raise Fail(f"/dev/mem was opened: {opened[0].strip()}")
        c("phys: the System RAM refusal happens before /dev/mem is opened (strace)", ram_opened)

        def one_line(test, *words):
            rc = self.rc(test)
            if rc == 0:
                raise Fail(f"`{self.res.cmds.get(test)}` exited 0")
            err = [ln for ln in self.text(test, "err").splitlines() if ln.strip()]
            if len(err) != 1:
                raise Fail(f"expected one line on stderr, got {len(err)}: {err[:3]}")
            for w in words:
                alts = w if isinstance(w, tuple) else (w,)
                if not any(a in err[0] for a in alts):
                    raise Fail(f"the message does not name {' or '.join(map(repr, alts))}: {err[0]!r}")
            self.expect_accesses(test, [])

        c("error: --via vfio in a boot without IOMMU or vfio-pci: one line naming vfio, no access",
          one_line, "err_vfio_no_iommu", "vfio")

        def unchanged(test):
            self.need_rc0(test)
            st = self.text(test).strip()
            if st not in ("driver= override=(null)", "driver= override="):
                raise Fail(f"afterwards: {st}")

        def bind_no_module():
            one_line("err_bind_no_module", "vfio-pci", ("modprobe", "module"))
            unchanged("err_bind_no_module_state")
        c("bind vfio-pci without the module loaded: one line saying to load it (modprobe), nothing written",
          bind_no_module)

        def bind_no_iommu():
            self.need_rc0("vfio_modules_no_iommu")
            one_line("err_bind_no_iommu", "intel_iommu=on")
            unchanged("err_bind_no_iommu_state")
        c("bind vfio-pci without an IOMMU (modules loaded): one line naming intel_iommu=on, nothing written",
          bind_no_iommu)

    # ------------------------------------------------------------------------------
    def sysfs_capture_checks(self):
        c = self.check
        tree = os.path.join(self.out, "sysfs-capture")
        state = self.res.cases.get("sysfs_capture")

        def captured():
            if state in (None, "missing"):
                raise Fail("Scripts/capture-sysfs.sh was not in the initramfs (not written yet?)")
            self.need_rc0("sysfs_capture")
            if not os.path.isdir(os.path.join(tree, "devices")):
                raise Fail(f"no devices/ directory in the capture ({tree})")
        c("sysfs capture: Scripts/capture-sysfs.sh ran in the guest and the tree came out", captured)
        if state in (None, "missing") or not os.path.isdir(os.path.join(tree, "devices")):
            return

        def lspci_same():
            p = subprocess.run(["lspci", "-A", "linux-sysfs", "-O", f"sysfs.path={tree}", "-vmm", "-nn", "-D"],
                               capture_output=True, text=True, timeout=60)
            if p.returncode != 0:
                raise Fail(f"lspci on the capture failed: {p.stderr.strip()[:200]}")
            if p.stdout.strip() != self.text("lspci_vmm").strip():
                raise Fail("lspci -vmm -nn -D on the capture differs from the guest's")
        c("sysfs capture: host lspci on the captured tree = guest lspci -vmm -nn -D", lspci_same)

        def pcimmio_same():
            if not self.pcimmio:
                raise Fail("no host pcimmio binary given")
            p = subprocess.run([self.pcimmio, "--sysfs", tree, "list", "--json"],
                               capture_output=True, text=True, timeout=60)
            if p.returncode != 0:
                raise Fail(f"host pcimmio --sysfs TREE list --json exited {p.returncode}: {p.stderr.strip()[:200]}")
            host = device_list(load_json(p.stdout))
            guest = device_list(load_json(self.text("list_json")))

            def norm(devs):
                out = []
                for d in devs:
                    d = json.loads(json.dumps(d))
                    for b in d.get("bars", []):
                        if "resourceFile" in b:
                            b["resourceFile"] = os.path.basename(str(b["resourceFile"]))
                    out.append(d)
                return sorted(out, key=lambda d: str(d.get("slot")))
            h, g = norm(host), norm(guest)
            if h != g:
                for a, b in zip(h, g):
                    if a != b:
                        diff = {k: (a.get(k), b.get(k)) for k in set(a) | set(b) if a.get(k) != b.get(k)}
                        raise Fail(f"{b.get('slot')}: host vs guest {diff}")
                raise Fail(f"host lists {len(h)} devices, guest {len(g)}")
        c("sysfs capture: host pcimmio --sysfs TREE list --json = guest list --json", pcimmio_same)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--make-ivshmem", help="write the ivshmem pattern file and exit")
    ap.add_argument("--workdir")
    ap.add_argument("--pcimmio", help="host pcimmio binary (for the sysfs-capture check)")
    ap.add_argument("--pre-passed", type=int, default=0)
    ap.add_argument("--pre-failed", type=int, default=0)
    ap.add_argument("--boot-seconds", type=float)
    ap.add_argument("--start-time", type=float)
    ap.add_argument("--max-seconds", type=float, default=300.0)
    ap.add_argument("--vfio-workdir", help="work directory of the second (VFIO, lockdown) boot: check it too")
    ap.add_argument("--vfio-boot-seconds", type=float)
    args = ap.parse_args(argv)
    if args.make_ivshmem:
        with open(args.make_ivshmem, "wb") as f:
            f.write(ivshmem_pattern())
        return 0
    if not args.workdir:
        ap.error("--workdir is required")

    passed, failed = args.pre_passed, args.pre_failed
    out, how = extract_outbox(args.workdir)
    if out is None or not os.path.exists(os.path.join(out, "results.txt")):
        print(f"not ok - harness: guest results: {how}")
        print(f"{passed} passed, {failed + 1} failed")
        return 1
    if not os.path.exists(os.path.join(args.workdir, "trace.log")):
        print("not ok - harness: QEMU trace log missing")
        print(f"{passed} passed, {failed + 1} failed")
        return 1

    suite = Suite(args.workdir, out, args.pcimmio)
    suite.passed, suite.failed = passed, failed
    suite.run(how)
    if args.vfio_workdir:
        import check_vfio  # here, not at the top: it imports names from this module
        suite.passed, suite.failed = check_vfio.run(args.vfio_workdir, args.pcimmio, suite.passed, suite.failed)

    times = sorted(suite.res.times.items(), key=lambda kv: -kv[1])
    if times:
        tot = sum(t for _n, t in times)
        print(f"# guest test time {tot:.1f} s over {len(times)} commands; slowest: "
              + ", ".join(f"{n} {t:.2f}s" for n, t in times[:3]))
    if args.boot_seconds is not None:
        print(f"# VM boot-to-poweroff: {args.boot_seconds:.1f} s")
    if args.vfio_boot_seconds is not None:
        print(f"# VFIO VM boot-to-poweroff: {args.vfio_boot_seconds:.1f} s")
    if args.start_time:
        total = time.time() - args.start_time
        print(f"# suite time so far: {total:.1f} s")
        if total <= args.max_seconds:
            suite.ok(f"timing: suite finished in {total:.0f} s (limit {args.max_seconds:.0f} s)")
        else:
            suite.notok("timing: suite", f"took {total:.0f} s, over the {args.max_seconds:.0f} s budget")
    print(f"{suite.passed} passed, {suite.failed} failed")
    return 0 if suite.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
