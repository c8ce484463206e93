#!/bin/sh
# Guest side of the pcimmio QEMU end-to-end suite (busybox sh, root, initramfs).
#
# This script asserts nothing itself: it runs every command between two trace
# MARKERS, saves stdout/stderr/exit code, and ships everything to the host in
# one archive (the "outbox", a second ivshmem device whose BAR2 is a host file).
# The host (Tests/QEMU/check.py) does all the checking, against the QEMU trace,
# the ivshmem host file and the oracle outputs (lspci, setpci, memtool, dd).
#
# Marker protocol (see Tests/QEMU/README.md):
#   marker k  = one 32-bit read (busybox devmem ADDR 32, via /dev/mem) of edu BAR0 + 0x10000 + 4*k
#   k counts up from 0 across the whole run; results.txt maps k to
#   "marker k begin|end NAME". edu returns ~0 there and has no side effects.
#   With one vCPU the trace is in program order, so the accesses of test NAME
#   are exactly the trace lines strictly between its two marker reads.
#
# results.txt lines:
#   marker K begin|end NAME
#   case NAME RC T0 T1        (after each test; T0/T1 = /proc/uptime around it)
#   cmd NAME ARGS...          (the command line, for the report)
#   bar SLOT INDEX START END FLAGS   (from sysfs resource, non-empty BARs)
#   info KEY VALUE...
# Files: t/NAME.out t/NAME.err (stdout/stderr of each test)

PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH
OUT=/tmp/out
T=$OUT/t
RES=$OUT/results.txt
SYS=/sys/bus/pci/devices
P=${PCIMMIO:-/usr/bin/pcimmio}
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$T"
: > "$RES"

EDU=0000:00:02.0
NVME=0000:00:03.0
IVSHMEM=0000:00:04.0
OUTBOX=0000:00:05.0
TESTDEV=0000:00:06.0
PVPANIC=0000:00:06.1
ROOTPORT=0000:00:07.0
AHCI=0000:00:1f.2
SMBUS=0000:00:1f.3
VIRTIO=0000:01:00.0

hex() { printf '0x%x' "$1"; }

# start address of BAR $2 of device $1 (from sysfs "resource"), as 0x...
bar_start() { sed -n "$(($2 + 1))p" "$SYS/$1/resource" | cut -d' ' -f1; }

info() { echo "info $*" >> "$RES"; }

# ---- environment --------------------------------------------------------------
info kernel "$(uname -r)"
info cmdline "$(cat /proc/cmdline)"
info pcimmio "$P"
for d in "$SYS"/*; do
    s=$(basename "$d")
    i=0
    while read -r start end flags; do
        if [ "$i" -le 6 ] && { [ "$start" != 0x0000000000000000 ] || [ "$end" != 0x0000000000000000 ]; }; then
            echo "bar $s $i $start $end $flags" >> "$RES"
        fi
        i=$((i + 1))
    done < "$d/resource"
    drv=$(readlink "$d/driver" 2>/dev/null)
    info driver "$s" "${drv##*/}"
done

EDU0=$(bar_start $EDU 0)
NVME0=$(bar_start $NVME 0)
VIRTIO4=$(bar_start $VIRTIO 4)
AHCI5=$(bar_start $AHCI 5)
info edu_bar0 "$EDU0"

if [ -z "$EDU0" ] || [ "$EDU0" = 0x0000000000000000 ]; then
    echo "guest: edu BAR0 not found; cannot place trace markers" >&2
fi

SEQ=0
mark() { # begin|end NAME
    devmem "$(hex $((EDU0 + 0x10000 + SEQ * 4)))" 32 > /dev/null 2>&1
    echo "marker $SEQ $1 $2" >> "$RES"
    SEQ=$((SEQ + 1))
}

# t NAME CMD ARGS...  run CMD between markers, capture stdout/stderr/rc
# (external commands are killed after CMD_TIMEOUT seconds: rc 143)
CMD_TIMEOUT=20
t() {
    name=$1
    shift
    echo "cmd $name $*" >> "$RES"
    read -r t_begin _ < /proc/uptime
    mark begin "$name"
    case "$(type "$1" 2> /dev/null)" in
        *function*) "$@" > "$T/$name.out" 2> "$T/$name.err" ;;
        *) timeout "$CMD_TIMEOUT" "$@" > "$T/$name.out" 2> "$T/$name.err" ;;
    esac
    rc=$?
    mark end "$name"
    read -r t_end _ < /proc/uptime
    echo "case $name $rc $t_begin $t_end" >> "$RES"
    echo "guest: $name rc=$rc"
}

# dd-based I/O-port oracle: ioread FILE OFFSET WIDTH_BYTES -> prints hex bytes
ioread() { dd if="$1" bs="$3" skip=$(($2 / $3)) count=1 2> /dev/null | hexdump -v -e '1/1 "%02x "'; echo; }

# ---- trace-oracle self checks (memtool / dd only; independent of pcimmio) ------
t oracle_empty true
t oracle_memtool_b memtool md -b "$(hex $((VIRTIO4 + 0x14)))+1"
t oracle_memtool_w memtool md -w "$(hex $((VIRTIO4 + 0x12)))+2"
t oracle_memtool_l memtool md -l "$EDU0+4"
t oracle_memtool_q memtool md -q "$NVME0+8"
t oracle_memtool_l64 memtool md -l "$NVME0+0x40"
t oracle_memtool_edu_w memtool md -w "$EDU0+2"
t oracle_memtool_mw memtool mw -l "$(hex $((EDU0 + 4)))" 0x5a5a0000
t oracle_io_dd_b ioread "$SYS/$SMBUS/resource4" 0 1
t oracle_io_dd_l ioread "$SYS/$AHCI/resource4" 0 4
t oracle_sysfs_mmap memtool md -s "$SYS/$EDU/resource0" -l 0+4

# ---- enumeration ------------------------------------------------------------------
t lspci_nn lspci -nn -D
t lspci_vmm lspci -vmm -nn -D
t lspci_vmm_num lspci -vmm -n -D
t lspci_vmm_names lspci -vmm -D
t lspci_v lspci -v -D
t list_text "$P" list
t list_json "$P" list --json
t list_json_slot "$P" list --json -s 00:02.0
t list_json_vd "$P" list --json -d 1af4:1110
t list_json_mf "$P" list --json -s 00:06
for d in "$SYS"/*; do
    s=$(basename "$d")
    n=$(echo "$s" | tr ':.' '__')
    t "bars_json_$n" "$P" bars "$s" --json
done
t bars_text_edu "$P" bars 00:02.0
t bars_json_by_id "$P" bars 1234:11e8 --json

# ---- edu ---------------------------------------------------------------------
t edu_id_peek "$P" peek $EDU 0 0x00
t edu_id_peek_short "$P" peek 00:02.0 bar0 0x0
t edu_id_peek_vd "$P" peek 1234:11e8 0 0x0
t edu_id_memtool memtool md -l "$EDU0+4"
t edu_live_poke "$P" poke $EDU 0 0x04 0x12345678
t edu_live_peek "$P" peek $EDU 0 0x04
t edu_dryrun_poke "$P" poke $EDU 0 0x04 0xdeadbeef --dry-run
t edu_dryrun_after "$P" peek $EDU 0 0x04
t edu_verify_mismatch "$P" poke $EDU 0 0x04 0x0f0f0f0f --verify

edu_factorial() {
    timeout "$CMD_TIMEOUT" "$P" poke $EDU 0 0x08 0xa || return 1
    i=0
    while [ $i -lt 200 ]; do
        s=$(timeout "$CMD_TIMEOUT" "$P" peek $EDU 0 0x20) || return 1
        [ $((s & 1)) -eq 0 ] && break
        i=$((i + 1))
    done
    echo "polls $i" >&2
    timeout "$CMD_TIMEOUT" "$P" peek $EDU 0 0x08
}
t edu_factorial edu_factorial

t edu_trace_opt "$P" --trace "$T/edu_trace_opt.log" peek $EDU 0 0x00

# ---- widths (virtio common config for 8/16/32, nvme CAP for 64) ------------------
t width8 "$P" peek $VIRTIO 4 0x14 -w 8
t width16 "$P" peek $VIRTIO 4 0x12 -w 16
t width32 "$P" peek $VIRTIO 4 0x00 -w 32
t width64 "$P" peek $NVME 0 0x00 -w 64
t nvme_cap_lo "$P" peek $NVME 0 0x00 -w 32
t nvme_cap_hi "$P" peek $NVME 0 0x04 -w 32
t nvme_cap_memtool memtool md -q "$NVME0+8"
t peek_count "$P" peek $NVME 0 0x00 -w 32 -n 4
t peek_json "$P" peek $NVME 0 0x00 -w 32 -n 2 --json
t poke_w8 "$P" poke $VIRTIO 4 0x14 0x0 -w 8
t poke_w16 "$P" poke $VIRTIO 4 0x16 0x0 -w 16
t poke_w32 "$P" poke $VIRTIO 4 0x08 0x11223344 -w 32
t poke_w32_peek "$P" peek $VIRTIO 4 0x08 -w 32
t poke_mask "$P" poke $VIRTIO 4 0x08 0x0000ff00 --mask 0x0000ff00
t poke_mask_peek "$P" peek $VIRTIO 4 0x08
t poke_verify_ok "$P" poke $VIRTIO 4 0x00 0x1 --verify
t poke_w64 "$P" poke $NVME 0 0x28 0x0000000112345000 -w 64
t poke_w64_peek "$P" peek $NVME 0 0x28 -w 64

# ---- dump vs memtool ------------------------------------------------------------
t dump_edu_hex "$P" dump $EDU 0 0+0x40 -w 32
t dump_edu_memtool memtool md -l "$EDU0+0x40"
t dump_nvme_hex "$P" dump $NVME 0 0+0x40 -w 32
t dump_nvme_memtool memtool md -l "$NVME0+0x40"
t dump_nvme_raw "$P" dump $NVME 0 0+0x40 -w 32 --format raw -o "$T/dump_nvme_raw.bin"
t dump_nvme_json "$P" dump $NVME 0 0+0x40 -w 32 --format json
t dump_nvme_w64 "$P" dump $NVME 0 0x0-0x3f -w 64
t dump_nvme_memtool_q memtool md -q "$NVME0+0x40"
t dump_virtio_w8 "$P" dump $VIRTIO 4 0+0x10 -w 8
t dump_virtio_memtool_b memtool md -b "$VIRTIO4+0x10"
t dump_ahci_abar "$P" dump $AHCI 5 0+0x20 -w 32
t dump_ahci_memtool memtool md -l "$AHCI5+0x20"

# ---- ivshmem: the BAR2 is a host file the host pre-filled --------------------------
IV2=$SYS/$IVSHMEM/resource2
t ivshmem_dump_head "$P" dump $IVSHMEM 2 0+0x100 --format raw -o "$T/ivshmem_dump_head.bin"
t ivshmem_dump_hex "$P" dump $IVSHMEM 2 0x80000+0x40 -w 8
t ivshmem_memtool_head memtool md -s "$IV2" -b 0+0x100
t ivshmem_peek64 "$P" peek $IVSHMEM 2 0x0 -w 64 -n 2
t ivshmem_poke32 "$P" poke $IVSHMEM 2 0x1000 0xcafef00d -w 32
t ivshmem_poke8 "$P" poke $IVSHMEM 2 0x1007 0x5a -w 8
t ivshmem_poke16 "$P" poke $IVSHMEM 2 0x100a 0xbeef -w 16
t ivshmem_poke64 "$P" poke $IVSHMEM 2 0x1010 0x0123456789abcdef -w 64
t ivshmem_poke_mask "$P" poke $IVSHMEM 2 0x1020 0x000000ff --mask 0x000000ff -w 32
t ivshmem_poke_dryrun "$P" poke $IVSHMEM 2 0x1030 0xffffffff --dry-run
t ivshmem_poke_verify "$P" poke $IVSHMEM 2 0x1040 0x600dc0de --verify
t ivshmem_wc_poke "$P" poke $IVSHMEM 2 0x2000 0x11223344 --wc
t ivshmem_wc_poke64 "$P" poke $IVSHMEM 2 0x2008 0x8877665544332211 -w 64 --wc
t ivshmem_wc_dump "$P" dump $IVSHMEM 2 0x1000+0x1100 --format raw --wc -o "$T/ivshmem_wc_dump.bin"
t ivshmem_uc_dump "$P" dump $IVSHMEM 2 0x1000+0x1100 --format raw -o "$T/ivshmem_uc_dump.bin"
t ivshmem_wc_dump_area "$P" dump $IVSHMEM 2 0x2000+0x10 --wc -w 32
t ivshmem_memtool_area memtool md -s "$IV2" -l 0x1000+0x50
t ivshmem_memtool_wc memtool md -s "$SYS/$IVSHMEM/resource2_wc" -l 0x2000+0x10

# ---- I/O-port BARs ---------------------------------------------------------------
t io_smbus_peek8 "$P" peek $SMBUS 4 0x0 -w 8
t io_smbus_dd ioread "$SYS/$SMBUS/resource4" 0 1
t io_smbus_poke8 "$P" poke $SMBUS 4 0x3 0x5a -w 8
t io_smbus_peek8_after "$P" peek $SMBUS 4 0x3 -w 8
t io_ahci_peek32 "$P" peek $AHCI 4 0x0 -w 32
# ICH9 AHCI BAR4 = index/data pair at 0x10/0x14 (QEMU ICH9_IDP_INDEX)
t io_ahci_idx_poke "$P" poke $AHCI 4 0x10 0x4 -w 32
t io_ahci_data_peek "$P" peek $AHCI 4 0x14 -w 32
t io_ahci_abar_ghc memtool md -l "$(hex $((AHCI5 + 4)))+4"
t io_testdev_peek8 "$P" peek $TESTDEV 1 0x0 -w 8

# ---- error handling (must fail without touching the device) ------------------------
t err_out_of_range "$P" peek $EDU 0 0x100000
t err_no_such_bar "$P" peek $EDU 1 0x0
t err_ambiguous "$P" peek 1af4:1110 0 0x0
t err_no_device "$P" peek 00:1e.0 0 0x0
t err_bad_width "$P" peek $EDU 0 0x0 -w 12

# ---- register maps (Maps/*.json, at /maps in the initramfs) ------------------------
# Checked in Tests/QEMU/check_scripting.py. Runs after everything above, so edu's
# state (LIVENESS, FACTORIAL) changes only here from now on.
MAPS=/maps
EDUMAP=$MAPS/qemu-edu.json
NVMEMAP=$MAPS/nvme.json
info maps "$(cd $MAPS 2> /dev/null && echo *.json)"
t map_peek_id "$P" --map $EDUMAP peek 00:02.0 0 ID --decode
t map_peek_status_env env PCIMMIO_MAPS=$MAPS "$P" peek 00:02.0 0 STATUS
t map_peek_dmacmd "$P" peek $EDU 0 DMA_CMD --map $EDUMAP --decode
t map_peek_nvme_cap env PCIMMIO_MAPS=$MAPS "$P" peek $NVME 0 CAP
t map_peek_nvme_cc env PCIMMIO_MAPS=$MAPS "$P" peek $NVME 0 CC --decode
t map_peek_unknown "$P" --map $EDUMAP peek $EDU 0 NO_SUCH_REGISTER
t map_poke_named "$P" --map $EDUMAP poke $EDU 0 LIVENESS 0x00ff00ff
t map_poke_named_peek env PCIMMIO_MAPS=$MAPS "$P" peek $EDU 0 LIVENESS
# field pokes: one read-modify-write of the register at its own width
t map_poke_irq_on "$P" --map $EDUMAP poke 00:02.0 0 STATUS.IRQ_ON_DONE=ON
t map_poke_irq_off "$P" --map $EDUMAP poke 00:02.0 0 STATUS.IRQ_ON_DONE=OFF
# (DMA_CMD.START stays 0: edu ignores DMA_CMD writes without START)
t map_poke_dmacmd "$P" --map $EDUMAP poke $EDU 0 DMA_CMD.DIRECTION=EDU_TO_RAM DMA_CMD.IRQ=0
t map_poke_nvme_dry env PCIMMIO_MAPS=$MAPS "$P" poke 00:03.0 0 CC.SHN=NONE --dry-run
t map_poke_nvme_aqa "$P" --map $NVMEMAP poke $NVME 0 AQA.ASQS=0x1f AQA.ACQS=0x1f
t map_peek_nvme_aqa env PCIMMIO_MAPS=$MAPS "$P" peek $NVME 0 AQA
# dump with a map: every readable register once at its width, wo registers skipped
t map_dump_edu "$P" --map $EDUMAP dump 00:02.0 0 0+0x100 --decode
t map_dump_edu_side "$P" --map $EDUMAP dump $EDU 0 0x60+8 --decode --include-side-effects
t map_dump_nvme env PCIMMIO_MAPS=$MAPS "$P" dump $NVME 0 0+0x38 --decode

# ---- wait / watch ---------------------------------------------------------------
t wait_fact_poke "$P" poke $EDU 0 0x08 0x5
t wait_mask "$P" wait 00:02.0 0 0x20 --mask 0x1 --value 0 --timeout 2s
t wait_fact_peek "$P" peek $EDU 0 0x08
t wait_until_poke "$P" poke $EDU 0 0x08 0x6
t wait_until "$P" --map $EDUMAP wait 00:02.0 0 --until STATUS.COMPUTING=IDLE
t wait_until_peek env PCIMMIO_MAPS=$MAPS "$P" peek $EDU 0 FACTORIAL
t wait_named64 "$P" --map $EDUMAP wait $EDU 0 DMA_CMD --mask 0x1 --value 0
t wait_timeout "$P" wait 00:02.0 0 0x0 --mask 0xff --value 0x12 --timeout 50ms
t watch_still "$P" watch 00:02.0 0 0x4+4 --interval 10ms --count 3

# ---- run scripts (Tests/QEMU/guest/scripts, at /tests/scripts) -----------------------
SCRIPTS=$HERE/scripts
run_stdin() { # FILE: pcimmio run - < FILE
    timeout "$CMD_TIMEOUT" "$P" run - < "$1"
}
yes 'peek 00:02.0 0 0x0' | head -n 1000 > /tmp/peek1000.run
t run_factorial "$P" --map $EDUMAP run $SCRIPTS/edu-factorial.run
t run_stdin_1000 run_stdin /tmp/peek1000.run
t run_dry "$P" run --dry-run $SCRIPTS/edu-pokes.run --map $EDUMAP
t run_dry_after "$P" peek $EDU 0 0x04
t run_error "$P" run $SCRIPTS/edu-error.run
t run_runtime_error "$P" run $SCRIPTS/edu-runtime-error.run
t run_keep_going "$P" run --keep-going $SCRIPTS/edu-error.run
t run_syntax "$P" run $SCRIPTS/edu-syntax.run

# ---- snapshot / diff (edu with its map) -------------------------------------------------
t snap_before "$P" --map $EDUMAP snapshot 00:02.0 -o "$T/snap_before.json"
t snap_same "$P" --map $EDUMAP diff "$T/snap_before.json" live
t snap_poke "$P" --map $EDUMAP poke 00:02.0 0 LIVENESS 0x11111111
t snap_after "$P" --map $EDUMAP snapshot 00:02.0 -o "$T/snap_after.json"
t snap_diff "$P" --map $EDUMAP diff "$T/snap_before.json" "$T/snap_after.json"

# ---- /dev/mem: `phys ADDRESS` (checked in check.py phys_checks) -------------------------
# The same registers by physical address, next to the sysfs path and memtool.
PE=$(hex $((EDU0)))
t phys_peek_id "$P" peek phys "$PE"
t phys_peek_w8 "$P" peek phys "$(hex $((VIRTIO4 + 0x14)))" -w 8
t phys_peek_w16 "$P" peek phys "$(hex $((VIRTIO4 + 0x12)))" -w 16
t phys_peek_w64 "$P" peek phys "$(hex $((NVME0)))" -w 64
t phys_peek_edu_w16 "$P" peek phys "$(hex $((EDU0 + 4)))" -w 16
t phys_poke_live "$P" poke phys "$(hex $((EDU0 + 4)))" 0x1
t phys_peek_live "$P" peek phys "$(hex $((EDU0 + 4)))"
t phys_peek_live_sysfs "$P" peek $EDU 0 0x4
t phys_live_memtool memtool md -l "$(hex $((EDU0 + 4)))+4"
t phys_verify_mismatch "$P" poke phys "$(hex $((EDU0 + 4)))" 0x1 --verify
t phys_verify_ok "$P" poke phys "$(hex $((VIRTIO4 + 0x08)))" 0x5 --verify
t phys_poke_w16 "$P" poke phys "$(hex $((VIRTIO4 + 0x16)))" 0x0 -w 16
t phys_dump "$P" dump phys "$PE+0x20"
t phys_dump_sysfs "$P" dump $EDU 0 0+0x20
t phys_dump_memtool memtool md -l "$EDU0+0x20"
t phys_wait_poke "$P" poke phys "$(hex $((EDU0 + 8)))" 0x4
t phys_wait "$P" wait phys "$(hex $((EDU0 + 0x20)))" --mask 1 --value 0
t phys_wait_peek "$P" peek $EDU 0 0x8
printf 'peek phys %s\npoke phys %s 0x3\nwait phys %s --mask 1 --value 0\npeek phys %s\n' \
    "$PE" "$(hex $((EDU0 + 8)))" "$(hex $((EDU0 + 0x20)))" "$(hex $((EDU0 + 8)))" > /tmp/phys.run
t phys_run "$P" run /tmp/phys.run
t phys_trace "$P" --trace "$T/phys_trace.log" peek phys "$PE"
t phys_ram "$P" peek phys 0x100000
if command -v strace > /dev/null; then
    t phys_ram_strace strace -f -e trace=open,openat -o "$T/phys_ram_strace.log" "$P" peek phys 0x100000
fi
# no IOMMU, no vfio modules in this boot: --via vfio and bind must say what is missing
t err_vfio_no_iommu "$P" peek $EDU 0 0x0 --via vfio

# ---- config space (issue 9; checked in check_config.py) ----------------------------
# The same setpci operations through pcimmio config and the guest's setpci, dumps next
# to lspci -xxx/-xxxx, caps next to lspci -vvv. Read-only first, then writes on edu.
info setpci "$(command -v setpci)"
CFG_OPS_NVME="COMMAND STATUS VENDOR_ID.l 10.l 0x14.L CAP_EXP+2.w CAP10+8.W CAP_EXP+0xa.w CAP_MSIX+2.w CAP_MSIX+4.l CAP_PM+4.w 3c.b INTERRUPT_PIN REVISION CLASS_DEVICE"
CFG_OPS_ROOTPORT="COMMAND VENDOR_ID.l PRIMARY_BUS SECONDARY_BUS SUBORDINATE_BUS MEMORY_BASE MEMORY_LIMIT BRIDGE_CONTROL CAP_EXP+2.w CAP_EXP+12.w CAP_EXP+14.l CAP_MSIX+2.w ECAP_AER.l ECAP_AER+4.l ECAP_AER+8.l ECAP0001+10.l ECAP_AER+14.l ECAP_ACS.l ECAP_ACS+4.w"
CFG_OPS_VIRTIO="COMMAND VENDOR_ID.l 14.l 20.l SUBSYSTEM_VENDOR_ID CAP_EXP+2.w CAP_EXP+8.w CAP_MSIX+2.w CAP_MSIX+4.l CAP_PM+4.w CAP_VNDR+3.b CAP09+2.b"
CFG_OPS_AHCI="COMMAND VENDOR_ID.l 24.l CAP_MSI.w CAP_MSI+2.w CAP12.l CAP12+4.l INTERRUPT_LINE"
CFG_OPS_EDU="COMMAND VENDOR_ID.l 10.l CAP_MSI.w CAP_MSI+2.w CAP_MSI+4.l CACHE_LINE_SIZE INTERRUPT_PIN REVISION"
for dev in NVME ROOTPORT VIRTIO AHCI EDU; do
    eval "slot=\$$dev ops=\$CFG_OPS_$dev"
    n=$(echo "$dev" | tr 'A-Z' 'a-z')
    info cfg_ops "$n" "$slot" "$ops"
    # shellcheck disable=SC2086
    t "cfg_read_$n" "$P" config "$slot" $ops
    # shellcheck disable=SC2086
    t "cfg_setpci_$n" setpci -s "$slot" $ops
    t "cfg_dump_$n" "$P" config "$slot" --dump -xxx
done
t cfg_lspci_xxx lspci -xxx -D
t cfg_read_json "$P" config $EDU COMMAND VENDOR_ID.l --json
# a capability present more than once: setpci's @N (0-based) comes last, after the width
t cfg_instance "$P" config $VIRTIO CAP_VNDR+3.b@1 CAP_VNDR+3.b@3
t cfg_instance_setpci setpci -s $VIRTIO CAP_VNDR+3.b@1 CAP_VNDR+3.b@3
t cfg_dump4k_rootport "$P" config $ROOTPORT --dump -xxxx
t cfg_lspci_4k_rootport lspci -xxxx -s $ROOTPORT
t cfg_dump64_virtio "$P" config $VIRTIO --dump -x
t caps_lspci_vvv lspci -vvv -D
for dev in NVME ROOTPORT VIRTIO AHCI EDU; do
    eval "slot=\$$dev"
    n=$(echo "$dev" | tr 'A-Z' 'a-z')
    t "caps_json_$n" "$P" caps "$slot" --json
done
t caps_text_rootport "$P" caps $ROOTPORT
# writes, on edu (unbound; QEMU's wmask makes CACHE_LINE_SIZE, COMMAND's DisINTx and the
# MSI address registers writable; MSI stays disabled): each then read by setpci
t cfg_w_before setpci -s $EDU CACHE_LINE_SIZE COMMAND CAP_MSI+4.l CAP_MSI+8.l
t cfg_w_cls "$P" config $EDU CACHE_LINE_SIZE=5a
t cfg_w_cmd "$P" config $EDU COMMAND=400:400
t cfg_w_multi "$P" config $EDU CAP_MSI+4.l=fee01000,00000002
t cfg_w_setpci setpci -s $EDU CACHE_LINE_SIZE COMMAND CAP_MSI+4.l CAP_MSI+8.l
t cfg_w_dry "$P" config $EDU CACHE_LINE_SIZE=33 COMMAND=0:400 -D
# a bad operand after a good write: nothing written at all (cfg_bad_after also shows
# that the dry run wrote nothing)
t cfg_bad_offset "$P" config $EDU CACHE_LINE_SIZE=77 100.l
t cfg_bad_cap "$P" config $EDU CACHE_LINE_SIZE=77 CAP_EXP+2.w
t cfg_bad_value "$P" config $EDU CACHE_LINE_SIZE=77 COMMAND=12345
t cfg_bad_align "$P" config $EDU CACHE_LINE_SIZE=77 COMMAND+1.w
t cfg_bad_after setpci -s $EDU CACHE_LINE_SIZE COMMAND
# put back what the writes changed (setpci, the oracle)
cfg_restore() {
    set -- $(cat "$T/cfg_w_before.out")
    setpci -s $EDU CACHE_LINE_SIZE="$1" COMMAND="$2" CAP_MSI+4.l="$3" CAP_MSI+8.l="$4"
    setpci -s $EDU CACHE_LINE_SIZE COMMAND CAP_MSI+4.l CAP_MSI+8.l
}
t cfg_restore cfg_restore

# ---- load / fill / multi-value poke (issue 13; checked in check_bulk.py) ----------------
# ivshmem BAR2 (RAM: the host file is the oracle, nothing is traced), edu's DMA address
# registers 0x80/0x88/0x90 (read/write scratch, 4- and 8-byte, traced) and virtio's
# driver-feature pair at BAR4+0x8 (prefetchable, resource4_wc: the --wc flush read is traced).
LOADBIN=$HERE/data/load-16k.bin
info loadbin "$LOADBIN" "$(wc -c < "$LOADBIN" 2> /dev/null)"
head -c 24 "$LOADBIN" > /tmp/load24.bin
printf 'abc' > /tmp/load3.bin
printf '\001\000\000\000\001\000\000\000' > /tmp/gf.bin
load_stdin() { # DEVICE BAR OFFSET FILE ARGS...: load from standard input
    d=$1 b=$2 o=$3 f=$4
    shift 4
    timeout "$CMD_TIMEOUT" "$P" load "$d" "$b" "$o" - "$@" < "$f"
}
t bulk_iv_load "$P" load $IVSHMEM 2 0x10000 "$LOADBIN"
t bulk_iv_load_wc "$P" load $IVSHMEM 2 0x20000 "$LOADBIN" --wc -w 64
t bulk_iv_load_stdin load_stdin $IVSHMEM 2 0x30000 "$LOADBIN" -w 16
t bulk_iv_load_verify "$P" load $IVSHMEM 2 0x34000 "$LOADBIN" -w 8 --verify
t bulk_iv_fill "$P" fill $IVSHMEM 2 0x40000+0x1000 0x11223344 --increment 0x01010101
t bulk_iv_fill_w8 "$P" fill $IVSHMEM 2 0x41000+0x200 0xf0 --increment 1 -w 8
t bulk_iv_fill_wc "$P" fill $IVSHMEM 2 0x42000-0x427ff 0xa5a5a5a55a5a5a5a -w 64 --wc
t bulk_iv_poke "$P" poke $IVSHMEM 2 0x43000 0x11111111 0x22222222 0x33333333
t bulk_iv_poke16 "$P" poke $IVSHMEM 2 0x43010 0xaaaa 0xbbbb 0xcccc -w 16
t bulk_iv_dump "$P" dump $IVSHMEM 2 0x10000+0x4000 --format raw -o "$T/bulk_iv_dump.bin"
t bulk_iv_dump_wc "$P" dump $IVSHMEM 2 0x20000+16k --format raw --wc -o "$T/bulk_iv_dump_wc.bin"
t bulk_iv_load_past "$P" load $IVSHMEM 2 0xffffc "$LOADBIN"
t bulk_iv_load_odd "$P" load $IVSHMEM 2 0x44000 /tmp/load3.bin
t bulk_iv_load_missing "$P" load $IVSHMEM 2 0x44000 /tmp/no-such-file.bin
t bulk_edu_fill "$P" fill $EDU 0 0x80+0x18 0x1000 --increment 0x10 -w 64
t bulk_edu_fill_peek "$P" peek $EDU 0 0x80 -w 64 -n 3
t bulk_edu_poke "$P" poke $EDU 0 0x80 0xa1 0xb2 0xc3 -w 64
t bulk_edu_poke32 "$P" poke $EDU 0 0x80 0x11 0x22 0x33 0x44
t bulk_edu_load64 "$P" load $EDU 0 0x80 /tmp/load24.bin -w 64 --verify
t bulk_edu_load32 "$P" load $EDU 0 0x80 /tmp/load24.bin
t bulk_edu_load_peek "$P" peek $EDU 0 0x80 -w 64 -n 3
t bulk_edu_load_past "$P" load $EDU 0 0xffff0 "$LOADBIN"
t bulk_edu_fill_wc "$P" fill $EDU 0 0x80+0x18 0x1 --wc
t bulk_virtio_load_wc "$P" load $VIRTIO 4 0x8 /tmp/gf.bin --wc
t bulk_virtio_load_wc_noflush "$P" load $VIRTIO 4 0x8 /tmp/gf.bin --wc --no-flush
t bulk_virtio_load_uc "$P" load $VIRTIO 4 0x8 /tmp/gf.bin

# ---- device health on the real kernel (issue 9; check_config.py) ---------------------------
# edu's Memory Space bit cleared with setpci, then pcimmio peeks (and must warn), then
# pcimmio turns decoding back on. The trace markers are edu reads, so each "decoding
# off" window is one test; its steps write their own files (t/NAME.peek_out, .peek_err,
# .json_out, .json_err, .fix_out, .fix_err, .cmd_off, .cmd_after). A safety net re-enables
# edu with setpci (and says so) if pcimmio did not, so the end marker and everything
# after still reach edu.
health_window() { # NAME FIX...: clear MEM, peek, peek --json, run FIX, read COMMAND
    hn=$1
    shift
    setpci -s $EDU COMMAND=0:2 || echo "setpci clear failed" >&2
    setpci -s $EDU COMMAND > "$T/$hn.cmd_off"
    timeout "$CMD_TIMEOUT" "$P" peek $EDU 0 0 > "$T/$hn.peek_out" 2> "$T/$hn.peek_err"
    echo "peek rc=$?"
    timeout "$CMD_TIMEOUT" "$P" peek $EDU 0 0 --json > "$T/$hn.json_out" 2> "$T/$hn.json_err"
    echo "json rc=$?"
    timeout "$CMD_TIMEOUT" "$@" > "$T/$hn.fix_out" 2> "$T/$hn.fix_err"
    echo "fix rc=$?"
    c=$(setpci -s $EDU COMMAND)
    echo "$c" > "$T/$hn.cmd_after"
    if [ $((0x$c & 2)) -eq 0 ]; then
        setpci -s $EDU COMMAND=2:2
        echo "safety net: Memory Space still clear after the fix; re-enabled with setpci"
    fi
}
t health_enable health_window health_enable "$P" enable $EDU
t health_enable_peek "$P" peek $EDU 0 0
t health_config health_window health_config "$P" config $EDU COMMAND.W=0x2:0x2
t health_config_peek "$P" peek $EDU 0 0
t health_config_json "$P" peek $EDU 0 0 --json

# ---- sysfs capture ---------------------------------------------------------------
if [ -f "$HERE/capture-sysfs.sh" ]; then
    t sysfs_capture sh "$HERE/capture-sysfs.sh" "$OUT/sysfs-capture"
else
    echo "case sysfs_capture missing" >> "$RES"
fi

# ---- VFIO without an IOMMU (checked in check.py vfio_diagnosis_checks) --------------------
# Last, after the sysfs capture: it loads the vfio modules into this boot.
drvstate() {
    drv=$(readlink "$SYS/$1/driver" 2> /dev/null)
    echo "driver=${drv##*/} override=$(cat "$SYS/$1/driver_override" 2> /dev/null)"
}
load_modules() {
    M=/lib/modules/$(uname -r)
    [ -f "$M/vfio-modules.order" ] || { echo "no $M/vfio-modules.order" >&2; return 1; }
    while read -r m; do
        insmod "$M/$m" || { echo "insmod $m failed" >&2; return 1; }
    done < "$M/vfio-modules.order"
    ls /dev/vfio
}
t err_bind_no_module "$P" bind 00:02.0 vfio-pci
t err_bind_no_module_state drvstate $EDU
t vfio_modules_no_iommu load_modules
t err_bind_no_iommu "$P" bind 00:02.0 vfio-pci
t err_bind_no_iommu_state drvstate $EDU
info end ok

# ---- ship results to the host ------------------------------------------------------
cp /proc/iomem "$OUT/iomem.txt"
cp /proc/ioports "$OUT/ioports.txt"
dmesg > "$OUT/dmesg.txt" 2>/dev/null

ARCHIVE=/tmp/outbox.tgz
tar -czf "$ARCHIVE" -C /tmp out || exit 3

# Outbox layout (BAR2 of $OUTBOX, a 4 MiB host file):
#   0x0000  "PCIMBOX1" (8 bytes), u32 LE payload size, "DONE" (written last)
#   0x1000  payload (gzip'd tar of /tmp/out), padded to 4 bytes
outbox_write() {
    f=$1
    dev=$SYS/$OUTBOX/resource2
    [ -e "$dev" ] || return 1
    size=$(wc -c < "$f")
    [ "$size" -le $((4 * 1024 * 1024 - 0x1000)) ] || return 1
    pad=$(((4 - size % 4) % 4))
    [ $pad -gt 0 ] && dd if=/dev/zero bs=1 count=$pad >> "$f" 2> /dev/null
    total=$(wc -c < "$f")
    chunk=0
    while [ $((chunk * 4096)) -lt "$total" ]; do
        words=$(dd if="$f" bs=4096 skip=$chunk count=1 2> /dev/null | hexdump -v -e '1/4 "0x%08x "')
        # shellcheck disable=SC2086
        memtool mw -l -d "$dev" $((0x1000 + chunk * 4096)) $words > /dev/null || return 1
        chunk=$((chunk + 1))
    done
    memtool mw -l -d "$dev" 0 0x4d494350 0x31584f42 "$size" > /dev/null || return 1
    memtool mw -l -d "$dev" 12 0x454e4f44 > /dev/null || return 1
}

if outbox_write "$ARCHIVE"; then
    echo "guest: outbox written ($(wc -c < "$ARCHIVE") bytes)"
else
    echo "guest: outbox write failed; falling back to the console"
    echo "=== PCIMMIO-OUTBOX-BASE64-BEGIN ==="
    base64 "$ARCHIVE"
    echo "=== PCIMMIO-OUTBOX-BASE64-END ==="
fi
exit 0
