"""Host checks of the QEMU suite for configuration space, capabilities and device health
(issue 9), imported by check.py; the guest side is the "config space" and "device health"
sections of guest/run-tests.sh.

Oracles: the guest's own `setpci` (same pciutils as lspci) for `pcimmio config`,
`lspci -xxx`/`-xxxx`/`-x` for `config --dump`, `lspci -vvv` for `caps --json` (the same
comparison as Tests/EndToEndTests/CapsOracleTests.swift makes on fake trees), and QEMU's
trace of config-space accesses: the kernel reaches offsets below 0x100 through the
0xcf8/0xcfc ports ('pci-conf-idx' then 'pci-conf-data', two trace lines per access) and
the rest through MMCONFIG ('pcie-mmcfg-mmio', base from the guest's /proc/iomem), so
every config write a command makes is in its slice, with its register, width and value.
"""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass

from check import AHCI, EDU, NVME, ROOTPORT, VIRTIO, Fail, parse_peek
import tracelib

DEVICES = [("nvme", NVME), ("rootport", ROOTPORT), ("virtio", VIRTIO), ("ahci", AHCI), ("edu", EDU)]
EDU_ID = 0x010000ED
MEM = 0x2  # COMMAND's Memory Space bit


@dataclass(frozen=True)
class CfgAccess:
    op: str  # "r" or "w"
    slot: str
    reg: int
    size: int
    value: int
    via: str  # "conf1" (0xcf8/0xcfc) or "mmcfg"
    line: int

    def __str__(self) -> str:
        return (f"config {'read' if self.op == 'r' else 'write'} {self.slot} +{self.reg:#x} size {self.size} "
                f"value {self.value:#x} via {self.via} (trace line {self.line})")


def mmcfg_base(s) -> int | None:
    """MMCONFIG base from the guest's /proc/iomem ('PCI MMCONFIG 0000 [bus 00-ff]')."""
    p = os.path.join(s.out, "iomem.txt")
    if not os.path.exists(p):
        return None
    for line in open(p, errors="replace"):
        m = re.match(r"^\s*([0-9a-fA-F]+)-([0-9a-fA-F]+) : PCI MMCONFIG", line)
        if m:
            return int(m.group(1), 16)
    return None


def config_accesses(accs: list, base: int | None) -> list[CfgAccess]:
    """Config-space accesses in a trace slice, decoded to (slot, register)."""
    out: list[CfgAccess] = []
    cf8 = None
    for a in accs:
        if a.name == "pci-conf-idx":
            if a.op == "w" and a.size == 4:
                cf8 = a.value
            continue
        if a.name == "pci-conf-data":
            if cf8 is None or not cf8 & 0x80000000 or not 0xCFC <= a.addr <= 0xCFF:
                continue
            slot = f"0000:{(cf8 >> 16) & 0xFF:02x}:{(cf8 >> 11) & 0x1F:02x}.{(cf8 >> 8) & 7}"
            out.append(CfgAccess(a.op, slot, (cf8 & 0xFC) + (a.addr - 0xCFC), a.size, a.value, "conf1", a.line))
        elif a.name == "pcie-mmcfg-mmio" and base is not None and a.addr >= base:
            off = a.addr - base
            slot = f"0000:{off >> 20:02x}:{(off >> 15) & 0x1F:02x}.{(off >> 12) & 7}"
            out.append(CfgAccess(a.op, slot, off & 0xFFF, a.size, a.value, "mmcfg", a.line))
    return out


def lines(s, test: str, stream: str = "out") -> list[str]:
    return [ln.strip() for ln in s.text(test, stream).splitlines() if ln.strip()]


def file_lines(s, name: str) -> list[str]:
    p = os.path.join(s.out, "t", name)
    if not os.path.exists(p):
        raise Fail(f"guest file t/{name} missing")
    return [ln.strip() for ln in open(p, errors="replace").read().splitlines() if ln.strip()]


def cfg_writes(s, test: str) -> list[CfgAccess]:
    try:
        sl = s.trace.slice(test)
    except KeyError as e:
        raise Fail(e.args[0])
    return [c for c in config_accesses(sl, s.mmcfg) if c.op == "w"]


def expect_cfg_writes(s, test: str, want: list[tuple]):
    """Config writes of `test` must be exactly `want`: (slot, reg, size, value) in order."""
    got = cfg_writes(s, test)
    if [(c.slot, c.reg, c.size, c.value) for c in got] != [tuple(w) for w in want]:
        exp = "; ".join(f"{w[0]} +{w[1]:#x} size {w[2]} value {w[3]:#x}" for w in want) or "none"
        raise Fail(f"config writes expected: {exp}; trace: {'; '.join(map(str, got)) or 'none'}")
    return got


def no_bar_access(s, test: str):
    got = s.dev(test)
    if got:
        raise Fail(f"touched a BAR: {got[0]}" + (f" (+{len(got) - 1} more)" if len(got) > 1 else ""))


def one_error_line(s, test: str, *words):
    rc = s.rc(test)
    if rc == 0:
        raise Fail(f"`{s.res.cmds.get(test)}` exited 0")
    err = lines(s, test, "err")
    if len(err) != 1:
        raise Fail(f"expected one line on stderr, got {len(err)}: {err[:3]}")
    for w in words:
        alts = w if isinstance(w, tuple) else (w,)
        if not any(a.lower() in err[0].lower() for a in alts):
            raise Fail(f"the message does not name {' or '.join(map(repr, alts))}: {err[0]!r}")
    return err[0]


def run(s) -> None:
    """All checks of this file, on the check.Suite `s`."""
    s.mmcfg = mmcfg_base(s)
    config_read_checks(s)
    config_dump_checks(s)
    caps_checks(s)
    config_write_checks(s)
    health_checks(s)


# --------------------------------------------------------------------------------------
def config_read_checks(s) -> None:
    c = s.check

    def have_setpci():
        if not (s.res.info.get("setpci") or [""])[0]:
            raise Fail("setpci is not in the initramfs (Scripts/qemu/build-initramfs.sh)")
    c("config: the guest has setpci (the oracle)", have_setpci)

    ops = {}
    for v in s.res.info.get("cfg_ops", []):
        parts = v.split(" ")
        ops[parts[0]] = parts[2:]

    def same(n, slot):
        s.need_rc0(f"cfg_setpci_{n}")
        s.need_rc0(f"cfg_read_{n}")
        want = [x.lower() for x in lines(s, f"cfg_setpci_{n}")]
        got = [x.lower() for x in lines(s, f"cfg_read_{n}")]
        if len(want) != len(ops.get(n, want)):
            raise Fail(f"setpci printed {len(want)} values for {len(ops.get(n, []))} operations")
        if got != want:
            diffs = [f"{op}: pcimmio {g!r}, setpci {w!r}" for op, g, w in zip(ops.get(n, ["?"] * len(want)), got, want) if g != w]
            if len(got) != len(want):
                diffs.insert(0, f"pcimmio printed {len(got)} values, setpci {len(want)}")
            raise Fail("; ".join(diffs[:6]))
        if s.text(f"cfg_read_{n}", "err").strip():
            raise Fail(f"stderr not empty: {s.text(f'cfg_read_{n}', 'err').strip()[:200]!r}")
        no_bar_access(s, f"cfg_read_{n}")
        w = cfg_writes(s, f"cfg_read_{n}")
        if w:
            raise Fail(f"a read-only config command wrote config space: {w[0]}")
    for n, slot in DEVICES:
        c(f"config {slot} {' '.join(ops.get(n, ['(ops?)']))} prints what the guest's setpci prints; "
          f"no BAR access, no config write", same, n, slot)

    def js():
        s.need_rc0("cfg_read_json")
        doc = json.loads(s.text("cfg_read_json"))
        items = doc if isinstance(doc, list) else doc.get("operations", doc.get("results", []))
        reads = [x for x in items if isinstance(x, dict) and x.get("op") == "read"]
        vals = []
        for x in reads:
            v = x.get("value")
            vals.append(int(v, 16) if isinstance(v, str) else v)
        want = [int(x, 16) for x in lines(s, "cfg_setpci_edu")[:2]]
        if vals != want:
            raise Fail(f"--json reads {vals}, setpci COMMAND VENDOR_ID.l {[hex(x) for x in want]}")
        if [x.get("offset") for x in reads] != [4, 0] or [x.get("width") for x in reads] != [16, 32]:
            raise Fail(f"offsets/widths {[(x.get('offset'), x.get('width')) for x in reads]}, expected (4, 16), (0, 32)")
    c("config --json: the reads carry setpci's values, offsets and widths", js)

    def instance():
        s.need_rc0("cfg_instance_setpci")
        want = lines(s, "cfg_instance_setpci")
        if s.rc("cfg_instance") != 0:
            err = lines(s, "cfg_instance", "err")
            raise Fail(f"`pcimmio config {VIRTIO} CAP_VNDR+3.b@1 CAP_VNDR+3.b@3` exited {s.rc('cfg_instance')} "
                       f"({err[0] if err else 'no message'}); setpci takes that syntax and prints {want}")
        got = lines(s, "cfg_instance")
        if [g.lower() for g in got] != [w.lower() for w in want]:
            raise Fail(f"pcimmio {got}, setpci {want}")
    c("config: a repeated capability's instance, in setpci's syntax (CAP_VNDR+3.b@1, 0-based, after the width) = setpci",
      instance)


# --------------------------------------------------------------------------------------
def lspci_dump_blocks(text: str) -> dict[str, list[str]]:
    """slot -> hex lines of `lspci -x… [-D]` (each device's block without its first line)."""
    out: dict[str, list[str]] = {}
    for block in re.split(r"\n\s*\n", text.strip("\n")):
        ls = [ln.rstrip() for ln in block.split("\n") if ln.strip()]
        if ls:
            slot = ls[0].split(" ")[0]
            out[slot if slot.count(":") == 2 else "0000:" + slot] = ls[1:]
    return out


def config_dump_checks(s) -> None:
    c = s.check

    def same(dump, oracle, slot, what, nlines=None):
        s.need_rc0(dump)
        s.need_rc0(oracle)
        want = lspci_dump_blocks(s.text(oracle)).get(slot)
        if not want:
            raise Fail(f"{oracle} shows no {slot}")
        if nlines:
            want = want[:nlines]
        got = [ln.rstrip() for ln in s.text(dump).rstrip("\n").split("\n")]
        if got != want:
            if len(got) != len(want):
                raise Fail(f"{len(got)} lines, lspci {what} {len(want)} (after its device line)")
            i = next(i for i, (g, w) in enumerate(zip(got, want)) if g != w)
            raise Fail(f"line {i + 1}: {got[i]!r}, lspci {what}: {want[i]!r}")
        no_bar_access(s, dump)
        if cfg_writes(s, dump):
            raise Fail(f"wrote config space: {cfg_writes(s, dump)[0]}")
    for n, slot in DEVICES:
        c(f"config {slot} --dump -xxx = its block of lspci -xxx -D without the device line", same,
          f"cfg_dump_{n}", "cfg_lspci_xxx", slot, "-xxx")
    c(f"config {ROOTPORT} --dump -xxxx (4096 bytes, AER and ACS) = lspci -xxxx -s", same,
      "cfg_dump4k_rootport", "cfg_lspci_4k_rootport", ROOTPORT, "-xxxx")
    c(f"config {VIRTIO} --dump -x (64 bytes) = the first 4 lines of lspci -xxx", same,
      "cfg_dump64_virtio", "cfg_lspci_xxx", VIRTIO, "-x", 4)


# --------------------------------------------------------------------------------------
# caps --json vs lspci -vvv (the comparison of Tests/EndToEndTests/CapsOracleTests.swift)

CAP_HEADER_RE = re.compile(r"^\tCapabilities: \[([0-9a-f]+)(?: v([0-9]+))?\] (.*)$")

# AER bit positions by lspci's flag names (PCIe Base Specification 7.8.4)
AER_UNCORRECTABLE = {"DLP": 4, "SDES": 5, "TLP": 12, "FCP": 13, "CmpltTO": 14, "CmpltAbrt": 15, "UnxCmplt": 16,
                     "RxOF": 17, "MalfTLP": 18, "ECRC": 19, "UnsupReq": 20, "ACSViol": 21, "UncorrIntErr": 22,
                     "BlockedTLP": 23, "AtomicOpBlocked": 24, "TLPBlockedErr": 25, "PoisonTLPBlocked": 26}
AER_CORRECTABLE = {"RxErr": 0, "BadTLP": 6, "BadDLLP": 7, "Rollover": 8, "Timeout": 12, "AdvNonFatalErr": 13,
                   "CorrIntErr": 14, "HeaderOF": 15}


def lspci_capabilities(text: str) -> dict[str, list[dict]]:
    """slot -> [{offset, version, extended, text, lines}] from `lspci -vvv -D`."""
    result: dict[str, list[dict]] = {}
    for block in re.split(r"\n\s*\n", text):
        ls = block.split("\n")
        if not ls or not ls[0].strip():
            continue
        slot = ls[0].split(" ")[0]
        caps: list[dict] = []
        inside = False
        for line in ls[1:]:
            m = CAP_HEADER_RE.match(line)
            if m:
                caps.append({"offset": int(m.group(1), 16), "version": int(m.group(2)) if m.group(2) else None,
                             "extended": m.group(2) is not None, "text": m.group(3), "lines": []})
                inside = True
            elif line.startswith("\t\t"):
                if inside:
                    caps[-1]["lines"].append(line.strip())
            else:
                inside = False
        result[slot] = caps
    return result


def cap_line(cap: dict, prefix: str) -> str | None:
    for ln in cap["lines"]:
        if ln.startswith(prefix):
            return ln[len(prefix):].strip()
    return None


def flags(text: str | None) -> dict[str, bool]:
    out: dict[str, bool] = {}
    for word in re.split(r"[ ,\t]+", text or ""):
        if len(word) > 1 and word[-1] in "+-":
            out[word[:-1]] = word[-1] == "+"
    return out


def compare_caps(got: list, want: list[dict], coverage: dict) -> list[str]:
    """Problems between caps --json `got` and lspci's capabilities `want` of one function."""
    errs: list[str] = []
    wanted = list(want)
    for cap in got:
        if not isinstance(cap, dict) or not isinstance(cap.get("offset"), int) or "name" not in cap:
            errs.append(f"capability without offset/name: {cap}")
            continue
        off, name, ext = cap["offset"], cap["name"], cap.get("extended")
        if cap.get("broken"):
            errs.append(f"[{off:x}] reported broken ({cap.get('broken')}); QEMU's chains are sound")
            continue
        if not wanted:
            errs.append(f"caps shows [{off:x}] {name}, lspci nothing more")
            continue
        lc = wanted.pop(0)
        coverage["offset"] = coverage.get("offset", 0) + 1
        if lc["offset"] != off or lc["extended"] != ext:
            errs.append(f"caps [{off:x}] {name} (extended={ext}) where lspci has [{lc['offset']:x}] {lc['text']}")
            continue
        at = f"[{off:x}] {name}"
        rest = lc["text"][len(name):] if lc["text"].startswith(name) else None
        if rest is None or not re.match(r"^(|:.*| \(.*| version \d+| v\d.*| [0-9a-f]{2}-.*)$", rest):
            errs.append(f"{at}: caps names it {name!r}, lspci {lc['text']!r}")
        if ext and cap.get("version") != lc["version"]:
            errs.append(f"{at}: version {cap.get('version')}, lspci v{lc['version']}")
        errs += [f"{at}: {e}" for e in compare_fields(cap, lc, name, coverage)]
    if wanted:
        errs.append("lspci shows more capabilities: " + ", ".join(f"[{w['offset']:x}] {w['text']}" for w in wanted))
    return errs


def compare_fields(cap: dict, lc: dict, name: str, coverage: dict) -> list[str]:
    errs: list[str] = []

    def saw(what):
        coverage[what] = coverage.get(what, 0) + 1

    def m(pattern, text):
        r = re.search(pattern, text or "")
        return r.groups() if r else None
    if name == "Express":
        saw("Express")
        title = m(r"^Express \(v(\d+)\) (.*), MSI ([0-9a-f]{2})$", lc["text"])
        if not title:
            return [f"cannot read lspci's {lc['text']!r}"]
        if str(cap.get("version")) != title[0]:
            errs.append(f"version {cap.get('version')}, lspci v{title[0]}")
        if not title[1].startswith(str(cap.get("deviceType"))):
            errs.append(f"type {cap.get('deviceType')!r}, lspci {title[1]!r}")
        dc = m(r"^MaxPayload (\d+) bytes", cap_line(lc, "DevCap:"))
        if not dc or str(cap.get("maxPayloadSupported")) != dc[0]:
            errs.append(f"DevCap MaxPayload {cap.get('maxPayloadSupported')}, lspci {dc}")
        ctl = next((ln for ln in lc["lines"] if ln.startswith("MaxPayload")), None)
        dctl = m(r"^MaxPayload (\d+) bytes, MaxReadReq (\d+) bytes$", ctl)
        if not dctl or (str(cap.get("maxPayload")), str(cap.get("maxReadRequest"))) != dctl:
            errs.append(f"DevCtl MaxPayload/MaxReadReq {cap.get('maxPayload')}/{cap.get('maxReadRequest')}, lspci {dctl}")
        ws = flags(cap_line(lc, "DevSta:"))
        gs = cap.get("deviceStatus") or {}
        if not ws or ws != gs:
            errs.append(f"DevSta lspci {ws}, caps {gs}")
        lnkcap = m(r"Speed ([^,]+), Width x(\d+)", cap_line(lc, "LnkCap:"))
        lnksta = m(r"^Speed ([^ ,]+)( \([a-z]+\))?, Width x(\d+)( \([a-z]+\))?$", cap_line(lc, "LnkSta:"))
        gcap = (cap.get("linkCapabilitySpeed"), cap.get("linkCapabilityWidth"))
        gsta = (cap.get("linkStatusSpeed"), cap.get("linkStatusWidth"))
        if (lnkcap and gcap != (lnkcap[0], int(lnkcap[1]))) or (not lnkcap and gcap != (None, None)):
            errs.append(f"LnkCap lspci {lnkcap}, caps {gcap}")
        if (lnksta and gsta != (lnksta[0], int(lnksta[2]))) or (not lnksta and gsta != (None, None)):
            errs.append(f"LnkSta lspci {lnksta}, caps {gsta}")
        if lnksta:
            saw("LnkSta")
    elif name == "Power Management":
        saw("Power Management")
        if lc["text"] != f"Power Management version {cap.get('version')}":
            errs.append(f"version {cap.get('version')}, lspci {lc['text']!r}")
        st = m(r"^D(\d) ", cap_line(lc, "Status:"))
        ours = cap.get("powerState")
        if not st or not (ours == f"D{st[0]}" or (st[0] == "3" and ours == "D3hot")):
            errs.append(f"D state lspci D{st[0] if st else '?'}, caps {ours}")
    elif name == "MSI":
        saw("MSI")
        t = m(r"^MSI: Enable([+-]) Count=(\d+)/(\d+) Maskable([+-]) 64bit([+-])$", lc["text"])
        if not t:
            return [f"cannot read lspci's {lc['text']!r}"]
        want = (t[0] == "+", int(t[1]), int(t[2]), t[3] == "+", t[4] == "+")
        have = (cap.get("enabled"), cap.get("vectorsEnabled"), cap.get("vectorsCapable"), cap.get("maskable"), cap.get("is64Bit"))
        if have != want:
            errs.append(f"(enabled, vectorsEnabled, vectorsCapable, maskable, is64Bit) = {have}, lspci {lc['text']!r}")
    elif name == "MSI-X":
        saw("MSI-X")
        t = m(r"^MSI-X: Enable([+-]) Count=(\d+) Masked([+-])$", lc["text"])
        tab = m(r"^BAR=(\d) offset=([0-9a-f]{8})$", cap_line(lc, "Vector table:"))
        pba = m(r"^BAR=(\d) offset=([0-9a-f]{8})$", cap_line(lc, "PBA:"))
        if not (t and tab and pba):
            return [f"cannot read lspci's block {lc['text']!r} {lc['lines']}"]
        want = (t[0] == "+", int(t[1]), t[2] == "+", int(tab[0]), int(tab[1], 16), int(pba[0]), int(pba[1], 16))
        have = tuple(cap.get(k) for k in ("enabled", "tableSize", "functionMask", "tableBAR", "tableOffset", "pbaBAR", "pbaOffset"))
        if have != want:
            errs.append(f"(enabled, tableSize, functionMask, tableBAR, tableOffset, pbaBAR, pbaOffset) = {have}, lspci {want}")
        if t[0] == "+":
            saw("MSI-X enabled")
    elif name == "Advanced Error Reporting":
        saw("AER")
        for label, key, table in (("UESta:", "uncorrectableStatus", AER_UNCORRECTABLE),
                                  ("UEMsk:", "uncorrectableMask", AER_UNCORRECTABLE),
                                  ("CESta:", "correctableStatus", AER_CORRECTABLE),
                                  ("CEMsk:", "correctableMask", AER_CORRECTABLE)):
            want = flags(cap_line(lc, label))
            v = cap.get(key)
            if not want:
                errs.append(f"lspci has no {label} line")
                continue
            if not isinstance(v, int):
                errs.append(f"no {key}")
                continue
            for flag, on in want.items():
                if flag not in table:
                    errs.append(f"lspci flag {label} {flag} unknown to this check")
                elif bool(v >> table[flag] & 1) != on:
                    errs.append(f"{label} {flag} lspci {'+' if on else '-'}, caps {key}={v:#x}")
        listed = set(cap.get("uncorrectableErrors") or [])
        from_bits = {f for f, b in AER_UNCORRECTABLE.items() if (cap.get("uncorrectableStatus") or 0) >> b & 1}
        if not from_bits <= listed:
            errs.append(f"uncorrectableErrors {sorted(listed)} vs status bits {sorted(from_bits)}")
    return errs


def caps_checks(s) -> None:
    c = s.check
    coverage: dict[str, int] = {}

    def oracle():
        s.need_rc0("caps_lspci_vvv")
        return lspci_capabilities(s.text("caps_lspci_vvv"))

    def one(n, slot):
        s.need_rc0(f"caps_json_{n}")
        want = oracle().get(slot)
        if want is None:
            raise Fail(f"lspci -vvv -D shows no {slot}")
        got = json.loads(s.text(f"caps_json_{n}"))
        if not isinstance(got, list):
            raise Fail("caps --json is not an array")
        errs = compare_caps(got, want, coverage)
        if errs:
            raise Fail("; ".join(errs[:6]))
        if not got:
            raise Fail("no capabilities compared")
        no_bar_access(s, f"caps_json_{n}")
        w = cfg_writes(s, f"caps_json_{n}")
        if w:
            raise Fail(f"caps wrote config space: {w[0]}")
    for n, slot in DEVICES:
        c(f"caps {slot} --json = lspci -vvv: offsets, names, versions and decoded fields; "
          f"only config reads", one, n, slot)

    def text_order(n):
        s.need_rc0(f"caps_text_{n}")
        offs = [int(m.group(1), 16) for m in (re.match(r"^\[([0-9a-f]+)\]", ln) for ln in lines(s, f"caps_text_{n}")) if m]
        js = [x.get("offset") for x in json.loads(s.text(f"caps_json_{n}"))]
        if offs != js:
            raise Fail(f"text offsets {[hex(x) for x in offs]}, --json {[hex(x) for x in js if isinstance(x, int)]}")
        no_bar_access(s, f"caps_text_{n}")
    c(f"caps {ROOTPORT} (text) lists the same capabilities as --json, in the same order", text_order, "rootport")

    def covered():
        need = ["offset", "Express", "LnkSta", "MSI", "MSI-X", "MSI-X enabled", "Power Management", "AER"]
        missing = [w for w in need if not coverage.get(w)]
        if missing:
            raise Fail(f"nothing compared for {missing} (compared: {coverage})")
    c("caps: the comparison covered Express, LnkSta, MSI, MSI-X (enabled), Power Management and AER", covered)


# --------------------------------------------------------------------------------------
def config_write_checks(s) -> None:
    c = s.check

    def before():
        s.need_rc0("cfg_w_before")
        v = [int(x, 16) for x in lines(s, "cfg_w_before")]
        if len(v) != 4:
            raise Fail(f"setpci printed {v}")
        return v  # CACHE_LINE_SIZE, COMMAND, MSI address lo, hi

    def msi_offset():
        try:
            for cap in json.loads(s.text("caps_json_edu")):
                if cap.get("id") == 5 and not cap.get("extended"):
                    return cap["offset"]
        except (Fail, ValueError, KeyError):
            pass
        return 0x40

    def setpci_reads(test):
        s.need_rc0(test)
        return [int(x, 16) for x in lines(s, test)]

    def after_writes():
        v = setpci_reads("cfg_w_setpci")
        if len(v) != 4:
            raise Fail(f"setpci printed {lines(s, 'cfg_w_setpci')}")
        return v  # CACHE_LINE_SIZE, COMMAND, MSI address lo, hi after the three writes

    def cls():
        s.need_rc0("cfg_w_cls")
        if after_writes()[0] != 0x5A:
            raise Fail(f"setpci reads CACHE_LINE_SIZE {after_writes()[0]:02x}, expected 5a")
        expect_cfg_writes(s, "cfg_w_cls", [(EDU, 0x0C, 1, 0x5A)])
        no_bar_access(s, "cfg_w_cls")
    c("config CACHE_LINE_SIZE=5a: one 1-byte config write of 0x5a at 0x0c (trace), setpci reads 5a", cls)

    def cmd():
        s.need_rc0("cfg_w_cmd")
        old = before()[1]
        want = old | 0x400
        if after_writes()[1] != want:
            raise Fail(f"setpci reads COMMAND {after_writes()[1]:04x}, expected {want:04x}")
        expect_cfg_writes(s, "cfg_w_cmd", [(EDU, 0x04, 2, want)])
        no_bar_access(s, "cfg_w_cmd")
    c("config COMMAND=400:400 (with mask): one 2-byte write of old | 0x400, setpci reads it", cmd)

    def multi():
        s.need_rc0("cfg_w_multi")
        got = after_writes()[2:]
        if got != [0xFEE01000, 0x2]:
            raise Fail(f"setpci reads CAP_MSI+4.l CAP_MSI+8.l = {[hex(x) for x in got]}, expected 0xfee01000 0x2")
        o = msi_offset()
        expect_cfg_writes(s, "cfg_w_multi", [(EDU, o + 4, 4, 0xFEE01000), (EDU, o + 8, 4, 2)])
    c("config CAP_MSI+4.l=fee01000,00000002 (two values): two 4-byte writes to consecutive registers, setpci reads both",
      multi)

    def dry():
        s.need_rc0("cfg_w_dry")
        out = lines(s, "cfg_w_dry")
        if len([ln for ln in out if "would" in ln.lower()]) != 2:
            raise Fail(f"expected two 'would write' lines, stdout {out}")
        expect_cfg_writes(s, "cfg_w_dry", [])
        no_bar_access(s, "cfg_w_dry")
        old = before()[1]
        if setpci_reads("cfg_bad_after") != [0x5A, old | 0x400]:
            raise Fail(f"setpci reads CACHE_LINE_SIZE COMMAND = {lines(s, 'cfg_bad_after')} afterwards")
    c("config -D (CACHE_LINE_SIZE=33 COMMAND=0:400): prints each write, writes nothing (trace, setpci)", dry)

    def bad(test, *words):
        one_error_line(s, test, *words)
        if lines(s, test):
            raise Fail(f"stdout not empty: {lines(s, test)[:3]}")
        expect_cfg_writes(s, test, [])
        no_bar_access(s, test)
    c("config CACHE_LINE_SIZE=77 100.l on edu (256-byte config space): exit ≠ 0, one line, nothing written (trace)",
      bad, "cfg_bad_offset", ("100", "256"))
    c("config CACHE_LINE_SIZE=77 CAP_EXP+2.w on edu (no Express capability): exit ≠ 0, one line, nothing written",
      bad, "cfg_bad_cap", ("CAP_EXP", "capability"))
    c("config CACHE_LINE_SIZE=77 COMMAND=12345 (value too wide): exit ≠ 0, one line, nothing written",
      bad, "cfg_bad_value", "12345")
    c("config CACHE_LINE_SIZE=77 COMMAND+1.w (misaligned): exit ≠ 0, one line, nothing written",
      bad, "cfg_bad_align", ("align", "COMMAND+1"))

    def bad_after():
        old = before()[1]
        if setpci_reads("cfg_bad_after") != [0x5A, old | 0x400]:
            raise Fail(f"setpci reads CACHE_LINE_SIZE COMMAND = {lines(s, 'cfg_bad_after')}, expected 5a {old | 0x400:04x}")
    c("config: after the four refused commands setpci still reads CACHE_LINE_SIZE 5a (the good first operation did not run)",
      bad_after)

    def restore():
        s.need_rc0("cfg_restore")
        got = [int(x, 16) for x in lines(s, "cfg_restore")]
        if got != before():
            raise Fail(f"after restoring, setpci reads {[hex(x) for x in got]}, before {[hex(x) for x in before()]}")
    c("config: setpci put edu's CACHE_LINE_SIZE, COMMAND and MSI address back", restore)


# --------------------------------------------------------------------------------------
def health_checks(s) -> None:
    c = s.check
    E0 = lambda: s.base(EDU, 0)  # noqa: E731

    def window_steps(name):
        s.need_rc0(name)
        st = dict(ln.split(" rc=") for ln in lines(s, name) if " rc=" in ln)
        return st

    def cmd_off(name):
        v = int(file_lines(s, f"{name}.cmd_off")[0], 16)
        if v & MEM:
            raise Fail(f"setpci COMMAND=0:2 left COMMAND {v:#06x}")
        return v

    def off_peek(name):
        st = window_steps(name)
        off = cmd_off(name)
        if st.get("peek") != "0":
            raise Fail(f"peek with decoding off exited {st.get('peek')}; the exit status must be unchanged")
        out = file_lines(s, f"{name}.peek_out")
        vals = parse_peek("\n".join(out), 32)
        if len(vals) != 1:
            raise Fail(f"peek printed {out}")
        v = vals[0]
        err = file_lines(s, f"{name}.peek_err")
        warn = [ln for ln in err if "warning" in ln.lower() and "decoding" in ln.lower()]
        notes = [ln for ln in err if "note" in ln.lower()]
        if len(warn) != 1:
            raise Fail(f"expected one warning about memory decoding, stderr {err}")
        if "enable" not in warn[0]:
            raise Fail(f"the warning does not say how to enable decoding: {warn[0]!r}")
        if v == 0xFFFFFFFF:
            if len(notes) != 1 or "decoding" not in notes[0].lower():
                raise Fail(f"read all ones: expected one note naming decoding, stderr {err}")
        elif notes:
            raise Fail(f"read {v:#010x} (not all ones) but stderr has a note: {notes}")
        if len(err) != len(warn) + len(notes):
            raise Fail(f"more on stderr than the warning{' and the note' if notes else ''}: {err}")
        # QEMU unmaps the BAR when Memory Space is clear: the load must not reach edu
        try:
            sl = s.trace.slice(name)
        except KeyError as e:
            raise Fail(e.args[0])
        edu = [a for a in sl if a.name == "edu-mmio"]
        if edu:
            raise Fail(f"with decoding off the peek still reached edu: {edu[0]}")
        at = [a for a in sl if a.addr == E0() and a.name not in ("pci-conf-idx", "pci-conf-data")]
        print(f"# health ({name}): COMMAND {off:#06x}; peek printed {v:#010x}; trace at edu's BAR0 address "
              f"while decoding was off: {'; '.join(str(a) for a in at) or 'nothing (the access reached no device region)'}")
        return v

    def off_json(name):
        st = window_steps(name)
        if st.get("json") != "0":
            raise Fail(f"peek --json exited {st.get('json')}")
        doc = json.loads("\n".join(file_lines(s, f"{name}.json_out")))
        h = doc.get("health") if isinstance(doc, dict) else None
        if not h or "decoding" not in json.dumps(h).lower():
            raise Fail(f"--json has no \"health\" naming decoding: {json.dumps(doc)[:300]}")

    def fixed(name, fix_words):
        st = window_steps(name)
        if st.get("fix") != "0":
            err = file_lines(s, f"{name}.fix_err")
            raise Fail(f"the fix exited {st.get('fix')}: {err[:2]}")
        if any("safety net" in ln for ln in lines(s, name)):
            raise Fail("Memory Space was still clear afterwards (the guest re-enabled edu with setpci)")
        after = int(file_lines(s, f"{name}.cmd_after")[0], 16)
        if not after & MEM:
            raise Fail(f"COMMAND {after:#06x} afterwards")
        off = cmd_off(name)
        sl = s.trace.slice(name)
        cmdw = [x for x in config_accesses(sl, s.mmcfg) if x.op == "w" and x.slot == EDU and x.reg == 4]
        if len(cmdw) != 2 or cmdw[0].value != off or not cmdw[1].value & MEM or cmdw[1].size != 2:
            raise Fail(f"COMMAND writes in the window: {'; '.join(map(str, cmdw)) or 'none'}; expected setpci's "
                       f"clear ({off:#06x}) then one 2-byte write with Memory Space set")
        return cmdw[1].value

    def peek_ok(test):
        v = s.peek1(test, 32)
        if v != EDU_ID:
            raise Fail(f"read {v:#010x}")
        s.expect_accesses(test, [("r", E0(), 4, EDU_ID)])
        err = s.text(test, "err").strip()
        if err:
            raise Fail(f"stderr not empty when all is well: {err[:300]!r}")

    c("health: with edu's Memory Space clear (setpci COMMAND=0:2), peek still prints a value and exits 0, "
      "warns once about memory decoding (note if all ones); the load never reaches edu (trace)",
      off_peek, "health_enable")
    c("health: peek --json with decoding off carries \"health\" naming it", off_json, "health_enable")

    def enable():
        fixed("health_enable", ("enable",))
        out = " ".join(file_lines(s, "health_enable.fix_out"))
        cmds = re.findall(r"0x([0-9a-fA-F]{4})", out)
        if len(cmds) < 2 or int(cmds[0], 16) & MEM or not int(cmds[-1], 16) & MEM:
            raise Fail(f"enable should print COMMAND before (Memory Space clear) and after (set): {out!r}")
    c("health: pcimmio enable 00:02.0 (sysfs enable) turns Memory Space back on: COMMAND before/after printed, "
      "one COMMAND write with bit 1 (trace)", enable)
    c("health: after enable, peek reads edu's ID 0x010000ed, one 4-byte read, stderr empty", peek_ok, "health_enable_peek")

    c("health: cleared again, peek warns the same way (before the config fix)", off_peek, "health_config")

    def via_config():
        v = fixed("health_config", ("config",))
        off = cmd_off("health_config")
        if v != off | MEM:
            raise Fail(f"COMMAND.W=0x2:0x2 wrote {v:#06x}, expected {off | MEM:#06x} (only bit 1 changed)")
    c("health: pcimmio config 00:02.0 COMMAND.W=0x2:0x2 turns it back on: one 2-byte write of old | 0x2 (trace)",
      via_config)
    c("health: after config COMMAND.W=0x2:0x2, peek reads 0x010000ed, stderr empty", peek_ok, "health_config_peek")

    def json_ok():
        s.need_rc0("health_config_json")
        doc = json.loads(s.text("health_config_json"))
        if isinstance(doc, dict) and doc.get("health"):
            raise Fail(f"\"health\" present when all is well: {doc.get('health')!r}")
        if EDU_ID not in [r.get("value") for r in doc.get("registers", [])] and f"{EDU_ID:#010x}" not in json.dumps(doc):
            raise Fail(f"value not 0x010000ed: {json.dumps(doc)[:200]}")
        if s.text("health_config_json", "err").strip():
            raise Fail("stderr not empty")
    c("health: peek --json when all is well has no \"health\" and stderr is empty", json_ok)
