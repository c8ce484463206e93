#!/usr/bin/env bash
# pcimmio end-to-end suite: boots a Debian 6.1 kernel under QEMU (q35, TCG)
# with emulated PCI devices, runs pcimmio + oracles (lspci, memtool, dd)
# in the guest, then checks everything on the host. Two boots, run at the same
# time (one vCPU each):
#   main  the device set of Tests/QEMU/README.md, guest/run-tests.sh
#   vfio  intel-iommu + intel_iommu=on lockdown=integrity, the VFIO modules,
#         guest/run-tests-vfio.sh (work directory $WORK/vfio)
#
# Usage: Tests/QEMU/run.sh
# Environment:
#   PCIMMIO_BIN        pcimmio binary to test (default: build it with
#                      swift build -c release --static-swift-stdlib)
#   PCIMMIO_SCRATCH    --scratch-path for that build (default: SwiftPM's .build)
#   PCIMMIO_CACHE      cache root for the kernel (default ~/.cache/pcimmio)
#   PCIMMIO_QEMU_OUT   work directory for this run (default: a new /tmp/pcimmio-qemu.XXXXXX,
#                      removed after a passing run unless PCIMMIO_QEMU_KEEP=1)
#   PCIMMIO_VM_TIMEOUT seconds before the VM is killed (default 240)
#   PCIMMIO_QEMU_SERIAL=1  boot the VFIO guest after the main one instead of beside it
# Output: "ok - NAME" / "not ok - NAME: REASON" lines, then exactly one
# "N passed, N failed" line; exit status 1 if anything failed.
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
QS="$ROOT/Scripts/qemu"
T0=$(date +%s.%N)

PASSED=0
FAILED=0
ok() { echo "ok - $1"; PASSED=$((PASSED + 1)); }
notok() { echo "not ok - $1: $2"; FAILED=$((FAILED + 1)); }
finish() {
    echo "$PASSED passed, $FAILED failed"
    [ "$FAILED" -eq 0 ] && exit 0 || exit 1
}
log() { echo "# $*"; }
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}'; }

WORK="${PCIMMIO_QEMU_OUT:-}"
if [ -z "$WORK" ]; then
    WORK=$(mktemp -d /tmp/pcimmio-qemu.XXXXXX)
else
    rm -rf "$WORK"
    mkdir -p "$WORK"
fi
WORK="$(cd "$WORK" && pwd)"
log "work directory: $WORK"

# ---- host packages ---------------------------------------------------------------
# One list of packages for the whole project: Scripts/install-deps.
"$ROOT/Scripts/install-deps" test > "$WORK/apt.log" 2>&1 || log "installing packages failed (see $WORK/apt.log)"
if command -v qemu-system-x86_64 >/dev/null; then
    ok "host: qemu-system-x86_64 available ($(qemu-system-x86_64 --version | head -n1))"
else
    notok "host: qemu-system-x86_64" "QEMU is not installed and could not be installed (apt-get install qemu-system-x86 failed; see $WORK/apt.log)"
    finish
fi
if ! command -v python3 >/dev/null; then
    notok "host: python3" "python3 is needed for the host checks and could not be installed"
    finish
fi
if ! qemu-system-x86_64 -device help 2>&1 | grep -q '"edu"'; then
    notok "host: qemu devices" "this QEMU has no edu device"
    finish
fi
if ! qemu-system-x86_64 -trace help 2>&1 | grep -q '^memory_region_ops_read$'; then
    notok "host: qemu trace" "this QEMU cannot trace memory_region_ops_read (no usable trace backend)"
    finish
fi

# ---- pcimmio binary -------------------------------------------------------------------
BIN="${PCIMMIO_BIN:-}"
if [ -z "$BIN" ]; then
    if ! command -v swift >/dev/null && [ -r "$ROOT/Scripts/swift-env" ]; then
        # a non-login shell (CI) may not have the toolchain on PATH yet
        for profile in /etc/profile.d/*.sh; do [ -r "$profile" ] && . "$profile"; done
    fi
    if ! command -v swift >/dev/null; then
        notok "build: pcimmio" "swift not found and PCIMMIO_BIN not set"
        finish
    fi
    sargs=(-c release --static-swift-stdlib)
    [ -n "${PCIMMIO_SCRATCH:-}" ] && sargs+=(--scratch-path "$PCIMMIO_SCRATCH")
    t=$(date +%s.%N)
    if (cd "$ROOT" && swift build "${sargs[@]}") > "$WORK/swift-build.log" 2>&1; then
        BIN="$(cd "$ROOT" && swift build "${sargs[@]}" --show-bin-path 2>/dev/null)/pcimmio"
        ok "build: swift build ${sargs[*]} ($(elapsed "$t") s)"
    else
        tail -n 30 "$WORK/swift-build.log" | sed 's/^/# /'
        notok "build: pcimmio" "swift build failed (see $WORK/swift-build.log)"
        finish
    fi
fi
case "$BIN" in /*) ;; *) BIN="$(pwd)/$BIN" ;; esac
if [ ! -x "$BIN" ]; then
    notok "build: pcimmio" "binary $BIN not found or not executable"
    finish
fi
# Snapshot the binary: a rebuild during the run must not change what is tested.
cp "$BIN" "$WORK/pcimmio" && BIN="$WORK/pcimmio"
log "pcimmio binary: $BIN (copied from ${PCIMMIO_BIN:-the build})"

# ---- kernel + initramfs -------------------------------------------------------------
if KERNEL=$("$QS/fetch-kernel.sh" 2> "$WORK/fetch-kernel.log") &&
    MODULES=$("$QS/fetch-kernel.sh" --print-modules 2>> "$WORK/fetch-kernel.log"); then
    ok "vm: kernel $(basename "$KERNEL") with the VFIO modules"
else
    sed 's/^/# /' "$WORK/fetch-kernel.log"
    notok "vm: kernel" "could not fetch a Debian 6.1 kernel (see $WORK/fetch-kernel.log)"
    finish
fi
# vfio-tool (Tests/QEMU/vfio-tool.c) is built with cc -static: gcc and libc6-dev
if ! command -v cc >/dev/null || [ ! -e /usr/lib/x86_64-linux-gnu/libc.a ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends gcc libc6-dev >> "$WORK/apt.log" 2>&1 ||
        log "installing gcc/libc6-dev failed (see $WORK/apt.log)"
fi
if "$QS/build-initramfs.sh" --modules "$MODULES" "$BIN" "$WORK/initramfs.cpio.gz" 2> "$WORK/build-initramfs.log"; then
    ok "vm: initramfs ($(du -h "$WORK/initramfs.cpio.gz" | cut -f1))"
else
    sed 's/^/# /' "$WORK/build-initramfs.log"
    notok "vm: initramfs" "build-initramfs.sh failed"
    finish
fi

# ---- ivshmem host file with known bytes --------------------------------------------
python3 "$HERE/check.py" --make-ivshmem "$WORK/ivshmem.bin"
cp "$WORK/ivshmem.bin" "$WORK/ivshmem.initial"

# ---- the VFIO boot (beside the main one) ----------------------------------------------------
VW="$WORK/vfio"
mkdir -p "$VW"
vfio_boot() {
    local t
    t=$(date +%s.%N)
    "$QS/run-vm.sh" --profile vfio --kernel "$KERNEL" --initrd "$WORK/initramfs.cpio.gz" --workdir "$VW" \
        --timeout "${PCIMMIO_VM_TIMEOUT:-240}" > "$VW/run-vm.log" 2>&1
    echo "$? $(elapsed "$t")" > "$VW/boot.status"
}
VPID=""
if [ -z "${PCIMMIO_QEMU_SERIAL:-}" ]; then
    vfio_boot &
    VPID=$!
fi

# ---- the main boot -----------------------------------------------------------------------------
tb=$(date +%s.%N)
"$QS/run-vm.sh" --kernel "$KERNEL" --initrd "$WORK/initramfs.cpio.gz" --workdir "$WORK" \
    --ivshmem "$WORK/ivshmem.bin" --outbox "$WORK/outbox.bin" --timeout "${PCIMMIO_VM_TIMEOUT:-240}"
vmrc=$?
BOOT_S=$(elapsed "$tb")
if [ -n "$VPID" ]; then wait "$VPID"; else vfio_boot; fi
tr -d '\r' < "$WORK/console.log" > "$WORK/console.txt" 2>/dev/null || true
if [ "$vmrc" -ne 0 ]; then
    tail -n 40 "$WORK/console.txt" | sed 's/^/# /'
    sed 's/^/# qemu: /' "$WORK/qemu.stderr" 2>/dev/null
    if [ "$vmrc" = 124 ] || [ "$vmrc" = 137 ]; then
        notok "vm: boot to poweroff" "timed out after ${PCIMMIO_VM_TIMEOUT:-240} s"
    else
        notok "vm: boot to poweroff" "qemu exited with status $vmrc"
    fi
    finish
fi
endline=$(grep -a -o '=== PCIMMIO-GUEST-END rc=[0-9]* ===' "$WORK/console.txt" | tail -n1)
if [ -z "$endline" ]; then
    tail -n 40 "$WORK/console.txt" | sed 's/^/# /'
    notok "vm: boot to poweroff" "guest script did not finish (no end marker on the console)"
    finish
fi
grc=$(echo "$endline" | sed 's/.*rc=\([0-9]*\).*/\1/')
if [ "$grc" = 0 ]; then
    ok "vm: boot, guest tests, poweroff in $BOOT_S s"
else
    notok "vm: guest script" "exit status $grc"
fi

# ---- the VFIO boot's result ------------------------------------------------------------------
read -r vrc VBOOT_S < "$VW/boot.status" 2>/dev/null || { vrc=1; VBOOT_S=0; }
tr -d '\r' < "$VW/console.log" > "$VW/console.txt" 2>/dev/null || true
vend=$(grep -a -o '=== PCIMMIO-GUEST-END rc=[0-9]* ===' "$VW/console.txt" 2>/dev/null | tail -n1)
if [ "$vrc" = 0 ] && [ -n "$vend" ] && [ "$(echo "$vend" | sed 's/.*rc=\([0-9]*\).*/\1/')" = 0 ]; then
    ok "vm: VFIO boot (intel-iommu, lockdown=integrity), guest tests, poweroff in $VBOOT_S s"
else
    tail -n 20 "$VW/console.txt" 2>/dev/null | sed 's/^/# vfio: /'
    sed 's/^/# vfio: /' "$VW/run-vm.log" 2>/dev/null
    if [ "$vrc" = 124 ] || [ "$vrc" = 137 ]; then
        notok "vm: VFIO boot" "timed out after ${PCIMMIO_VM_TIMEOUT:-240} s"
    elif [ -z "$vend" ]; then
        notok "vm: VFIO boot" "qemu exited with status $vrc; the guest script did not finish"
    else
        notok "vm: VFIO boot" "guest script: $vend"
    fi
fi

# ---- host checks ------------------------------------------------------------------------
python3 "$HERE/check.py" --workdir "$WORK" --pcimmio "$BIN" \
    --pre-passed "$PASSED" --pre-failed "$FAILED" --boot-seconds "$BOOT_S" --start-time "$T0" \
    --vfio-workdir "$VW" --vfio-boot-seconds "$VBOOT_S"
rc=$?
# A passing run's own temporary directory (~60 MB) is removed; a failing one,
# or one named with PCIMMIO_QEMU_OUT, is kept for inspection.
if [ "$rc" -eq 0 ] && [ -z "${PCIMMIO_QEMU_OUT:-}" ] && [ -z "${PCIMMIO_QEMU_KEEP:-}" ]; then
    rm -rf "$WORK"
else
    log "artifacts kept in $WORK"
fi
exit $rc
