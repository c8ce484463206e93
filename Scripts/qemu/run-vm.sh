#!/usr/bin/env bash
# Boot the pcimmio test VM once (q35, TCG, no KVM) and wait for it to power off.
#
# Usage: Scripts/qemu/run-vm.sh --kernel VMLINUZ --initrd INITRD.cpio.gz \
#            --workdir DIR [--profile main|vfio|vfio-bench] [--ivshmem FILE] [--outbox FILE]
#            [--timeout SECS] [--no-trace]
#
# --profile main (default): the device set and command line below.
# --profile vfio: the VFIO boot (Tests/QEMU/guest/run-tests-vfio.sh): an emulated Intel
#   IOMMU and kernel lockdown, few devices:
#     -device intel-iommu,intremap=on   (first, before any PCI device; interrupt remapping
#                                        so vfio_iommu_type1 accepts the groups without
#                                        allow_unsafe_interrupts)
#     00:02.0 edu   00:03.0 virtio-rng-pci (disable-legacy=on: BAR1 MSI-X, BAR4 modern cfg)
#     00:07.0 pcie-root-port, no children: the trace-marker device (its 4 KiB config space
#             is read through sysfs `config`, which the kernel does through MMCONFIG)
#   command line: the main one without iomem=relaxed, plus
#     intel_iommu=on lockdown=integrity pcimmio.suite=vfio
#   No ivshmem: results come out base64 on the console (lockdown refuses the resourceN mmap
#   the outbox needs).
# --profile vfio-bench: the vfio devices without lockdown, pcimmio.suite=bench-vfio
#   (Scripts/bench/vfio; use --no-trace).
# PCIMMIO_VM_APPEND: more kernel command-line words (e.g. pcimmio.bench_runs=5).
#
# Files in DIR (created):
#   console.log   everything the guest printed on ttyS0 (QEMU stdout)
#   trace.log     memory_region_ops_read/write trace (QEMU "log" trace backend)
#   trace-events  the event list given to -trace
#   nvme.img      1 MiB raw backing image for the NVMe namespace
#   qemu.rc       QEMU's exit status (124 = timeout guard hit)
# --ivshmem FILE  1 MiB host file behind 00:04.0 BAR2 (default DIR/ivshmem.bin)
# --outbox FILE   4 MiB host file behind 00:05.0 BAR2 (default DIR/outbox.bin),
#                 the guest writes its result archive there.
#
# Slot map (see Tests/QEMU/README.md):
#   00:00.0 q35 host bridge           00:02.0 edu
#   00:03.0 nvme (serial deadbeef)    00:04.0 ivshmem-plain (test, 1 MiB)
#   00:05.0 ivshmem-plain (outbox)    00:06.0 pci-testdev (multifunction)
#   00:06.1 pvpanic-pci               00:07.0 pcie-root-port rp1 (chassis 1)
#   01:00.0 virtio-rng-pci (behind rp1, modern only)
#   00:1f.0 ICH9 LPC  00:1f.2 ICH9 AHCI  00:1f.3 ICH9 SMBus
set -euo pipefail

KERNEL="" INITRD="" WORKDIR="" IVSHMEM="" OUTBOX="" TIMEOUT="${PCIMMIO_VM_TIMEOUT:-150}" TRACE=1 PROFILE=main
while [ $# -gt 0 ]; do
    case "$1" in
        --kernel) KERNEL="$2"; shift 2 ;;
        --initrd) INITRD="$2"; shift 2 ;;
        --workdir) WORKDIR="$2"; shift 2 ;;
        --ivshmem) IVSHMEM="$2"; shift 2 ;;
        --outbox) OUTBOX="$2"; shift 2 ;;
        --timeout) TIMEOUT="$2"; shift 2 ;;
        --no-trace) TRACE=0; shift ;;
        --profile) PROFILE="$2"; shift 2 ;;
        *) echo "run-vm: unknown argument $1" >&2; exit 2 ;;
    esac
done
[ -n "$KERNEL" ] && [ -n "$INITRD" ] && [ -n "$WORKDIR" ] || {
    echo "usage: $0 --kernel VMLINUZ --initrd INITRD --workdir DIR [--ivshmem FILE] [--outbox FILE] [--timeout S] [--no-trace]" >&2
    exit 2
}
QEMU="${QEMU:-qemu-system-x86_64}"
command -v "$QEMU" >/dev/null || { echo "run-vm: $QEMU not found (apt-get install qemu-system-x86)" >&2; exit 127; }

mkdir -p "$WORKDIR"
WORKDIR="$(cd "$WORKDIR" && pwd)"
BASE_APPEND="console=ttyS0 quiet loglevel=3 panic=-1 random.trust_cpu=on"
case "$PROFILE" in
    main)
        IVSHMEM="${IVSHMEM:-$WORKDIR/ivshmem.bin}"
        OUTBOX="${OUTBOX:-$WORKDIR/outbox.bin}"
        # Sizes must match the memory-backend size exactly (QEMU refuses smaller files
        # and would otherwise grow them).
        [ -f "$IVSHMEM" ] || truncate -s 1M "$IVSHMEM"
        [ "$(stat -c %s "$IVSHMEM")" = 1048576 ] || { echo "run-vm: $IVSHMEM must be exactly 1 MiB" >&2; exit 2; }
        rm -f "$OUTBOX"; truncate -s 4M "$OUTBOX"
        rm -f "$WORKDIR/nvme.img"; truncate -s 1M "$WORKDIR/nvme.img"
        APPEND="console=ttyS0 quiet loglevel=3 panic=-1 iomem=relaxed random.trust_cpu=on"
        DEVICES=(
            -device edu,addr=0x2.0
            -drive if=none,id=nvm,file="$WORKDIR/nvme.img",format=raw
            -device nvme,serial=deadbeef,drive=nvm,addr=0x3.0
            -object memory-backend-file,id=shm,mem-path="$IVSHMEM",size=1M,share=on
            -device ivshmem-plain,memdev=shm,addr=0x4.0
            -object memory-backend-file,id=outbox,mem-path="$OUTBOX",size=4M,share=on
            -device ivshmem-plain,memdev=outbox,addr=0x5.0
            -device pci-testdev,addr=0x6.0,multifunction=on
            -device pvpanic-pci,addr=0x6.1
            -device pcie-root-port,id=rp1,bus=pcie.0,chassis=1,addr=0x7.0
            -device virtio-rng-pci,bus=rp1,addr=0x0.0
        )
        ;;
    vfio|vfio-bench)
        DEVICES=(
            -device intel-iommu,intremap=on
            -device edu,addr=0x2.0
            -device virtio-rng-pci,disable-legacy=on,addr=0x3.0
            -device pcie-root-port,id=rpm,bus=pcie.0,chassis=1,addr=0x7.0
        )
        if [ "$PROFILE" = vfio ]; then
            APPEND="$BASE_APPEND intel_iommu=on lockdown=integrity pcimmio.suite=vfio"
        else
            APPEND="$BASE_APPEND intel_iommu=on pcimmio.suite=bench-vfio"
        fi
        ;;
    *) echo "run-vm: unknown profile $PROFILE (main, vfio, vfio-bench)" >&2; exit 2 ;;
esac

TRACE_ARGS=()
if [ "$TRACE" = 1 ]; then
    printf '%s\n' memory_region_ops_read memory_region_ops_write > "$WORKDIR/trace-events"
    rm -f "$WORKDIR/trace.log"
    # Debian's QEMU uses the "log" trace backend: -trace file= is the qemu_log
    # file, text lines "memory_region_ops_read cpu 0 mr 0x... addr 0x... value 0x... size N name '...'"
    # (optionally prefixed with "PID@SECONDS.USEC:").
    TRACE_ARGS=(-trace "events=$WORKDIR/trace-events,file=$WORKDIR/trace.log")
fi

APPEND="${APPEND}${PCIMMIO_VM_APPEND:+ $PCIMMIO_VM_APPEND}"

set +e
timeout -k 5 "$TIMEOUT" "$QEMU" \
    -machine q35 -accel tcg -cpu qemu64 -smp 1 -m 512M \
    -nographic -no-reboot -vga none -nic none \
    -kernel "$KERNEL" -initrd "$INITRD" -append "$APPEND" \
    "${DEVICES[@]}" \
    "${TRACE_ARGS[@]}" \
    </dev/null >"$WORKDIR/console.log" 2>"$WORKDIR/qemu.stderr"
rc=$?
set -e
echo "$rc" > "$WORKDIR/qemu.rc"
if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
    echo "run-vm: QEMU timed out after ${TIMEOUT}s" >&2
fi
exit "$rc"
