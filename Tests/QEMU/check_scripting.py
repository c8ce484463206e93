"""Host checks of the QEMU suite for register maps, field pokes, `dump --map`,
`wait`, `watch` and `run` scripts (imported by check.py; the guest side is the
"register maps", "wait / watch" and "run scripts" sections of guest/run-tests.sh).

Oracles: QEMU's trace (every access between the test's markers, with its
width and value) and the edu device's documented behaviour (LIVENESS reads
the inverse, FACTORIAL computes n!, STATUS bit 0 = computing, bit 7 = raise an
interrupt when done; DMA_CMD writes without START are ignored).

Assumptions about pcimmio's decoded output (`--map`/`--decode`): one line per
register whose first word is the value (0x...) and second word the register
name; field lines are indented and read `NAME [HI:LO] = 0xV [(VALUE_NAME)]`;
`dump --map` says `skipped NAME` for each register it does not read.
"""
from __future__ import annotations

import re

from check import EDU, NVME, Fail, parse_peek

REG_LINE_RE = re.compile(r"^(0x[0-9a-fA-F]+)\s+([A-Za-z_][A-Za-z0-9_]*)")
FIELD_LINE_RE = re.compile(r"^\s+([A-Za-z_][A-Za-z0-9_]*)\s+\[(\d+)(?::(\d+))?\]\s*=\s*(0x[0-9a-fA-F]+)(?:\s+\((\w+)\))?")
SKIPPED_RE = re.compile(r"^skipped\s+([A-Za-z_][A-Za-z0-9_]*)")

# 0x010000ed: edu ID (major 1, minor 0, magic 0xed)
EDU_ID = 0x010000ED


def decoded(text: str) -> list[dict]:
    """Registers of decoded output, in order: {value, digits, name, fields: {NAME: (hi, lo, v, label)}}."""
    regs: list[dict] = []
    for line in text.splitlines():
        m = REG_LINE_RE.match(line)
        if m:
            regs.append({"value": int(m.group(1), 16), "digits": len(m.group(1)) - 2,
                         "name": m.group(2), "fields": {}, "line": line})
            continue
        m = FIELD_LINE_RE.match(line)
        if m and regs:
            hi = int(m.group(2))
            lo = int(m.group(3)) if m.group(3) is not None else hi
            regs[-1]["fields"][m.group(1)] = (hi, lo, int(m.group(4), 16), m.group(5))
    return regs


def skipped(text: str) -> list[str]:
    return [m.group(1) for m in map(SKIPPED_RE.match, text.splitlines()) if m]


def check_fields(reg: dict) -> None:
    """Every decoded field value must be the register value's bits HI:LO."""
    for name, (hi, lo, v, _label) in reg["fields"].items():
        want = (reg["value"] >> lo) & ((1 << (hi - lo + 1)) - 1)
        if v != want:
            raise Fail(f"{reg['name']}.{name} [{hi}:{lo}] decoded as {v:#x}, bits of {reg['value']:#x} are {want:#x}")


def lines(s, test: str, stream: str = "out") -> list[str]:
    return [ln.strip() for ln in s.text(test, stream).splitlines() if ln.strip()]


def run(s) -> None:
    """All checks of this file, on the check.Suite `s`."""
    map_peek_checks(s)
    field_poke_checks(s)
    map_dump_checks(s)
    wait_watch_checks(s)
    run_script_checks(s)
    snapshot_checks(s)


# --------------------------------------------------------------------------------------
def map_peek_checks(s) -> None:
    c = s.check
    E0 = lambda: s.base(EDU, 0)  # noqa: E731
    N0 = lambda: s.base(NVME, 0)  # noqa: E731

    def one_decoded(test, name, addr, size):
        s.need_rc0(test)
        regs = decoded(s.text(test))
        if len(regs) != 1 or regs[0]["name"] != name:
            raise Fail(f"expected one decoded register {name}, output: {s.text(test)[:200]!r}")
        got = s.expect_accesses(test, [("r", addr, size)])
        if regs[0]["value"] != got[0].value:
            raise Fail(f"printed {regs[0]['value']:#x}, the device returned {got[0].value:#x}")
        if regs[0]["digits"] != 2 * size:
            raise Fail(f"value printed with {regs[0]['digits']} hex digits, register is {8 * size}-bit")
        check_fields(regs[0])
        return regs[0]

    def peek_id():
        r = one_decoded("map_peek_id", "ID", E0(), 4)
        if r["value"] != EDU_ID:
            raise Fail(f"ID = {r['value']:#010x}")
        f = r["fields"]
        if f.get("MAGIC", (0, 0, None, None))[2:] != (0xED, "EDU"):
            raise Fail(f"MAGIC decoded as {f.get('MAGIC')}, expected 0xed (EDU)")
        if f.get("MAJOR", (0, 0, None))[2] != 1 or f.get("MINOR", (0, 0, None))[2] != 0:
            raise Fail(f"MAJOR/MINOR decoded as {f.get('MAJOR')}/{f.get('MINOR')}")
    c("map: --map qemu-edu.json peek ID = one 4-byte read at +0x0, decoded 0x010000ed with MAGIC = 0xed (EDU)", peek_id)

    def peek_status_env():
        v = s.peek1("map_peek_status_env", 32)
        got = s.expect_accesses("map_peek_status_env", [("r", E0() + 0x20, 4)])
        if v != got[0].value:
            raise Fail(f"printed {v:#x}, the device returned {got[0].value:#x}")
    c("map: PCIMMIO_MAPS=/maps peek STATUS prints just the value; one 4-byte read at +0x20", peek_status_env)

    def peek_dmacmd():
        r = one_decoded("map_peek_dmacmd", "DMA_CMD", E0() + 0x98, 8)
        if set(r["fields"]) != {"START", "DIRECTION", "IRQ"}:
            raise Fail(f"fields {sorted(r['fields'])}, expected START, DIRECTION, IRQ")
    c("map: peek DMA_CMD (64-bit register) = one 8-byte read at +0x98, decoded fields match the value", peek_dmacmd)

    def peek_cap():
        v = s.peek1("map_peek_nvme_cap", 64)
        got = s.expect_accesses("map_peek_nvme_cap", [("r", N0(), 8)])
        if v != got[0].value:
            raise Fail(f"printed {v:#x}, the device returned {got[0].value:#x}")
        q = s.peek1("width64", 64)
        if v != q:
            raise Fail(f"CAP by name {v:#018x}, by offset (peek -w 64) {q:#018x}")
    c("map: PCIMMIO_MAPS peek nvme CAP (64-bit) = one 8-byte read at +0x0, = peek -w 64", peek_cap)

    def peek_cc():
        r = one_decoded("map_peek_nvme_cc", "CC", N0() + 0x14, 4)
        en = r["fields"].get("EN")
        if en is None or en[2] != 1 or en[3] != "ENABLED":
            raise Fail(f"CC.EN decoded as {en} (SeaBIOS leaves the controller enabled)")
    c("map: PCIMMIO_MAPS peek nvme CC --decode = one 4-byte read at +0x14, fields match the value", peek_cc)

    def unknown():
        if s.rc("map_peek_unknown") == 0:
            raise Fail("exit status 0 for an unknown register name")
        if "NO_SUCH_REGISTER" not in s.text("map_peek_unknown", "err"):
            raise Fail(f"message does not name the register: {s.text('map_peek_unknown', 'err').strip()[:200]!r}")
        s.expect_accesses("map_peek_unknown", [])
    c("map: an unknown register name fails, names it, and touches nothing", unknown)

    def poke_named():
        s.need_rc0("map_poke_named")
        s.expect_accesses("map_poke_named", [("w", E0() + 4, 4, 0x00FF00FF)])
        v = s.peek1("map_poke_named_peek", 32)
        s.expect_accesses("map_poke_named_peek", [("r", E0() + 4, 4, 0xFF00FF00)])
        if v != 0xFF00FF00:
            raise Fail(f"LIVENESS reads {v:#010x}, expected the inverse 0xff00ff00")
    c("map: poke LIVENESS 0x00ff00ff = one 4-byte write at +0x4; peek LIVENESS reads the inverse", poke_named)


# --------------------------------------------------------------------------------------
def field_poke_checks(s) -> None:
    c = s.check
    E0 = lambda: s.base(EDU, 0)  # noqa: E731
    N0 = lambda: s.base(NVME, 0)  # noqa: E731

    def rmw(test, addr, size, clear, setbits):
        """One read and one write at addr/size; written = (old & ~clear) | set. Returns old."""
        s.need_rc0(test)
        got = s.dev(test)
        if len(got) >= 1 and got[0].op == "r":
            old = got[0].value
        else:
            old = None
        want = None if old is None else (old & ~clear) | setbits
        s.expect_accesses(test, [("r", addr, size), ("w", addr, size, want)])
        return old

    def irq_on():
        rmw("map_poke_irq_on", E0() + 0x20, 4, 0x80, 0x80)
    c("field poke: STATUS.IRQ_ON_DONE=ON = one 4-byte read + one 4-byte write of old | 0x80 at +0x20", irq_on)

    def irq_off():
        old = rmw("map_poke_irq_off", E0() + 0x20, 4, 0x80, 0)
        if not old & 0x80:
            raise Fail(f"STATUS read {old:#010x} before clearing: IRQ_ON_DONE was not set by the previous poke")
    c("field poke: STATUS.IRQ_ON_DONE=OFF reads bit 7 set (previous poke landed), writes old & ~0x80", irq_off)

    def dmacmd():
        rmw("map_poke_dmacmd", E0() + 0x98, 8, 0x6, 0x2)
    c("field poke: DMA_CMD.DIRECTION=EDU_TO_RAM DMA_CMD.IRQ=0 = one 8-byte read + one 8-byte write at +0x98", dmacmd)

    def nvme_dry():
        s.need_rc0("map_poke_nvme_dry")
        s.expect_accesses("map_poke_nvme_dry", [])
        if not (s.text("map_poke_nvme_dry") + s.text("map_poke_nvme_dry", "err")).strip():
            raise Fail("--dry-run printed nothing")
    c("field poke: nvme CC.SHN=NONE --dry-run (map from PCIMMIO_MAPS) touches nothing", nvme_dry)

    def nvme_aqa():
        rmw("map_poke_nvme_aqa", N0() + 0x24, 4, 0x0FFF0FFF, 0x001F001F)
        v = s.peek1("map_peek_nvme_aqa", 32)
        s.expect_accesses("map_peek_nvme_aqa", [("r", N0() + 0x24, 4, v)])
        if v & 0x0FFF0FFF != 0x001F001F:
            raise Fail(f"AQA reads {v:#010x} afterwards")
    c("field poke: nvme AQA.ASQS=0x1f AQA.ACQS=0x1f = one read + one write of both fields; read back", nvme_aqa)


# --------------------------------------------------------------------------------------
def map_dump_checks(s) -> None:
    c = s.check
    E0 = lambda: s.base(EDU, 0)  # noqa: E731
    N0 = lambda: s.base(NVME, 0)  # noqa: E731

    def map_dump(test, base, regs, skip):
        """regs: [(NAME, offset, size)] read in this order; skip: names listed as skipped."""
        s.need_rc0(test)
        got = s.expect_accesses(test, [("r", base + off, size) for _n, off, size in regs])
        out = decoded(s.text(test))
        names = [r["name"] for r in out]
        if names != [n for n, _o, _s in regs]:
            raise Fail(f"output registers {names}, expected {[n for n, _o, _s in regs]}")
        for r, a, (n, _o, size) in zip(out, got, regs):
            if r["value"] != a.value:
                raise Fail(f"{n}: printed {r['value']:#x}, the device returned {a.value:#x}")
            if r["digits"] != 2 * size:
                raise Fail(f"{n}: printed with {r['digits']} hex digits, register is {8 * size}-bit")
            check_fields(r)
        sk = skipped(s.text(test))
        if sk != skip:
            raise Fail(f"output says skipped {sk}, expected {skip}")
        return got

    edu_regs = [("ID", 0x00, 4), ("LIVENESS", 0x04, 4), ("FACTORIAL", 0x08, 4), ("STATUS", 0x20, 4),
                ("IRQ_STATUS", 0x24, 4), ("DMA_SRC", 0x80, 8), ("DMA_DST", 0x88, 8),
                ("DMA_COUNT", 0x90, 8), ("DMA_CMD", 0x98, 8)]

    def edu():
        map_dump("map_dump_edu", E0(), edu_regs, ["IRQ_RAISE", "IRQ_ACK"])
    c("dump --map edu 0+0x100: each readable register read once at its width (4 or 8 bytes), "
      "values and fields as read, 'skipped IRQ_RAISE', 'skipped IRQ_ACK'", edu)

    def edu_wo():
        s.need_rc0("map_dump_edu")
        touched = [a for a in s.dev("map_dump_edu") if E0() + 0x60 <= a.addr < E0() + 0x68]
        if touched:
            raise Fail(f"write-only register accessed: {touched[0]}")
    c("dump --map edu never touches the wo registers IRQ_RAISE (+0x60) / IRQ_ACK (+0x64) (trace)", edu_wo)

    def edu_side():
        # README, `help dump` and the option's help: "wo and rc registers are skipped
        # (and listed) unless --include-side-effects" / "also read write-only ... registers".
        s.need_rc0("map_dump_edu_side")
        got = s.dev("map_dump_edu_side")
        sk = skipped(s.text("map_dump_edu_side"))
        if sk or not got:
            raise Fail(f"with --include-side-effects pcimmio still skips {sk} and reads "
                       f"{len(got)} register(s); documented: wo registers are read too")
        s.expect_accesses("map_dump_edu_side", [("r", E0() + 0x60, 4), ("r", E0() + 0x64, 4)])
    c("dump --map --include-side-effects edu 0x60+8 reads the wo registers IRQ_RAISE, IRQ_ACK once each "
      "(as documented)", edu_side)

    nvme_regs = [("CAP", 0x00, 8), ("VS", 0x08, 4), ("INTMS", 0x0C, 4), ("INTMC", 0x10, 4), ("CC", 0x14, 4),
                 ("CSTS", 0x1C, 4), ("AQA", 0x24, 4), ("ASQ", 0x28, 8), ("ACQ", 0x30, 8)]

    def nvme():
        got = map_dump("map_dump_nvme", N0(), nvme_regs, ["NSSR"])
        cap = s.peek1("width64", 64)
        if got[0].value != cap:
            raise Fail(f"CAP in the dump {got[0].value:#x}, peek -w 64 {cap:#x}")
    c("dump --decode nvme 0+0x38 (map from PCIMMIO_MAPS): CAP/ASQ/ACQ 8-byte, others 4-byte reads, "
      "NSSR (wo) skipped", nvme)


# --------------------------------------------------------------------------------------
def wait_watch_checks(s) -> None:
    c = s.check
    E0 = lambda: s.base(EDU, 0)  # noqa: E731

    def only_reads(test, addr, size):
        got = s.dev(test)
        bad = [a for a in got if (a.op, a.addr, a.size) != ("r", addr, size)]
        if bad or not got:
            raise Fail(f"expected only {size}-byte reads at {addr:#x}, trace: "
                       + ("; ".join(map(str, (bad or got)[:4])) or "nothing"))
        return got

    def waited(test, poke, peek, n, fact):
        s.need_rc0(poke)
        s.expect_accesses(poke, [("w", E0() + 8, 4, n)])
        s.need_rc0(test)
        got = only_reads(test, E0() + 0x20, 4)
        if got[-1].value & 1:
            raise Fail(f"last STATUS read {got[-1].value:#x} still has COMPUTING set")
        if any(a.value & 1 == 0 for a in got[:-1]):
            raise Fail("kept polling after the condition held")
        out = lines(s, test)
        if out and parse_peek(out[-1], 32) != [got[-1].value]:
            raise Fail(f"printed {out[-1]!r}, last value read {got[-1].value:#010x}")
        v = s.peek1(peek, 32)
        if v != fact:
            raise Fail(f"FACTORIAL afterwards {v:#x}, expected {n}! = {fact:#x}")
    c("wait 0x20 --mask 0x1 --value 0 after writing 5 to FACTORIAL: only 4-byte reads of +0x20, "
      "stops when idle; then 5! = 0x78", waited, "wait_mask", "wait_fact_poke", "wait_fact_peek", 5, 120)
    c("wait --until STATUS.COMPUTING=IDLE (map): only 4-byte reads of +0x20; then 6! = 0x2d0",
      waited, "wait_until", "wait_until_poke", "wait_until_peek", 6, 720)

    def named64():
        s.need_rc0("wait_named64")
        got = s.expect_accesses("wait_named64", [("r", E0() + 0x98, 8)])
        out = lines(s, "wait_named64")
        if out and parse_peek(out[-1], 64) != [got[0].value]:
            raise Fail(f"printed {out[-1]!r}, read {got[0].value:#018x}")
    c("wait DMA_CMD --mask 0x1 --value 0 (64-bit register by name, true at once) = one 8-byte read at +0x98", named64)

    def timeout():
        rc = s.rc("wait_timeout")
        if rc != 1:
            raise Fail(f"exit status {rc}, expected 1")
        err = s.text("wait_timeout", "err")
        if "timed out" not in err:
            raise Fail(f"no 'timed out' message: {err.strip()[:200]!r}")
        got = only_reads("wait_timeout", E0(), 4)
        if any(a.value != EDU_ID for a in got):
            raise Fail("ID read as something other than 0x010000ed")
        if "0x010000ed" not in err.lower():
            raise Fail(f"message does not show the last value 0x010000ed: {err.strip()[:200]!r}")
    c("wait --mask 0xff --value 0x12 on ID --timeout 50ms: exit 1, 'timed out' with the last value, "
      "only 4-byte reads of +0x0", timeout)

    def watch():
        s.need_rc0("watch_still")
        s.expect_accesses("watch_still", [("r", E0() + 4, 4, 0xFF00FF00)] * 3)
        out = lines(s, "watch_still")
        if len(out) != 1:
            raise Fail(f"{len(out)} output lines, expected only the first sample: {out[:4]}")
        if "ff00ff00" not in out[0].lower():
            raise Fail(f"first sample {out[0]!r} does not show LIVENESS 0xff00ff00")
    c("watch 0x4+4 --interval 10ms --count 3 on a steady register: one line (first sample), exactly 3 reads", watch)


# --------------------------------------------------------------------------------------
def run_script_checks(s) -> None:
    c = s.check
    E0 = lambda: s.base(EDU, 0)  # noqa: E731

    def factorial():
        s.need_rc0("run_factorial")
        out = lines(s, "run_factorial")
        if "0x00009d80" not in out:
            raise Fail(f"no peek line 0x00009d80 (8!) in {out}")
        if not out or out[-1] != "factorial of 8 done":
            raise Fail(f"last line {out[-1] if out else None!r}, expected 'factorial of 8 done' (echo with $N)")
        got = s.dev("run_factorial")
        if not got or (got[0].op, got[0].addr, got[0].size, got[0].value) != ("w", E0() + 8, 4, 8):
            raise Fail(f"first access {got[0] if got else None}, expected a 4-byte write of 8 to +0x08")
        if (got[-1].op, got[-1].addr, got[-1].size, got[-1].value) != ("r", E0() + 8, 4, 40320):
            raise Fail(f"last access {got[-1]}, expected a 4-byte read of 40320 from +0x08")
        mid = got[1:-1]
        bad = [a for a in mid if (a.op, a.addr, a.size) != ("r", E0() + 0x20, 4)]
        if bad or not mid:
            raise Fail(f"between poke and peek expected only STATUS reads, got {bad[:1] or 'none'}")
        if mid[-1].value & 1:
            raise Fail("wait ended while COMPUTING was still set")
    c("run edu-factorial.run (set, sleep, poke FACTORIAL, wait --until, peek, echo): 8! = 0x9d80, "
      "trace = write 8, STATUS reads, read 40320", factorial)

    def thousand():
        s.need_rc0("run_stdin_1000")
        out = lines(s, "run_stdin_1000")
        if len(out) != 1000 or any(x != "0x010000ed" for x in out):
            odd = [x for x in out if x != "0x010000ed"][:3]
            raise Fail(f"{len(out)} output lines (expected 1000 x 0x010000ed); others: {odd}")
        s.expect_accesses("run_stdin_1000", [("r", E0(), 4, EDU_ID)] * 1000)
    c("run - (stdin) with 1000 identical peeks: 1000 lines 0x010000ed, exactly 1000 4-byte reads of +0x0", thousand)

    def dry():
        s.need_rc0("run_dry")
        s.expect_accesses("run_dry", [])
        both = s.text("run_dry") + s.text("run_dry", "err")
        if "checked" not in both:
            raise Fail(f"no 'checked' in the output: {both.strip()[:200]!r}")
        v = s.peek1("run_dry_after", 32)
        if v != 0xFF00FF00:
            raise Fail(f"LIVENESS reads {v:#010x} after the dry run, expected 0xff00ff00 (unchanged)")
    c("run --dry-run of a script with pokes, a field poke, wait and dump: 'checked', zero accesses, "
      "LIVENESS unchanged", dry)

    def names_line3(test, fname):
        err = s.text(test, "err")
        if not re.search(re.escape(fname) + r"\D{0,3}3\b", err):
            raise Fail(f"message does not name {fname} line 3: {err.strip()[:200]!r}")

    def error_stop():
        rc = s.rc("run_error")
        if rc == 0:
            raise Fail("exit status 0")
        names_line3("run_error", "edu-error.run")
        s.expect_accesses("run_error", [])
        out = lines(s, "run_error")
        if out:
            raise Fail(f"stdout {out}, expected nothing: the script is checked before it runs")
    c("run: an offset past the BAR on line 3 is found before anything runs: zero accesses, "
      "message names the file and line 3, non-zero exit", error_stop)

    def runtime_stop():
        rc = s.rc("run_runtime_error")
        if rc == 0:
            raise Fail("exit status 0")
        names_line3("run_runtime_error", "edu-runtime-error.run")
        s.expect_accesses("run_runtime_error", [("r", E0(), 4, EDU_ID), ("w", E0() + 4, 4, 0x11111111),
                                                ("r", E0(), 4, EDU_ID)])
        out = lines(s, "run_runtime_error")
        if out != ["0x010000ed"]:
            raise Fail(f"stdout {out}, expected only line 1's 0x010000ed")
    c("run: a wait timing out on line 3 stops there: lines 1-3 in the trace, nothing after, "
      "message names the file and line 3, non-zero exit", runtime_stop)

    def keep_going():
        rc = s.rc("run_keep_going")
        if rc == 0:
            raise Fail("exit status 0 although line 3 failed")
        names_line3("run_keep_going", "edu-error.run")
        got = s.expect_accesses("run_keep_going", [("r", E0(), 4, EDU_ID), ("w", E0() + 4, 4, 0x11111111),
                                                   ("w", E0() + 4, 4, 0x22222222), ("r", E0() + 8, 4)])
        out = lines(s, "run_keep_going")
        if out != ["0x010000ed", f"0x{got[3].value:08x}"]:
            raise Fail(f"stdout {out}, expected lines 1 and 5's values")
    c("run --keep-going: continues past line 3 (lines 4-5 in the trace), reports line 3, non-zero exit", keep_going)

    def syntax():
        rc = s.rc("run_syntax")
        if rc == 0:
            raise Fail("exit status 0")
        names_line3("run_syntax", "edu-syntax.run")
        s.expect_accesses("run_syntax", [])
        if s.text("run_syntax").strip():
            raise Fail(f"printed {s.text('run_syntax').strip()[:100]!r} although nothing should run")
    c("run: a syntax error on line 3 runs nothing (script parsed first), names the line, non-zero exit", syntax)


# --------------------------------------------------------------------------------------
def snapshot_checks(s) -> None:
    """snapshot and diff on edu: the snapshot's registers are what the trace read (and no
    write-only register was touched), an unchanged device diffs empty with exit 0, a poke of
    LIVENESS diffs as LIVENESS with both values (edu stores the inverse)."""
    import json
    c = s.check
    E0 = lambda: s.base(EDU, 0)  # noqa: E731

    def before():
        s.need_rc0("snap_before")
        snap = json.loads(s.text("snap_before", "json"))
        # values are hex strings (exact in every JSON reader)
        regs = {r["name"]: dict(r, value=int(r["value"], 16)) for r in snap["registers"]}
        got = s.dev("snap_before")
        if any(a.op != "r" for a in got):
            raise Fail(f"a snapshot only reads, trace has {[a for a in got if a.op != 'r'][:2]}")
        if any(a.addr in (E0() + 0x60, E0() + 0x64) for a in got):
            raise Fail("the snapshot read a write-only register (IRQ_RAISE/IRQ_ACK)")
        read = {a.addr - E0(): a.value for a in got}
        for name, r in regs.items():
            if read.get(r["offset"]) != r["value"]:
                raise Fail(f"{name} @{r['offset']:#x} saved {r['value']:#x}, the trace read {read.get(r['offset'])}")
        if regs.get("ID", {}).get("value") != EDU_ID or "IRQ_RAISE" not in snap["skipped"]:
            raise Fail(f"ID {regs.get('ID')} / skipped {snap['skipped']}")
    c("snapshot of edu with its map: every saved register is what the trace read, wo registers skipped", before)

    def same():
        if s.rc("snap_same") != 0 or s.text("snap_same").strip():
            raise Fail(f"diff of an unchanged device: exit {s.rc('snap_same')}, output {s.text('snap_same')!r}")
    c("diff before.json live on an unchanged edu: no output, exit 0", same)

    def changed():
        old = {r["name"]: int(r["value"], 16) for r in json.loads(s.text("snap_before", "json"))["registers"]}["LIVENESS"]
        if s.rc("snap_diff") != 1:
            raise Fail(f"diff exit {s.rc('snap_diff')}, expected 1 (different)")
        want = f"LIVENESS @0x4 (BAR 0): {old:#010x} -> 0xeeeeeeee"
        if lines(s, "snap_diff") != [want]:
            raise Fail(f"diff printed {lines(s, 'snap_diff')}, expected [{want!r}]")
    c("diff after poking LIVENESS 0x11111111: exactly 'LIVENESS @0x4 (BAR 0): OLD -> 0xeeeeeeee', exit 1", changed)
