#!/bin/sh
# A stand-in for pcimmio's VFIO side (issue 8), built from vfio-tool (Tests/QEMU/vfio-tool.c),
# used only to develop and self-test the VFIO boot's harness (guest/run-tests-vfio.sh,
# check_vfio.py) before pcimmio has VFIO. NOT a reference implementation: it knows edu's
# register names, speaks only the command lines run-tests-vfio.sh uses, and its diagnoses
# are just enough to show what the checks look for.
#   Scripts/qemu/build-initramfs.sh --modules "$(Scripts/qemu/fetch-kernel.sh --print-modules)" \
#       Tests/QEMU/stub/pcimmio-vfio-stub.sh /tmp/w/initramfs.cpio.gz
#   Scripts/qemu/run-vm.sh --profile vfio --kernel "$(Scripts/qemu/fetch-kernel.sh)" \
#       --initrd /tmp/w/initramfs.cpio.gz --workdir /tmp/w/vfio
#   Tests/QEMU/check_vfio.py --workdir /tmp/w/vfio
# Runs under busybox sh.

SYS=/sys/bus/pci
TRACE="" VIA="" DRY=0 VERIFY=0 W=32 N=1 MASK="" VALUE="" COUNT=1 UNTIL=""
die() { echo "pcimmio: $*" >&2; exit 1; }

cmd=""
set -- "$@" --end-of-args--
while [ "$1" != --end-of-args-- ]; do
    case "$1" in
        --trace) TRACE=$2; shift 2 ;;
        --map) shift 2 ;;
        --via) VIA=$2; shift 2 ;;
        --dry-run) DRY=1; shift ;;
        --verify) VERIFY=1; shift ;;
        -w) W=$2; shift 2 ;;
        -n) N=$2; shift 2 ;;
        --mask) MASK=$2; shift 2 ;;
        --value) VALUE=$2; shift 2 ;;
        --count) COUNT=$2; shift 2 ;;
        --interval | --timeout) shift 2 ;;
        --until) UNTIL=$2; shift 2 ;;
        *) if [ -z "$cmd" ]; then cmd=$1; else set -- "$@" "$1"; fi; shift ;;
    esac
done
shift

slot() { case "$1" in *:*:*) echo "$1" ;; *) echo "0000:$1" ;; esac; }
driver() { d=$(readlink "$SYS/devices/$1/driver" 2> /dev/null); echo "${d##*/}"; }
hexw() { printf "0x%0$(($2 / 4))x\n" "$1"; }
reg() { case "$1" in FACTORIAL) echo 8 ;; STATUS) echo 0x20 ;; LIVENESS) echo 4 ;; ID) echo 0 ;; *) echo "$1" ;; esac; }
trace() { # op dev bar off width value
    [ -n "$TRACE" ] && printf '{"op":"%s","device":"%s","bar":%d,"offset":%d,"width":%d,"value":"%s","via":"vfio"}\n' \
        "$1" "$2" "$3" "$(($4))" "$5" "$6" >> "$TRACE"
    return 0
}

# The access path for DEV, with the diagnoses the checks look for.
path() {
    dev=$1
    if [ "$VIA" = sysfs ] || { [ -z "$VIA" ] && [ "$(driver "$dev")" != vfio-pci ]; }; then
        case "$(cat /sys/kernel/security/lockdown 2> /dev/null)" in
            *"[none]"* | "") die "sysfs path not implemented in this stub" ;;
            *) die "mmap $SYS/devices/$dev/resource0: Operation not permitted: kernel lockdown (integrity) refuses it; use VFIO: pcimmio bind ${dev#0000:} vfio-pci" ;;
        esac
    fi
    [ -e /dev/vfio/vfio ] || die "VFIO: /dev/vfio/vfio missing: the vfio modules are not loaded (modprobe vfio-pci)"
    [ "$(driver "$dev")" = vfio-pci ] || die "$dev is not bound to vfio-pci (pcimmio bind ${dev#0000:} vfio-pci)"
    g=$(basename "$(readlink "$SYS/devices/$dev/iommu_group")")
    for p in /proc/[0-9]*; do
        [ "${p#/proc/}" = $$ ] && continue
        for f in "$p"/fd/*; do
            if [ "$(readlink "$f" 2> /dev/null)" = "/dev/vfio/$g" ]; then
                die "VFIO group $g is busy: held by $(cat "$p/comm") (pid ${p#/proc/})"
            fi
        done
    done
}

vt() { vfio-tool "$@" || exit 1; }

case "$cmd" in
    peek)
        dev=$(slot "$1"); bar=$2; off=$(reg "$3")
        path "$dev"
        if [ "$W" = 64 ]; then vt "$dev" mmap-read "$bar" "$off" 64; exit; fi
        for v in $(vt "$dev" bar-read "$bar" "$off" "$W" "$N"); do
            echo "$v"
            trace read "$dev" "$bar" "$off" "$W" "$v"
            off=$((off + W / 8))
        done
        ;;
    poke)
        dev=$(slot "$1"); bar=$2; off=$(reg "$3"); val=$4
        path "$dev"
        vt "$dev" bar-write "$bar" "$off" "$W" "$val"
        trace write "$dev" "$bar" "$off" "$W" "$val"
        if [ $VERIFY = 1 ]; then
            got=$(vt "$dev" bar-read "$bar" "$off" "$W")
            [ $((got)) -eq $((val)) ] || die "verify failed at offset $off: wrote $(hexw "$val" "$W"), read $got"
        fi
        ;;
    dump)
        dev=$(slot "$1"); bar=$2; start=${3%+*}; size=${3#*+}
        path "$dev"
        o=0
        line=""
        for v in $(vt "$dev" bar-read "$bar" "$start" "$W" $((size * 8 / W))); do
            trace read "$dev" "$bar" $((start + o)) "$W" "$v"
            [ $((o % 16)) -eq 0 ] && line=$(printf '%08x:' $((start + o)))
            line="$line ${v#0x}"
            o=$((o + W / 8))
            [ $((o % 16)) -eq 0 ] && { echo "$line"; line=""; }
        done
        if [ -n "$line" ]; then echo "$line"; fi
        ;;
    wait)
        dev=$(slot "$1"); bar=$2; off=$(reg "$3")
        [ -n "$UNTIL" ] && { off=0x20; MASK=1; VALUE=0; }
        path "$dev"
        i=0
        while [ $i -lt 1000 ]; do
            v=$(vt "$dev" bar-read "$bar" "$off" 32)
            [ $((v & MASK)) -eq $((VALUE)) ] && { echo "$v"; exit 0; }
            i=$((i + 1))
        done
        die "timed out, last value $v"
        ;;
    watch)
        dev=$(slot "$1"); bar=$2; off=${3%+*}
        path "$dev"
        [ "$COUNT" -gt 3 ] && VFIO_TOOL_SIGBUS_EXIT=1 exec vfio-tool "$dev" mmap-poll "$bar" "$off" 32 "$COUNT" 10
        echo "+0.000s $off $(vt "$dev" bar-read "$bar" "$off" 32 "$COUNT" 0 | head -n 1)"
        ;;
    run)
        file=$1
        # a file of identical peek lines: one vfio-tool call
        if [ "$(sort -u "$file" | wc -l)" = 1 ] && [ "$(cut -d' ' -f1 "$file" | head -n1)" = peek ]; then
            set -- $(head -n 1 "$file")
            path "$(slot "$2")"
            vt "$(slot "$2")" bar-read "$3" "$4" 32 "$(wc -l < "$file")" 0
            exit
        fi
        while read -r op a b c d rest; do
            case "$op" in
                set) eval "$a=\$b" ;;
                peek) eval "\"$0\" peek $a $b $c" || exit 1 ;;
                poke) eval "\"$0\" poke $a $b $c $d" || exit 1 ;;
                wait) eval "\"$0\" wait $a $b 0x20 --mask 1 --value 0" > /dev/null || exit 1 ;;
                echo) eval "echo $a $b $c $d $rest" ;;
            esac
        done < "$file"
        ;;
    config) # only what run-tests-vfio.sh uses: COMMAND[.W][=V:M], VENDOR_ID.L
        dev=$(slot "$1"); shift
        [ "$VIA" = sysfs ] && die "writing $dev config at 0x4 failed: Operation not permitted: kernel lockdown refuses config writes through sysfs"
        path "$dev"
        for op in "$@"; do
            case "$op" in
                COMMAND | COMMAND.W) printf '%04x\n' "$(vt "$dev" cfg-read 4 16)" ;;
                VENDOR_ID.L) printf '%08x\n' "$(vt "$dev" cfg-read 0 32)" ;;
                COMMAND.W=*:*)
                    v=${op#*=}; m=${v#*:}; v=${v%:*}; m=0x${m#0x}; v=0x${v#0x}
                    old=$(vt "$dev" cfg-read 4 16)
                    vt "$dev" cfg-write 4 16 $(((old & ~m) | v))
                    ;;
                *) die "stub: config operation $op not supported" ;;
            esac
        done
        ;;
    bind)
        dev=$(slot "$1"); drv=$2; before=$(driver "$dev")
        [ -d "$SYS/drivers/$drv" ] || die "cannot bind $dev: no driver named $drv is loaded (modprobe $drv)"
        if [ $DRY = 1 ]; then
            echo "would write $drv to $SYS/devices/$dev/driver_override"
            echo "would write $dev to $SYS/drivers_probe"
            exit 0
        fi
        echo "$drv" > "$SYS/devices/$dev/driver_override"
        echo "$dev" > "$SYS/drivers_probe"
        echo "$dev: ${before:-none} -> $(driver "$dev")"
        ;;
    unbind)
        dev=$(slot "$1"); before=$(driver "$dev")
        [ -n "$before" ] && echo "$dev" > "$SYS/devices/$dev/driver/unbind"
        echo > "$SYS/devices/$dev/driver_override"
        echo "$dev: ${before:-none} -> none"
        ;;
    *) die "stub: unknown command $cmd" ;;
esac
