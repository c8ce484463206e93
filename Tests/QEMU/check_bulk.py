"""Host checks of the QEMU suite for `load`, `fill` and multi-value `poke` (issue 13),
imported by check.py; the guest side is the "load / fill / multi-value poke" section of
guest/run-tests.sh.

Oracles:
* ivshmem 00:04.0 BAR2 is RAM backed by the host file ivshmem.bin: QEMU does not trace
  RAM, so there the host file is the oracle (exactly the bytes at exactly the offsets;
  check.py's "no other byte changed" includes these writes through `ivshmem_expected`),
  and the trace must show no device access at all in those slices.
* edu's DMA address registers 0x80/0x88/0x90 are plain read/write registers (4- or 8-byte
  accesses; a 4-byte write at 0x84/0x8c/0x94 is traced but ignored): the trace shows each
  store with its width and value.
* virtio-rng's BAR4 is prefetchable with resource4_wc: a `load --wc` there shows its stores
  and the one flush read of the BAR's first register (none with --no-flush or without --wc).
"""
from __future__ import annotations

import os

from check import EDU, VIRTIO, Fail

HERE = os.path.dirname(os.path.abspath(__file__))
LOADBIN = os.path.join(HERE, "guest", "data", "load-16k.bin")


def loadbin() -> bytes:
    return open(LOADBIN, "rb").read()


def ramp(start: int, step: int, width: int, count: int) -> bytes:
    mask = (1 << (8 * width)) - 1
    return b"".join(((start + i * step) & mask).to_bytes(width, "little") for i in range(count))


def words(data: bytes, width: int) -> list[int]:
    return [int.from_bytes(data[i:i + width], "little") for i in range(0, len(data), width)]


def ivshmem_writes() -> list[tuple[str, int, bytes, str]]:
    """(test, offset, bytes, what) of every bulk write into ivshmem BAR2."""
    f = loadbin()
    return [
        ("bulk_iv_load", 0x10000, f, "load (16 KiB, -w 32)"),
        ("bulk_iv_load_wc", 0x20000, f, "load --wc -w 64"),
        ("bulk_iv_load_stdin", 0x30000, f, "load - (stdin) -w 16"),
        ("bulk_iv_load_verify", 0x34000, f, "load -w 8 --verify"),
        ("bulk_iv_fill", 0x40000, ramp(0x11223344, 0x01010101, 4, 0x400), "fill --increment 0x01010101"),
        ("bulk_iv_fill_w8", 0x41000, ramp(0xF0, 1, 1, 0x200), "fill -w 8 --increment 1 (wraps at 0xff)"),
        ("bulk_iv_fill_wc", 0x42000, ramp(0xA5A5A5A55A5A5A5A, 0, 8, 0x100), "fill -w 64 --wc (START-END)"),
        ("bulk_iv_poke", 0x43000, ramp(0x11111111, 0x11111111, 4, 3), "poke with three values"),
        ("bulk_iv_poke16", 0x43010, ramp(0xAAAA, 0x1111, 2, 3), "poke -w 16 with three values"),
    ]


def ivshmem_expected(s, exp: bytearray) -> None:
    """Add the bulk writes of the tests that succeeded to check.py's expected host file."""
    for test, off, data, _what in ivshmem_writes():
        if s.res.cases.get(test) == "0":
            exp[off:off + len(data)] = data


def run(s) -> None:
    ivshmem_checks(s)
    edu_checks(s)
    wc_checks(s)


# --------------------------------------------------------------------------------------
def ivshmem_checks(s) -> None:
    c = s.check
    init = open(os.path.join(s.work, "ivshmem.initial"), "rb").read()
    final = open(os.path.join(s.work, "ivshmem.bin"), "rb").read()

    def landed(test, off, data):
        s.need_rc0(test)
        got = final[off:off + len(data)]
        if got != data:
            i = next(i for i in range(len(data)) if got[i] != data[i])
            raise Fail(f"host file differs at {off + i:#x}: {got[i:i + 8].hex()}, expected {data[i:i + 8].hex()} "
                       f"({sum(1 for a, b in zip(got, data) if a != b)} bytes differ)")
        if s.dev(test):
            raise Fail(f"ivshmem BAR2 is RAM (untraced), yet the slice has a device access: {s.dev(test)[0]}")
    for test, off, data, what in ivshmem_writes():
        c(f"ivshmem: guest {what} at {off:#x}: the host file holds exactly those {len(data)} bytes there", landed,
          test, off, data)

    def round_trip(test):
        s.need_rc0(test)
        p = os.path.join(s.out, "t", f"{test}.bin")
        got = open(p, "rb").read() if os.path.exists(p) else b""
        if got != loadbin():
            raise Fail(f"dump is {len(got)} bytes, {'equal' if got == loadbin() else 'not equal'} to the loaded file")
    c("ivshmem: dump --format raw of the loaded region = the file (round trip)", round_trip, "bulk_iv_dump")
    c("ivshmem: dump --format raw --wc of the --wc-loaded region = the file", round_trip, "bulk_iv_dump_wc")

    def refused(test, off, n, *words_):
        rc = s.rc(test)
        if rc == 0:
            raise Fail(f"`{s.res.cmds.get(test)}` exited 0")
        err = [ln for ln in s.text(test, "err").splitlines() if ln.strip()]
        if len(err) != 1:
            raise Fail(f"expected one line on stderr, got {err[:3]}")
        if words_ and not any(w.lower() in err[0].lower() for w in words_):
            raise Fail(f"the message names none of {words_}: {err[0]!r}")
        if final[off:off + n] != init[off:off + n]:
            raise Fail(f"host file changed at {off:#x}")
        if s.dev(test):
            raise Fail(f"device access: {s.dev(test)[0]}")
    c("load 16 KiB at 0xffffc of the 1 MiB BAR2: refused in one line, nothing written", refused,
      "bulk_iv_load_past", 0xFFFFC, 4, "0xffffc", "past", "BAR", "outside", "beyond")
    c("load of a 3-byte file at -w 32: refused in one line (not a whole number of registers), nothing written",
      refused, "bulk_iv_load_odd", 0x44000, 4, "multiple", "whole", "3")
    c("load of a missing file: refused in one line naming it, nothing written", refused,
      "bulk_iv_load_missing", 0x44000, 4, "no-such-file")


# --------------------------------------------------------------------------------------
def edu_checks(s) -> None:
    c = s.check
    E0 = lambda: s.base(EDU, 0)  # noqa: E731
    head = loadbin()[:24]

    def writes(test, base_off, width, values):
        s.need_rc0(test)
        return s.expect_accesses(test, [("w", E0() + base_off + i * width, width, v) for i, v in enumerate(values)])

    def fill():
        writes("bulk_edu_fill", 0x80, 8, [0x1000, 0x1010, 0x1020])
    c("fill edu 0x80+0x18 0x1000 --increment 0x10 -w 64: exactly three 8-byte stores 0x1000, 0x1010, 0x1020 (trace)", fill)

    def readback(test, want):
        v = s.peek_values(test, 64)
        got = s.expect_accesses(test, [("r", E0() + 0x80 + 8 * i, 8) for i in range(3)])
        if v != [a.value for a in got]:
            raise Fail(f"printed {[hex(x) for x in v]}, the device returned {[hex(a.value) for a in got]}")
        if v != want:
            raise Fail(f"read {[hex(x) for x in v]}, expected {[hex(x) for x in want]}")
    c("edu 0x80/0x88/0x90 read back the filled ramp (peek -w 64 -n 3)", readback, "bulk_edu_fill_peek",
      [0x1000, 0x1010, 0x1020])

    def poke64():
        writes("bulk_edu_poke", 0x80, 8, [0xA1, 0xB2, 0xC3])
    c("poke edu 0x80 0xa1 0xb2 0xc3 -w 64: exactly three 8-byte stores in order (trace)", poke64)

    def poke32():
        writes("bulk_edu_poke32", 0x80, 4, [0x11, 0x22, 0x33, 0x44])
    c("poke edu 0x80 0x11 0x22 0x33 0x44 (-w 32): exactly four 4-byte stores at 0x80..0x8c (trace)", poke32)

    def load64():
        w = words(head, 8)
        s.need_rc0("bulk_edu_load64")
        s.expect_accesses("bulk_edu_load64", [("w", E0() + 0x80 + 8 * i, 8, v) for i, v in enumerate(w)]
                          + [("r", E0() + 0x80 + 8 * i, 8, v) for i, v in enumerate(w)])
    c("load edu 0x80 (24 bytes) -w 64 --verify: three 8-byte stores of the file's words, then three reads (trace)", load64)

    def load32():
        w = words(head, 4)
        writes("bulk_edu_load32", 0x80, 4, w)
        # edu keeps 4-byte writes to 0x80/0x88/0x90 (zero-extended) and ignores 0x84/0x8c/0x94
        readback("bulk_edu_load_peek", [w[0], w[2], w[4]])
    c("load edu 0x80 (24 bytes, -w 32): six 4-byte stores in ascending order (trace); edu keeps words 0, 2, 4", load32)

    def none(test, *words_):
        if s.rc(test) == 0:
            raise Fail(f"`{s.res.cmds.get(test)}` exited 0")
        err = [ln for ln in s.text(test, "err").splitlines() if ln.strip()]
        if len(err) != 1:
            raise Fail(f"expected one line on stderr, got {err[:3]}")
        if words_ and not any(w.lower() in err[0].lower() for w in words_):
            raise Fail(f"the message names none of {words_}: {err[0]!r}")
        s.expect_accesses(test, [])
    c("load 16 KiB at edu 0xffff0 (past the 1 MiB BAR): refused in one line, no access (trace)", none,
      "bulk_edu_load_past", "past", "BAR", "outside", "beyond", "0xffff0")
    c("fill --wc on edu's non-prefetchable BAR0: refused in one line, no access", none,
      "bulk_edu_fill_wc", "wc", "prefetch", "write-combining")


# --------------------------------------------------------------------------------------
def wc_checks(s) -> None:
    c = s.check
    V4 = lambda: s.base(VIRTIO, 4)  # noqa: E731

    def load(test, flush):
        s.need_rc0(test)
        want = [("w", V4() + 8, 4, 1), ("w", V4() + 0xC, 4, 1)]
        if flush:
            want.append(("r", V4(), 4))
        s.expect_accesses(test, want)
    c("load --wc into virtio BAR4 0x8 (8 bytes): two 4-byte stores, then one read of the BAR's first register (trace)",
      load, "bulk_virtio_load_wc", True)
    c("load --wc --no-flush: the two stores, no read", load, "bulk_virtio_load_wc_noflush", False)
    c("load without --wc: the two stores, no flush read", load, "bulk_virtio_load_uc", False)
