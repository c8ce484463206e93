#!/usr/bin/env python3
"""Host-side checks of the QEMU suite's second boot: VFIO under kernel lockdown.

Called by check.py (--vfio-workdir DIR), after the main boot's checks, so that the run
still ends in exactly one "N passed, N failed" line. Standalone, for development:

    check_vfio.py --workdir DIR [--pcimmio BIN]     prints ok/not ok lines and the summary

The boot (Scripts/qemu/run-vm.sh --profile vfio, guest script run-tests-vfio.sh):
intel-iommu, `intel_iommu=on lockdown=integrity`, the six VFIO modules insmod'ed;
00:02.0 edu, 00:03.0 virtio-rng (modern only, for 8/16-bit widths edu rejects),
00:07.0 the marker device. Markers are config-space reads through MMCONFIG
(see tracelib.py); results come out base64 on the console.

CLI assumed (issue 8; the checks fail until it exists):
    pcimmio peek/poke/dump/wait/watch/run ...   through VFIO with no flag when the device is bound to vfio-pci
    pcimmio ... --via vfio|sysfs                forces a path
    pcimmio bind DEVICE vfio-pci [--dry-run]    prints the driver before and after ("none -> vfio-pci")
    pcimmio unbind DEVICE                       no driver link, driver_override cleared
    --trace FILE                                JSON lines with "via":"vfio"
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
if __name__ == "__main__":
    import check  # noqa: E402
else:
    check = sys.modules.get("check") or __import__("check")
import check_scripting  # noqa: E402
import tracelib  # noqa: E402

Fail = check.Fail
parse_hexdump = check.parse_hexdump

EDU, VIRTIO, MARKDEV = "0000:00:02.0", "0000:00:03.0", "0000:00:07.0"
VFIO_MODULES = ["irqbypass", "vfio", "vfio_iommu_type1", "vfio_virqfd", "vfio_pci_core", "vfio_pci"]
P = "vfio boot: "  # prefix of every check name


def stderr_lines(suite, test):
    return [ln for ln in suite.text(test, "err").splitlines() if ln.strip()]


class VfioSuite(check.Suite):
    def __init__(self, work: str, out: str, pcimmio: str | None):
        super().__init__(work, out, pcimmio)
        self.ignore_ranges = [(st, en + 1) for (slot, _i), (st, en, _f) in self.bars.items() if slot == MARKDEV]

    def check(self, name, fn, *args):
        super().check(P + name, fn, *args)

    def state(self, test):
        """driver and driver_override printed by the guest's drvstate."""
        self.need_rc0(test)
        m = re.match(r"driver=(\S*) override=(.*)$", self.text(test).strip())
        if not m:
            raise Fail(f"unexpected state line {self.text(test).strip()!r}")
        return m.group(1), m.group(2).strip()

    def one_line_error(self, test, *words, rc=None):
        got = self.rc(test)
        if got == 0:
            raise Fail(f"`{self.res.cmds.get(test)}` exited 0")
        if got > 128:
            raise Fail(f"`{self.res.cmds.get(test)}` died of signal {got - 128}")
        if rc is not None and got != rc:
            raise Fail(f"exit status {got}, expected {rc}")
        err = stderr_lines(self, test)
        if len(err) != 1:
            raise Fail(f"expected one line on stderr, got {len(err)}: {err[:3]}")
        for w in words:
            alts = w if isinstance(w, tuple) else (w,)
            if not any(a.lower() in err[0].lower() for a in alts):
                raise Fail(f"the message does not mention {' or '.join(repr(a) for a in alts)}: {err[0]!r}")
        return err[0]

    # ------------------------------------------------------------------------------
    def run(self, infra_msg: str):
        r = self.res
        E0 = lambda: self.base(EDU, 0)  # noqa: E731
        V4 = lambda: self.base(VIRTIO, 4)  # noqa: E731
        c = self.check

        def ran_all():
            missing = [n for n in r.cmds if n not in r.cases]
            if missing:
                raise Fail(f"tests without a result: {', '.join(missing[:10])}")
            if not r.cmds:
                raise Fail("guest recorded no tests")
            if "end" not in r.info:
                raise Fail("guest script did not reach its end")
        c(f"harness: guest results shipped via {infra_msg}", ran_all)

        def markers():
            if self.trace.marker_lo is None:
                raise Fail("the guest recorded no marker scheme (info marker_region/base/limit)")
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
        c(f"harness: all {len(r.markers)} config-space (MMCONFIG) trace markers found in order "
          f"({len(self.accs)} traced accesses)", markers)

        def lockdown():
            v = " ".join(r.info.get("lockdown", ["?"]))
            if "[integrity]" not in v:
                raise Fail(f"/sys/kernel/security/lockdown: {v!r}")
        c("kernel lockdown is integrity (lockdown=integrity)", lockdown)

        def groups():
            gs = [g.split() for g in r.info.get("iommu_group", [])]
            if not gs:
                raise Fail("no /sys/kernel/iommu_groups: the IOMMU is not enabled")
            mine = [g for g in gs if EDU in g[1:]]
            if not mine or mine[0][1:] != [EDU]:
                raise Fail(f"edu's group: {mine}")
        c("intel-iommu: IOMMU groups exist, edu alone in its group", groups)

        def modules():
            self.need_rc0("modules")
            loaded = {ln.split()[0] for ln in self.text("modules").splitlines() if " Live " in ln}
            miss = [m for m in VFIO_MODULES if m not in loaded]
            if miss:
                raise Fail(f"not loaded: {miss}")
            if "vfio" not in self.text("modules").split():
                raise Fail("/dev/vfio/vfio missing")
        c("modules: irqbypass, vfio, vfio_iommu_type1, vfio_virqfd, vfio-pci-core, vfio-pci load "
          "(signed, under lockdown), /dev/vfio/vfio appears", modules)

        # -- oracles: the method --
        c("oracle: marker pair with nothing between gives no device access",
          lambda: self.expect_accesses("oracle_empty", []))

        def refused(test):
            if self.rc(test) == 0:
                raise Fail(f"`{self.res.cmds.get(test)}` succeeded under lockdown")
            self.expect_accesses(test, [])
        c("oracle: lockdown refuses /dev/mem (busybox devmem), no access", refused, "oracle_devmem_refused")
        c("oracle: lockdown refuses the mmap of resource0 (memtool -s), no access", refused, "oracle_sysfs_mmap_refused")

        def vinfo():
            self.need_rc0("oracle_vfio_info")
            t = self.text("oracle_vfio_info")
            if not re.search(r"^region 0 size 0x100000 offset 0x0 flags rwm", t, re.M):
                raise Fail(f"BAR0 region: {t[:300]!r}")
            if not re.search(r"^region 7 size 0x100 offset \S+ flags rw-", t, re.M):
                raise Fail("config region (7) not readable/writable")
        c("oracle: vfio-tool: edu BAR0 is a 1 MiB region with the mmap flag, config region rw", vinfo)

        def vread(test, op_addr, size, expect=None):
            self.need_rc0(test)
            v = int(self.text(test).split()[0], 16)
            got = self.expect_accesses(test, [("r", op_addr(), size)])
            if got[0].value != v:
                raise Fail(f"printed {v:#x}, the device returned {got[0].value:#x}")
            if expect is not None and v != expect:
                raise Fail(f"read {v:#x}, expected {expect:#x}")
        c("oracle: vfio-tool pread of edu 0x0 = one 4-byte read of 0x010000ed", vread, "oracle_vfio_pread", E0, 4, 0x010000ED)
        c("oracle: vfio-tool mmap read of edu 0x0 = one 4-byte read of 0x010000ed", vread, "oracle_vfio_mmap", E0, 4, 0x010000ED)
        c("oracle: vfio-tool pread -w 8 (virtio device_status) = one 1-byte read", vread,
          "oracle_vfio_pread_w8", lambda: V4() + 0x14, 1)
        c("oracle: vfio-tool pread -w 16 (virtio num_queues) = one 2-byte read of 1", vread,
          "oracle_vfio_pread_w16", lambda: V4() + 0x12, 2, 1)

        def edu_w16():
            self.need_rc0("oracle_vfio_edu_w16")
            self.expect_accesses("oracle_vfio_edu_w16", [])
        c("oracle: a 16-bit access to edu through VFIO is rejected by edu, not traced (so widths use virtio)", edu_w16)

        def w64():
            vread("oracle_vfio_mmap_w64", lambda: E0() + 0x80, 8)
            self.need_rc0("oracle_vfio_pread_w64")
            self.expect_accesses("oracle_vfio_pread_w64", [("r", E0() + 0x80, 4), ("r", E0() + 0x84, 4)])
        c("oracle: 64-bit through VFIO: an mmap load is one 8-byte read; an 8-byte pread is two 4-byte reads "
          "(6.1's vfio-pci splits it)", w64)

        def ofault():
            rc = self.rc("oracle_vfio_fault")
            out = self.text("oracle_vfio_fault")
            m = re.search(r"SIGBUS after (\d+) reads", out)
            if rc != 3 or not m:
                raise Fail(f"exit {rc}, output {out.strip()[:200]!r}: no SIGBUS after the zap")
            tool = self.text("oracle_vfio_fault_tool").strip()
            mm = re.match(r"0x([0-9a-f]{4}) -> 0x([0-9a-f]{4})$", tool)
            if not mm or not int(mm.group(1), 16) & 2 or int(mm.group(2), 16) & 2:
                raise Fail(f"vfio-tool cfg-clear printed {tool!r}")
            n = int(m.group(1))
            self.expect_accesses("oracle_vfio_fault", [("r", E0(), 4, 0x010000ED)] * n)
            self.expect_accesses("oracle_vfio_after_fault", [("r", E0(), 4, 0x010000ED)])
        c("oracle: clearing COMMAND.MEM through another process's VFIO fd zaps its mapping: "
          "its next read is SIGBUS (N reads traced, then none); reopened, edu reads again", ofault)

        # -- diagnoses before binding --
        c("diagnosis: --via vfio before the modules are loaded: one line, no access",
          lambda: (self.one_line_error("vfio_no_modules", "vfio"),
                   self.expect_accesses("vfio_no_modules", [])))

        def bind_no_modules():
            self.one_line_error("bind_no_modules", "vfio-pci", ("modprobe", "module"))
            drv, ov = self.state("bind_no_modules_state")
            if drv or ov not in ("", "(null)"):
                raise Fail(f"afterwards: driver={drv!r} driver_override={ov!r}")
            self.expect_accesses("bind_no_modules", [])
        c("diagnosis: bind vfio-pci before the modules are loaded: one line saying to load them, nothing written",
          bind_no_modules)

        def lockdown_peek():
            self.one_line_error("lockdown_peek", "lockdown", "pcimmio bind", rc=1)
            self.expect_accesses("lockdown_peek", [])
        c("diagnosis: peek under lockdown (not bound): exit 1, one line naming lockdown and `pcimmio bind`, no access",
          lockdown_peek)

        def lockdown_errno():
            err = self.one_line_error("lockdown_peek")
            if "resource0" not in err or "not permitted" not in err.lower():
                raise Fail(f"the message lacks the path (resource0) or the errno text: {err!r}")
        c("diagnosis: the lockdown error keeps the path and the errno text", lockdown_errno)
        c("diagnosis: --via vfio on a device not bound to vfio-pci: one line naming vfio-pci, no access",
          lambda: (self.one_line_error("lockdown_vfio_unbound", "vfio-pci"),
                   self.expect_accesses("lockdown_vfio_unbound", [])))

        # -- bind --
        fallback = r.info.get("bind_fallback", [])

        def bind_dry():
            self.need_rc0("bind_dry")
            out = self.text("bind_dry")
            for w in ("driver_override", "drivers_probe"):
                if w not in out:
                    raise Fail(f"--dry-run output does not show the write to {w}: {out.strip()[:200]!r}")
            drv, ov = self.state("bind_dry_state")
            if drv or ov not in ("", "(null)"):
                raise Fail(f"after --dry-run: driver={drv!r} driver_override={ov!r}")
            self.expect_accesses("bind_dry", [])
        c("bind --dry-run prints the sysfs writes (driver_override, drivers_probe) and makes none", bind_dry)

        def bind(test, slot):
            self.need_rc0(test)
            out = self.text(test)
            i, j = out.find("none"), out.find("vfio-pci")
            if i < 0 or j < 0 or j < i:
                raise Fail(f"output does not show the driver before (none) and after (vfio-pci): {out.strip()[:200]!r}")
            drv, _ov = self.state(test + "_state")
            if drv != "vfio-pci":
                raise Fail(f"driver afterwards: {drv or 'none'!r}")
            if slot in fallback:
                raise Fail("the guest had to bind it by hand")
            self.expect_accesses(test, [])
        c("bind 00:02.0 vfio-pci: prints none -> vfio-pci; the driver link is vfio-pci; no BAR access", bind, "bind_edu", EDU)
        c("bind 00:03.0 vfio-pci (virtio): none -> vfio-pci", bind, "bind_virtio", VIRTIO)

        def nodes():
            self.need_rc0("vfio_dev_nodes")
            have = set(self.text("vfio_dev_nodes").split())
            want = {g.split()[0] for g in r.info.get("iommu_group", []) if EDU in g.split()[1:] or VIRTIO in g.split()[1:]}
            if not want <= have:
                raise Fail(f"/dev/vfio has {sorted(have)}, expected the groups {sorted(want)}")
        c("/dev/vfio/N appears for the groups of both bound devices", nodes)

        # -- through VFIO, no flag --
        def peek(test, width, addr_fn, expect=None):
            v = self.peek1(test, width)
            got = self.expect_accesses(test, [("r", addr_fn(), width // 8)])
            if got[0].value != v:
                raise Fail(f"printed {v:#x}, the device returned {got[0].value:#x}")
            if expect is not None and v != expect:
                raise Fail(f"read {v:#x}, expected {expect:#x}")
        c("vfio: peek 00:02.0 0 0 = 0x010000ed, one 4-byte read", peek, "v_peek_id", 32, E0, 0x010000ED)

        def poke(test, addr_fn, size, value):
            self.need_rc0(test)
            self.expect_accesses(test, [("w", addr_fn(), size, value)])
        c("vfio: poke 00:02.0 0 4 0x12345678 = one 4-byte write", poke, "v_poke_live", lambda: E0() + 4, 4, 0x12345678)
        c("vfio: then peek 0x4 = 0xedcba987 (edu inverts), one 4-byte read", peek,
          "v_peek_live", 32, lambda: E0() + 4, 0xEDCBA987)

        def verify_bad():
            if self.rc("v_verify_mismatch") == 0:
                raise Fail("exit status 0 although edu reads back the inverse")
            self.expect_accesses("v_verify_mismatch", [("w", E0() + 4, 4, 0x0F0F0F0F), ("r", E0() + 4, 4, 0xF0F0F0F0)])
        c("vfio: poke --verify on edu 0x04 fails: one write, one read", verify_bad)
        c("vfio: peek -w 64 (edu 0x80) = one 8-byte read", peek, "v_peek_w64", 64, lambda: E0() + 0x80)
        c("vfio: peek -w 32 (virtio BAR4 0x0) = one 4-byte read", peek, "v_peek_w32_virtio", 32, V4)
        c("vfio: peek -w 16 (virtio num_queues) = one 2-byte read of 1", peek, "v_peek_w16", 16, lambda: V4() + 0x12, 1)
        c("vfio: peek -w 8 (virtio device_status) = one 1-byte read", peek, "v_peek_w8", 8, lambda: V4() + 0x14)

        def edu16():
            v = self.peek1("v_peek_edu_w16", 16)
            self.expect_accesses("v_peek_edu_w16", [])
            o = int(self.text("oracle_vfio_edu_w16").split()[0], 16)
            if v != o:
                raise Fail(f"read {v:#06x}, vfio-tool's mmap read {o:#06x}")
        c("vfio: peek -w 16 on edu = what vfio-tool's 16-bit mmap read gives (edu rejects it; not traced)", edu16)
        c("vfio: poke -w 16 (virtio queue_select) = one 2-byte write", poke, "v_poke_w16", lambda: V4() + 0x16, 2, 0)
        c("vfio: poke -w 8 (virtio device_status) = one 1-byte write", poke, "v_poke_w8", lambda: V4() + 0x14, 1, 0)

        def count():
            v = self.peek_values("v_peek_count", 32)
            got = self.expect_accesses("v_peek_count", [("r", E0() + 4 * i, 4) for i in range(4)])
            if [a.value for a in got] != v:
                raise Fail(f"printed {v}, device returned {[a.value for a in got]}")
        c("vfio: peek -n 4 = four consecutive 4-byte reads, values in order", count)

        def dump():
            self.need_rc0("v_dump")
            accs = self.expect_accesses("v_dump", [("r", E0() + 4 * i, 4) for i in range(8)])
            shown = parse_hexdump(self.text("v_dump"), 4, 8)
            if shown != [a.value for a in accs] or not shown or shown[0] != 0x010000ED:
                raise Fail(f"dump shows {[hex(x) for x in shown]}, the device returned {[hex(a.value) for a in accs]}")
        c("vfio: dump 00:02.0 0 0+0x20 = exactly 8 4-byte reads, the values shown", dump)

        def wait():
            poke("v_wait_fact_poke", lambda: E0() + 8, 4, 5)
            self.need_rc0("v_wait")
            got = self.dev("v_wait")
            if not got or any((a.op, a.addr, a.size) != ("r", E0() + 0x20, 4) for a in got):
                raise Fail(f"expected only 4-byte reads of STATUS, trace: {'; '.join(map(str, got[:4])) or 'nothing'}")
            if got[-1].value & 1:
                raise Fail(f"stopped at {got[-1].value:#x}")
            f = self.peek1("v_wait_fact_peek", 32)
            if f != 120:
                raise Fail(f"factorial register {f:#x}, expected 5! = 0x78")
        c("vfio: wait 0x20 --mask 1 --value 0 = only 4-byte reads of STATUS, then 5! is there", wait)

        def fact():
            self.need_rc0("v_factorial")
            if "0x00009d80" not in self.text("v_factorial").split():
                raise Fail(f"output {self.text('v_factorial').strip()[:200]!r} lacks 8! = 0x00009d80")
            got = self.dev("v_factorial")
            if len(got) < 3 or (got[0].op, got[0].addr, got[0].size, got[0].value) != ("w", E0() + 8, 4, 8):
                raise Fail(f"first access {got[0] if got else None}, expected a 4-byte write of 8 to 0x08")
            if (got[-1].op, got[-1].addr, got[-1].size, got[-1].value) != ("r", E0() + 8, 4, 40320):
                raise Fail(f"last access {got[-1]}, expected a 4-byte read of 8! at 0x08")
            mid = [a for a in got[1:-1] if (a.op, a.addr, a.size) != ("r", E0() + 0x20, 4)]
            if mid:
                raise Fail(f"unexpected access: {mid[0]}")
        c("vfio: run edu-factorial.run --map qemu-edu.json prints 8!: write 8, poll STATUS, read 0x9d80", fact)

        def field_verify():
            """edu-field-verify.run: peek STATUS; STATUS.IRQ_ON_DONE=ON --verify; peek --decode;
            STATUS.IRQ_ON_DONE=OFF; peek. The trace is the oracle for what was written."""
            test = "v_field_verify"
            self.need_rc0(test)
            st = E0() + 0x20
            r4, w4 = ("r", st, 4), ("w", st, 4)
            got = self.expect_accesses(test, [r4, r4, w4, r4, r4, r4, w4, r4])
            before, old_on, w_on, back, peek_on, old_off, w_off, after = got
            if before.value & 0x81:
                raise Fail(f"STATUS was {before.value:#010x} before the script (IRQ_ON_DONE or COMPUTING set): "
                           "the ON poke would change nothing")
            if w_on.value != (old_on.value & ~0x80) | 0x80:
                raise Fail(f"IRQ_ON_DONE=ON read {old_on.value:#010x} and wrote {w_on.value:#010x}, "
                           f"expected {(old_on.value & ~0x80) | 0x80:#010x} (only bit 7 set)")
            if back.value != w_on.value:
                raise Fail(f"--verify read back {back.value:#010x}, the write was {w_on.value:#010x}")
            if w_off.value != old_off.value & ~0x80:
                raise Fail(f"IRQ_ON_DONE=OFF read {old_off.value:#010x} and wrote {w_off.value:#010x}, "
                           f"expected {old_off.value & ~0x80:#010x} (only bit 7 cleared)")
            if not old_off.value & 0x80 or after.value & 0x80:
                raise Fail(f"STATUS bit 7 before/after IRQ_ON_DONE=OFF: {old_off.value:#010x}/{after.value:#010x}")
            text = self.text(test)
            top = [ln for ln in text.splitlines() if ln.strip() and not ln[0].isspace()]
            regs = check_scripting.decoded(text)
            if (len(top) != 4 or top[0] != f"0x{before.value:08x}" or top[2] != f"0x{after.value:08x}"
                    or top[3] != "field pokes done" or len(regs) != 1 or regs[0]["line"] != top[1]):
                raise Fail(f"stdout {top}, expected the traced STATUS values 0x{before.value:08x}, "
                           f"0x{peek_on.value:08x} (decoded), 0x{after.value:08x}, then 'field pokes done'")
            reg = regs[0]
            if reg["name"] != "STATUS" or reg["value"] != peek_on.value:
                raise Fail(f"--decode printed {reg['line'].strip()!r}, the device returned {peek_on.value:#010x}")
            check_scripting.check_fields(reg)
            irq = reg["fields"].get("IRQ_ON_DONE")
            if not irq or irq[2] != 1 or irq[3] != "ON":
                raise Fail(f"--decode shows IRQ_ON_DONE as {irq}, expected 0x1 (ON)")
            err = stderr_lines(self, test)
            if err:
                raise Fail(f"stderr: {err[:2]}")
        c("vfio: run edu-field-verify.run --map: STATUS.IRQ_ON_DONE=ON --verify = one read, one write of old | 0x80, "
          "one read-back; =OFF = one read, one write of old & ~0x80; peeks print the traced values", field_verify)

        def field_verify_mismatch():
            """edu ignores a DMA_CMD write without START, so DIRECTION=EDU_TO_RAM does not read back."""
            test = "v_field_verify_mismatch"
            err = self.one_line_error(test, "verify", rc=1)
            cmd = E0() + 0x98
            old, wrote, back = self.expect_accesses(test, [("r", cmd, 8), ("w", cmd, 8), ("r", cmd, 8)])
            if old.value & 1:
                raise Fail(f"DMA_CMD read {old.value:#x}: START set, a DMA is running")
            if wrote.value != (old.value & ~0x2) | 0x2:
                raise Fail(f"DIRECTION=EDU_TO_RAM read {old.value:#x} and wrote {wrote.value:#x}, "
                           f"expected {(old.value & ~0x2) | 0x2:#x} (only bit 1 set)")
            if back.value != old.value:
                raise Fail(f"DMA_CMD read back {back.value:#x} after writing {wrote.value:#x}: edu did not ignore "
                           "the write, so this is no mismatch test")
            if not re.search(r"edu-field-verify-mismatch\.run\D{0,3}3\b", err):
                raise Fail(f"the message does not name edu-field-verify-mismatch.run line 3: {err!r}")
            shown = {int(h, 16) for h in re.findall(r"0x[0-9a-fA-F]+", err)}
            if wrote.value not in shown or back.value not in shown:
                raise Fail(f"the message does not show both the written {wrote.value:#x} and the read-back "
                           f"{back.value:#x}: {err!r}")
            if self.text(test).strip():
                raise Fail(f"stdout {self.text(test).strip()[:100]!r}: line 4 ran after the failed --verify")
        c("vfio: run edu-field-verify-mismatch.run: DMA_CMD.DIRECTION=EDU_TO_RAM --verify (edu ignores it) = "
          "8-byte read, write of old | 0x2, read-back; exit 1, one line naming line 3 and both values; script stops",
          field_verify_mismatch)

        def run1000():
            self.need_rc0("v_run_1000")
            lines = self.text("v_run_1000").split()
            if len(lines) != 1000 or set(lines) != {"0x010000ed"}:
                raise Fail(f"{len(lines)} lines, values {sorted(set(lines))[:3]}")
            got = self.dev("v_run_1000")
            bad = [a for a in got if (a.op, a.addr, a.size) != ("r", E0(), 4)]
            if len(got) != 1000 or bad:
                raise Fail(f"{len(got)} device accesses, {len(bad)} not a 4-byte read of 0x0")
        c("vfio: run of 1000 peeks = 1000 lines, exactly 1000 4-byte reads", run1000)

        def watch():
            self.need_rc0("v_watch_still")
            self.expect_accesses("v_watch_still", [("r", E0() + 4, 4)] * 3)
        c("vfio: watch 0x4+4 --count 3 = exactly 3 reads", watch)
        c("vfio: peek --via vfio = one 4-byte read", peek, "v_via_vfio", 32, E0, 0x010000ED)

        def via_sysfs():
            self.one_line_error("v_via_sysfs", "lockdown")
            self.expect_accesses("v_via_sysfs", [])
        c("vfio: peek --via sysfs is refused with the lockdown diagnosis, no access", via_sysfs)

        def trace():
            self.need_rc0("v_trace")
            accs = self.expect_accesses("v_trace", [("r", E0(), 4, 0x010000ED), ("r", E0() + 4, 4)])
            p = os.path.join(self.out, "t", "v_trace.log")
            lines = [ln for ln in open(p).read().splitlines() if ln.strip()] if os.path.exists(p) else []
            if len(lines) != len(accs):
                raise Fail(f"--trace file has {len(lines)} lines for {len(accs)} accesses")
            for ln in lines:
                if json.loads(ln).get("via") != "vfio":
                    raise Fail(f'trace line without "via":"vfio": {ln}')
        c('vfio: --trace FILE: one line per access, each with "via":"vfio"', trace)

        def config():
            self.need_rc0("v_config_read")
            vals = self.text("v_config_read").split()
            self.need_rc0("oracle_vfio_cfg_read")
            want = int(self.text("oracle_vfio_cfg_read").split()[0], 16)
            if len(vals) != 2 or int(vals[0], 16) != want or int(vals[1], 16) != 0x11E81234:
                raise Fail(f"printed {vals}, expected COMMAND {want:04x} (vfio-tool) and 11e81234")
            self.expect_accesses("v_config_read", [])
        c("config COMMAND VENDOR_ID.L through VFIO's config region = vfio-tool's values, no BAR access", config)

        def config_write():
            self.need_rc0("v_config_write")
            self.expect_accesses("v_config_write", [])
            after = int(self.text("v_config_after").split()[0], 16)
            if not after & 2:
                raise Fail(f"COMMAND afterwards {after:#06x}: memory decoding off")
        c("config COMMAND.W=0x2:0x2 under lockdown works through VFIO (memory decoding stays on), no BAR access",
          config_write)
        c("config write --via sysfs under lockdown is refused in one line, no access",
          lambda: (self.one_line_error("v_config_sysfs_write", "lockdown", "drop --via sysfs"),
                   self.expect_accesses("v_config_sysfs_write", [])))

        def busy():
            holder = self.text("v_group_busy", "holder").strip() if os.path.exists(
                os.path.join(self.out, "t", "v_group_busy.holder")) else "?"
            err = self.one_line_error("v_group_busy", "busy")
            if "vfio-tool" not in err and holder not in err:
                raise Fail(f"the message names neither the holder vfio-tool nor its pid {holder}: {err!r}")
            self.expect_accesses("v_group_busy", [])
        c("diagnosis: group held by another process: one line saying busy and naming the holder (vfio-tool/pid)", busy)

        def fault():
            rc = self.rc("v_fault")
            tool_rc = self.text("v_fault_tool", "rc").strip()
            if tool_rc != "0":
                raise Fail(f"vfio-tool could not clear COMMAND.MEM (rc {tool_rc}): "
                           f"{self.text('v_fault_tool', 'err').strip()[:200]}")
            if rc > 128:
                raise Fail(f"watch died of signal {rc - 128} (the fault guard did not catch the SIGBUS)")
            self.one_line_error("v_fault", ("bus error", "sigbus"), rc=1)
            out = self.text("v_fault").split()
            if "0x010000ed" not in out:
                raise Fail(f"watch printed no first sample: {out[:5]}")
            got = self.dev("v_fault")
            bad = [a for a in got if (a.op, a.addr, a.size) != ("r", E0(), 4)]
            if not got or bad:
                raise Fail(f"{len(got)} accesses, unexpected: {'; '.join(map(str, bad[:3]))}")
        c("issue 12: COMMAND.MEM cleared under a running `watch` (VFIO mmap zapped): exit 1, one line naming a bus error, no signal death",
          fault)
        c("vfio: after the fault, watch's exit restored the device: peek = 0x010000ed", peek, "v_after_fault", 32, E0, 0x010000ED)

        # -- unbind --
        def unbind(test, slot):
            self.need_rc0(test)
            drv, ov = self.state(test + "_state")
            if drv:
                raise Fail(f"driver afterwards: {drv!r}")
            if ov not in ("", "(null)"):
                raise Fail(f"driver_override afterwards: {ov!r}")
            self.expect_accesses(test, [])
        c("unbind 00:02.0: no driver link, driver_override empty", unbind, "unbind_edu", EDU)
        c("unbind 00:03.0: no driver link, driver_override empty", unbind, "unbind_virtio", VIRTIO)

        def after_unbind():
            self.one_line_error("after_unbind_peek", "lockdown", "pcimmio bind", rc=1)
            self.expect_accesses("after_unbind_peek", [])
        c("after unbind, peek is refused with the lockdown diagnosis again", after_unbind)

        def nothing_else():
            """Every edu access lies in some test's slice: binding, vfio-pci's open/close/reset
            and the kernel never touch edu's BAR."""
            slices = []
            for name in r.order:
                try:
                    b, e = self.trace.test_markers[name]
                    slices.append((self.trace.marker_pos[b], self.trace.marker_pos[e]))
                except (KeyError, TypeError):
                    continue
            if not slices:
                raise Fail("no test slices")
            first, last = slices[0][0], slices[-1][1]
            stray = []
            for i, a in enumerate(self.accs):
                if a.name != "edu-mmio" or not first < i < last:
                    continue
                if not any(lo < i < hi for lo, hi in slices):
                    stray.append(a)
            if stray:
                raise Fail(f"{len(stray)} edu accesses outside every test: {'; '.join(map(str, stray[:3]))}")
        c("trace: nothing touched edu outside the tests (bind, vfio-pci open/close, the kernel)", nothing_else)


def run(work: str, pcimmio: str | None, passed: int, failed: int) -> tuple[int, int]:
    """Run the VFIO boot's checks; returns the updated (passed, failed)."""
    out, how = check.extract_outbox(work)
    if out is None or not os.path.exists(os.path.join(out, "results.txt")):
        print(f"not ok - {P}harness: guest results: {how}")
        return passed, failed + 1
    if not os.path.exists(os.path.join(work, "trace.log")):
        print(f"not ok - {P}harness: QEMU trace log missing")
        return passed, failed + 1
    suite = VfioSuite(work, out, pcimmio)
    suite.passed, suite.failed = passed, failed
    suite.run(how)
    times = sorted(suite.res.times.items(), key=lambda kv: -kv[1])
    if times:
        print(f"# VFIO guest test time {sum(t for _n, t in times):.1f} s over {len(times)} commands; slowest: "
              + ", ".join(f"{n} {t:.2f}s" for n, t in times[:3]))
    return suite.passed, suite.failed


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--pcimmio")
    args = ap.parse_args(argv)
    passed, failed = run(args.workdir, args.pcimmio, 0, 0)
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
