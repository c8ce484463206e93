#!/bin/sh
# Guest side of the QEMU suite's second boot: VFIO under kernel lockdown
# (busybox sh, root, initramfs; chosen by pcimmio.suite=vfio on the kernel command line).
#
# The VM (Scripts/qemu/run-vm.sh --profile vfio): q35 + intel-iommu (intremap=on),
# intel_iommu=on lockdown=integrity; 00:02.0 edu, 00:03.0 virtio-rng (modern only),
# 00:07.0 an empty pcie-root-port used only for the trace markers.
#
# Like run-tests.sh this asserts nothing: it runs every command between two trace
# markers and ships stdout/stderr/rc to the host (Tests/QEMU/check_vfio.py checks).
#
# Markers: lockdown refuses /dev/mem (busybox devmem) and the mmap of resourceN files,
# so the main boot's markers (reads of edu BAR0 + 0x10000 + 4k) cannot be made here.
# Instead marker k = one 4-byte read of the marker device's sysfs `config` file at
# offset 0x800 + 4k (k < 512). Reading config space is allowed under lockdown (writing
# is not); offsets >= 0x100 of a PCIe function's 4 KiB config space go through
# MMCONFIG, so each marker is exactly one trace line
#   memory_region_ops_read ... addr MMCONFIG+(bus<<20|dev<<15|fn<<12)+0x800+4k size 4 name 'pcie-mmcfg-mmio'
# (MMCONFIG from /proc/iomem). results.txt records the scheme as
#   info marker_region pcie-mmcfg-mmio / info marker_base 0x... / info marker_limit 0x...
# Nothing else reads that device's config space past 0x100 except its AER capability
# at 0x100-0x147 (the kernel, at power-off), far from the markers.
#
# Results: /dev/mem and resourceN mmaps being refused, the outbox cannot be written;
# the archive goes out base64 on the console (check.py's fallback reader).

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
VIRTIO=0000:00:03.0
MARKDEV=0000:00:07.0
EDUMAP=/maps/qemu-edu.json

hex() { printf '0x%x' "$1"; }
bar_start() { sed -n "$(($2 + 1))p" "$SYS/$1/resource" | cut -d' ' -f1; }
info() { echo "info $*" >> "$RES"; }

# ---- environment --------------------------------------------------------------
info kernel "$(uname -r)"
info cmdline "$(cat /proc/cmdline)"
info pcimmio "$P"
info lockdown "$(cat /sys/kernel/security/lockdown 2> /dev/null || echo unavailable)"
for d in "$SYS"/*; do
    s=$(basename "$d")
    i=0
    while read -r start end flags; do
        if [ "$i" -le 6 ] && { [ "$start" != 0x0000000000000000 ] || [ "$end" != 0x0000000000000000 ]; }; then
            echo "bar $s $i $start $end $flags" >> "$RES"
        fi
        i=$((i + 1))
    done < "$d/resource"
    drv=$(readlink "$d/driver" 2> /dev/null)
    info driver "$s" "${drv##*/}"
done
for g in /sys/kernel/iommu_groups/*; do
    [ -d "$g/devices" ] && info iommu_group "$(basename "$g")" $(ls "$g/devices")
done
EDU0=$(bar_start $EDU 0)
info edu_bar0 "$EDU0"

# marker device's config space in MMCONFIG
MMCFG=$(sed -n 's/^ *\([0-9a-f]*\)-[0-9a-f]* : PCI MMCONFIG 0000 .*/\1/p' /proc/iomem | head -n1)
bus=$(echo $MARKDEV | cut -d: -f2)
devfn=$(echo $MARKDEV | cut -d: -f3)
dev=${devfn%.*}
fn=${devfn#*.}
MARKCFG=$((0x$MMCFG + (0x$bus << 20) + (0x$dev << 15) + (fn << 12)))
info marker_region pcie-mmcfg-mmio
info marker_base "$(hex $((MARKCFG + 0x800)))"
info marker_limit "$(hex $((MARKCFG + 0x1000)))"
info marker_device "$MARKDEV config 0x800"
if [ -z "$MMCFG" ] || [ "$(stat -c %s $SYS/$MARKDEV/config)" -lt 4096 ]; then
    echo "guest: no MMCONFIG or no 4 KiB config space on $MARKDEV; markers will be missing" >&2
fi

SEQ=0
mark() { # begin|end NAME
    dd if=$SYS/$MARKDEV/config of=/dev/null bs=4 skip=$((0x200 + SEQ)) count=1 2> /dev/null
    echo "marker $SEQ $1 $2" >> "$RES"
    SEQ=$((SEQ + 1))
}

CMD_TIMEOUT=30
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

# driver link and driver_override of a device, one line
drvstate() {
    drv=$(readlink "$SYS/$1/driver" 2> /dev/null)
    echo "driver=${drv##*/} override=$(cat "$SYS/$1/driver_override" 2> /dev/null)"
}

load_modules() {
    M=/lib/modules/$(uname -r)
    [ -f "$M/vfio-modules.order" ] || { echo "no $M/vfio-modules.order" >&2; return 1; }
    while read -r m; do
        insmod "$M/$m" || { echo "insmod $m failed" >&2; return 1; }
        echo "insmod $m"
    done < "$M/vfio-modules.order"
    cat /proc/modules
    ls /dev/vfio
}

# ---- trace-oracle self checks ------------------------------------------------------
t oracle_empty true
t oracle_devmem_refused devmem "$EDU0" 32
t oracle_sysfs_mmap_refused memtool md -s "$SYS/$EDU/resource0" -l 0+4
t lockdown_state cat /sys/kernel/security/lockdown

# ---- before the modules: the VFIO path explains what is missing ----------------------
t vfio_no_modules "$P" peek 00:02.0 0 0 --via vfio
t bind_no_modules "$P" bind 00:02.0 vfio-pci
t bind_no_modules_state drvstate $EDU

t modules load_modules

# ---- lockdown: the sysfs path is refused with a diagnosis ----------------------------
t lockdown_peek "$P" peek 00:02.0 0 0
t lockdown_vfio_unbound "$P" peek 00:02.0 0 0 --via vfio

# ---- bind ------------------------------------------------------------------------
t bind_dry "$P" bind 00:02.0 vfio-pci --dry-run
t bind_dry_state drvstate $EDU
t bind_edu "$P" bind 00:02.0 vfio-pci
t bind_edu_state drvstate $EDU
t bind_virtio "$P" bind 00:03.0 vfio-pci
t bind_virtio_state drvstate $VIRTIO
# If `pcimmio bind` did not bind them (its checks fail then), bind by hand, the way
# driverctl does, so that everything below still tests the VFIO access path.
for d in $EDU $VIRTIO; do
    case "$(readlink $SYS/$d/driver 2> /dev/null)" in
        */vfio-pci) ;;
        *)
            info bind_fallback "$d"
            [ -e $SYS/$d/driver ] && echo "$d" > $SYS/$d/driver/unbind
            echo vfio-pci > $SYS/$d/driver_override
            echo "$d" > /sys/bus/pci/drivers_probe
            ;;
    esac
done
t vfio_dev_nodes ls /dev/vfio

# ---- VFIO oracle (vfio-tool: pread/mmap of the region, independent of pcimmio) ----------
t oracle_vfio_info vfio-tool $EDU info
t oracle_vfio_pread vfio-tool $EDU bar-read 0 0 32
t oracle_vfio_mmap vfio-tool $EDU mmap-read 0 0 32
t oracle_vfio_pread_w8 vfio-tool $VIRTIO bar-read 4 0x14 8
t oracle_vfio_pread_w16 vfio-tool $VIRTIO bar-read 4 0x12 16
t oracle_vfio_edu_w16 vfio-tool $EDU mmap-read 0 0 16
# 64-bit: a load from the mmap is one 8-byte access; pread of 8 bytes is split by 6.1's
# vfio-pci into two 4-byte accesses (vfio_pci_core_do_io_rw has no 8-byte case there)
t oracle_vfio_mmap_w64 vfio-tool $EDU mmap-read 0 0x80 64
t oracle_vfio_pread_w64 vfio-tool $EDU bar-read 0 0x80 64

# ---- pcimmio through VFIO, no flag --------------------------------------------------
t v_peek_id "$P" peek 00:02.0 0 0
t v_poke_live "$P" poke 00:02.0 0 4 0x12345678
t v_peek_live "$P" peek 00:02.0 0 4
t v_verify_mismatch "$P" poke 00:02.0 0 4 0x0f0f0f0f --verify
t v_peek_w64 "$P" peek 00:02.0 0 0x80 -w 64
t v_peek_w32_virtio "$P" peek 00:03.0 4 0x0 -w 32
t v_peek_w16 "$P" peek 00:03.0 4 0x12 -w 16
t v_peek_w8 "$P" peek 00:03.0 4 0x14 -w 8
t v_peek_edu_w16 "$P" peek 00:02.0 0 0 -w 16
t v_poke_w16 "$P" poke 00:03.0 4 0x16 0x0 -w 16
t v_poke_w8 "$P" poke 00:03.0 4 0x14 0x0 -w 8
t v_peek_count "$P" peek 00:02.0 0 0 -n 4
t v_dump "$P" dump 00:02.0 0 0+0x20
t v_wait_fact_poke "$P" poke 00:02.0 0 0x08 0x5
t v_wait "$P" wait 00:02.0 0 0x20 --mask 1 --value 0
t v_wait_fact_peek "$P" peek 00:02.0 0 0x08
t v_factorial "$P" --map $EDUMAP run "$HERE/scripts/edu-factorial.run"
# field pokes in a run script: read-modify-write, --verify, and a --verify that must fail
t v_field_verify "$P" --map $EDUMAP run "$HERE/scripts/edu-field-verify.run"
t v_field_verify_mismatch "$P" --map $EDUMAP run "$HERE/scripts/edu-field-verify-mismatch.run"
yes 'peek 00:02.0 0 0x0' | head -n 1000 > /tmp/peek1000.run
t v_run_1000 "$P" run /tmp/peek1000.run
t v_watch_still "$P" watch 00:02.0 0 0x4+4 --interval 10ms --count 3
t v_via_vfio "$P" peek 00:02.0 0 0 --via vfio
t v_via_sysfs "$P" peek 00:02.0 0 0 --via sysfs
t v_trace "$P" --trace "$T/v_trace.log" dump 00:02.0 0 0+8

# ---- config space through VFIO's config region (sysfs config writes are refused) -------
t v_config_read "$P" config 00:02.0 COMMAND VENDOR_ID.L
t oracle_vfio_cfg_read vfio-tool $EDU cfg-read 4 16
t v_config_write "$P" config 00:02.0 COMMAND.W=0x2:0x2
t v_config_after vfio-tool $EDU cfg-read 4 16
t v_config_sysfs_write "$P" config 00:02.0 COMMAND.W=0x2:0x2 --via sysfs

# ---- group busy: another process holds /dev/vfio/N -----------------------------------
busy() {
    : > /tmp/hold.out
    vfio-tool $EDU hold 20 > /tmp/hold.out 2>&1 &
    holder=$!
    i=0
    while [ $i -lt 100 ] && ! grep -q holding /tmp/hold.out 2> /dev/null; do sleep 0.1; i=$((i + 1)); done
    echo "$holder" > "$T/v_group_busy.holder"
    "$P" peek 00:02.0 0 0
    rc=$?
    kill "$holder" 2> /dev/null
    wait "$holder" 2> /dev/null
    return $rc
}
t v_group_busy busy

# ---- issue 12: a fault on a real kernel ----------------------------------------------
# watch maps BAR0 through VFIO; vfio-tool takes a duplicate of watch's VFIO device fd
# (pidfd_getfd: the group itself is held open by watch, EBUSY for anyone else) and clears
# COMMAND.MEM through VFIO's config region; vfio-pci zaps every mapping of the BAR, and
# watch's next read faults. watch must report it (exit 1, one line), not die of SIGBUS.
zap_while() { # NAME CMD...: run CMD (which maps edu BAR0 through VFIO and polls it) in the
    # background; once it printed its first line, clear COMMAND.MEM through a duplicate of
    # its VFIO device fd. stdout/stderr/status = CMD's; vfio-tool's in NAME_tool.{out,err,rc}
    zname=$1
    shift
    rm -f /tmp/zap.out /tmp/zap.err
    : > /tmp/zap.out
    "$@" > /tmp/zap.out 2> /tmp/zap.err &
    w=$!
    # wait for its first output line (the mapping exists then), then, up to 2 s, for its
    # VFIO device fd (vfio-tool --pid falls back to opening the group when there is none)
    i=0
    while [ $i -lt 200 ] && [ ! -s /tmp/zap.out ] && kill -0 "$w" 2> /dev/null; do sleep 0.05; i=$((i + 1)); done
    i=0
    while [ $i -lt 40 ] && kill -0 "$w" 2> /dev/null &&
        ! ls -l /proc/$w/fd 2> /dev/null | grep -q 'anon_inode:\[vfio-device\]'; do sleep 0.05; i=$((i + 1)); done
    sleep 0.2
    vfio-tool --pid "$w" $EDU cfg-clear 4 16 0x2 > "$T/${zname}_tool.out" 2> "$T/${zname}_tool.err"
    echo "$?" > "$T/${zname}_tool.rc"
    i=0
    while [ $i -lt 200 ] && kill -0 "$w" 2> /dev/null; do sleep 0.05; i=$((i + 1)); done
    if kill -0 "$w" 2> /dev/null; then
        echo "still running 10 s after the zap; killed" >> "$T/${zname}_tool.err"
        kill "$w"
    fi
    wait "$w"
    zrc=$?
    cat /tmp/zap.out
    cat /tmp/zap.err >&2
    return $zrc
}
# oracle: the mechanism itself, with vfio-tool's own mapping (expects "SIGBUS after N reads", exit 3)
t oracle_vfio_fault zap_while oracle_vfio_fault vfio-tool $EDU mmap-poll 0 0 32 1000 10
t oracle_vfio_after_fault vfio-tool $EDU bar-read 0 0 32
t v_fault zap_while v_fault "$P" watch 00:02.0 0 0+4 --interval 10ms --count 1000
# watch's exit closed the device: vfio-pci restored the saved config (memory enabled)
t v_after_fault "$P" peek 00:02.0 0 0

# ---- unbind ------------------------------------------------------------------------
t unbind_edu "$P" unbind 00:02.0
t unbind_edu_state drvstate $EDU
t unbind_virtio "$P" unbind 00:03.0
t unbind_virtio_state drvstate $VIRTIO
t after_unbind_peek "$P" peek 00:02.0 0 0
info end ok

# ---- ship results to the host (console, base64) ---------------------------------------
dmesg > "$OUT/dmesg.txt" 2> /dev/null
cp /proc/iomem "$OUT/iomem.txt"
ARCHIVE=/tmp/outbox.tgz
tar -czf "$ARCHIVE" -C /tmp out || exit 3
echo "guest: archive $(wc -c < "$ARCHIVE") bytes"
echo "=== PCIMMIO-OUTBOX-BASE64-BEGIN ==="
base64 "$ARCHIVE"
echo "=== PCIMMIO-OUTBOX-BASE64-END ==="
exit 0
