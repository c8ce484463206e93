#!/bin/sh
# A stand-in for the pcimmio binary, built from lspci, memtool and dd, used
# only to develop and self-test the QEMU harness while the real binary is not
# available:  PCIMMIO_BIN=Tests/QEMU/stub/pcimmio-stub.sh Tests/QEMU/run.sh
# It follows the documented CLI closely enough for the host checks, but it is
# NOT a reference implementation (names come from lspci, so the enumeration
# checks against lspci are trivially true with it).
# Runs under busybox sh (guest) and dash/bash (host).

SYSFS=${PCIMMIO_SYSFS:-/sys/bus/pci}
TRACE=""
die() { echo "pcimmio-stub: $*" >&2; exit 1; }

# --- argument parsing: global options anywhere ---
cmd=""
set -- "$@" --end-of-args--
while [ "$1" != --end-of-args-- ]; do
    case "$1" in
        --sysfs) SYSFS=$2; shift 2 ;;
        --sysfs=*) SYSFS=${1#--sysfs=}; shift ;;
        --trace) TRACE=$2; shift 2 ;;
        --trace=*) TRACE=${1#--trace=}; shift ;;
        *) if [ -z "$cmd" ]; then cmd=$1; else set -- "$@" "$1"; fi; shift ;;
    esac
done
shift # drop marker
[ -n "$cmd" ] || die "no command"

LSPCI_OPTS=""
[ "$SYSFS" != /sys/bus/pci ] && LSPCI_OPTS="-A linux-sysfs -O sysfs.path=$SYSFS"

tr_log() { [ -n "$TRACE" ] && echo "$*" >> "$TRACE"; return 0; }

norm_slot() { # 00:02.0 -> 0000:00:02.0
    case "$1" in
        *:*:*) echo "$1" ;;
        *) echo "0000:$1" ;;
    esac
}

resolve() { # DEVICE -> full slot
    d=$1
    case "$d" in
        *.*) s=$(norm_slot "$d"); [ -d "$SYSFS/devices/$s" ] || die "no device $d"; echo "$s"; return ;;
    esac
    v=${d%%:*}; dv=${d##*:}
    m=""
    for p in "$SYSFS"/devices/*; do
        [ "$(cat "$p/vendor")" = "0x$v" ] && [ "$(cat "$p/device")" = "0x$dv" ] && m="$m $(basename "$p")"
    done
    set -- $m
    [ $# -eq 1 ] || die "device $d matches $# devices"
    echo "$1"
}

bar_num() { case "$1" in bar*) echo "${1#bar}" ;; *) echo "$1" ;; esac; }

bar_line() { sed -n "$(($2 + 1))p" "$SYSFS/devices/$1/resource"; }

json_str() { printf '"%s"' "$(printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g')"; }

vmm_field() { # slot field  (from lspci -vmm -nn)
    lspci $LSPCI_OPTS -vmm -nn -D -s "$1" 2>/dev/null | sed -n "s/^$2:\t//p" | head -n1 | sed 's/ \[[0-9a-f]*\]$//'
}

device_json() { # slot
    s=$1; d=$SYSFS/devices/$s
    cls=$(cat "$d/class")
    drv=$(readlink "$d/driver" 2>/dev/null); drv=${drv##*/}
    printf '{"slot":"%s","vendor":%d,"device":%d,"class":%d,"revision":%d,"subsystemVendor":%d,"subsystemDevice":%d,' \
        "$s" "$(cat "$d/vendor")" "$(cat "$d/device")" "$cls" "$(cat "$d/revision" 2>/dev/null || echo 0)" \
        "$(cat "$d/subsystem_vendor" 2>/dev/null || echo 0)" "$(cat "$d/subsystem_device" 2>/dev/null || echo 0)"
    printf '"vendorName":%s,"deviceName":%s,"className":%s,"driver":%s,"bars":[' \
        "$(json_str "$(vmm_field "$s" Vendor)")" "$(json_str "$(vmm_field "$s" Device)")" \
        "$(json_str "$(vmm_field "$s" Class)")" "$(json_str "$drv")"
    i=0; bfirst=1; skip=-1
    while read -r start end flags; do
        [ $i -ge 6 ] && break
        if [ $i -ne $skip ] && [ $((end)) -ne 0 ]; then
            f=$((flags))
            if [ $((f & 0x100)) -ne 0 ]; then kind=io
            elif [ $((f & 0x100000)) -ne 0 ]; then kind=mem64; skip=$((i + 1))
            else kind=mem32; fi
            pf=false; [ $((f & 0x2000)) -ne 0 ] && pf=true
            wc=false; [ -e "$d/resource${i}_wc" ] && wc=true
            [ $bfirst = 1 ] || printf ','
            bfirst=0
            printf '{"index":%d,"kind":"%s","prefetchable":%s,"address":%d,"size":%d,"resourceFile":"%s","writeCombining":%s}' \
                $i $kind $pf $((start)) $((end - start + 1)) "$d/resource$i" $wc
        fi
        i=$((i + 1))
    done < "$d/resource"
    printf ']}'
}

# access: read one value. $1 slot $2 bar $3 offset $4 width(bits) $5 wc
read_val() {
    f=$SYSFS/devices/$1/resource$2
    [ "$5" = 1 ] && f=${f}_wc
    fl=$(bar_line "$1" "$2" | cut -d' ' -f3)
    n=$(($4 / 8))
    if [ $(($fl & 0x100)) -ne 0 ]; then
        dd if="$f" bs=$n skip=$(($3 / n)) count=1 2>/dev/null | hexdump -v -e '1/1 "%02x\n"' | sed '1!G;h;$!d' | tr -d '\n' | sed 's/^/0x/'
        echo
    else
        case $4 in 8) o=-b ;; 16) o=-w ;; 32) o=-l ;; 64) o=-q ;; esac
        printf '0x%s\n' "$(memtool md -s "$f" $o "$(printf '0x%x' $3)+$n" | awk '{print $2}')"
    fi
    tr_log "read $1 bar$2 $(printf '0x%x' $3) w$4"
}

write_val() { # slot bar off width value wc
    f=$SYSFS/devices/$1/resource$2
    [ "$6" = 1 ] && f=${f}_wc
    fl=$(bar_line "$1" "$2" | cut -d' ' -f3)
    n=$(($4 / 8))
    if [ $(($fl & 0x100)) -ne 0 ]; then
        v=$(($5)); esc=""
        i=0; while [ $i -lt $n ]; do esc="$esc\\$(printf '%03o' $(((v >> (8 * i)) & 0xff)))"; i=$((i + 1)); done
        printf "$esc" | dd of="$f" bs=$n seek=$(($3 / n)) count=1 conv=notrunc 2>/dev/null
    else
        case $4 in 8) o=-b ;; 16) o=-w ;; 32) o=-l ;; 64) o=-q ;; esac
        memtool mw $o -d "$f" "$(printf '0x%x' $3)" "$(printf '0x%x' "$5")" >/dev/null
    fi
    tr_log "write $1 bar$2 $(printf '0x%x' $3) w$4 $5"
}

fmt() { # width value
    printf "0x%0$(($1 / 4))x\n" "$2"
}

width=32; count=1; json=0; wc=0; mask=""; verify=0; dry=0; format=hex; outf=""; pos=""
parse_opts() {
    while [ $# -gt 0 ]; do
        case "$1" in
            -w) width=$2; shift 2 ;;
            -n) count=$2; shift 2 ;;
            --json) json=1; shift ;;
            --wc) wc=1; shift ;;
            --mask) mask=$2; shift 2 ;;
            --verify) verify=1; shift ;;
            --dry-run) dry=1; shift ;;
            --format) format=$2; shift 2 ;;
            -o) outf=$2; shift 2 ;;
            -s) fslot=$2; shift 2 ;;
            -d) fid=$2; shift 2 ;;
            *) pos="$pos $1"; shift ;;
        esac
    done
    case $width in 8|16|32|64) ;; *) die "bad width $width" ;; esac
}

check_range() { # slot bar off nbytes
    l=$(bar_line "$1" "$2")
    set -- $1 $2 $3 $4 $l
    [ $(($6)) -ne 0 ] || die "BAR $2 not present"
    sz=$(($6 - $5 + 1))
    [ $(($3 + $4)) -le $sz ] || die "offset out of range"
}

case "$cmd" in
    list)
        fslot=""; fid=""; parse_opts "$@"
        first=1
        [ $json = 1 ] && printf '['
        for p in "$SYSFS"/devices/*; do
            s=$(basename "$p")
            if [ -n "$fslot" ]; then
                fs=$(norm_slot "$fslot")
                case "$fs" in *.*) [ "$s" = "$fs" ] || continue ;; *) case "$s" in "$fs".*) ;; *) continue ;; esac ;; esac
            fi
            if [ -n "$fid" ]; then
                [ "$(cat "$p/vendor")" = "0x${fid%%:*}" ] && [ "$(cat "$p/device")" = "0x${fid##*:}" ] || continue
            fi
            if [ $json = 1 ]; then
                [ $first = 1 ] || printf ','
                first=0
                device_json "$s"
            else
                echo "$s $(vmm_field "$s" Class): $(vmm_field "$s" Vendor) $(vmm_field "$s" Device)"
            fi
        done
        [ $json = 1 ] && printf ']\n'
        ;;
    bars)
        parse_opts "$@"; set -- $pos
        s=$(resolve "$1") || exit 1
        if [ $json = 1 ]; then device_json "$s"; echo; else lspci $LSPCI_OPTS -v -s "$s" | grep -E 'Memory at|I/O ports'; fi
        ;;
    peek)
        parse_opts "$@"; set -- $pos
        s=$(resolve "$1") || exit 1; b=$(bar_num "$2"); off=$(($3))
        check_range "$s" "$b" $off $((count * width / 8))
        i=0; vals=""
        while [ $i -lt $count ]; do
            v=$(read_val "$s" "$b" $((off + i * width / 8)) $width $wc)
            vals="$vals $v"; i=$((i + 1))
        done
        if [ $json = 1 ]; then
            printf '{"values":['; f=1; for v in $vals; do [ $f = 1 ] || printf ','; f=0; printf '%d' $((v)); done; printf ']}\n'
        else
            for v in $vals; do fmt $width $((v)); done
        fi
        ;;
    poke)
        parse_opts "$@"; set -- $pos
        s=$(resolve "$1") || exit 1; b=$(bar_num "$2"); off=$(($3)); val=$(($4))
        check_range "$s" "$b" $off $((width / 8))
        if [ -n "$mask" ]; then
            old=$(read_val "$s" "$b" $off $width $wc)
            val=$(((old & ~mask) | (val & mask)))
        fi
        if [ $dry = 1 ]; then echo "would write $(fmt $width $val)"; exit 0; fi
        write_val "$s" "$b" $off $width $val $wc
        if [ $verify = 1 ]; then
            rb=$(read_val "$s" "$b" $off $width $wc)
            [ $((rb)) -eq $((val)) ] || die "verify failed: read back $rb"
        fi
        ;;
    dump)
        parse_opts "$@"; set -- $pos
        s=$(resolve "$1") || exit 1; b=$(bar_num "$2"); r=${3:-0+0x100}
        case "$r" in
            *+*) start=$((${r%%+*})); size=$((${r#*+})) ;;
            *-*) start=$((${r%%-*})); size=$((${r#*-} - start + 1)) ;;
        esac
        check_range "$s" "$b" $start $size
        f=$SYSFS/devices/$s/resource$b; [ $wc = 1 ] && f=${f}_wc
        case $width in 8) o=-b ;; 16) o=-w ;; 32) o=-l ;; 64) o=-q ;; esac
        md=$(memtool md -s "$f" $o "$(printf '0x%x' $start)+$size")
        words=$(echo "$md" | awk -v n=$((width / 4)) -v k=$((128 / width)) '{for(i=2;i<=NF && i<=k+1;i++) if (length($i)==n && $i ~ /^[0-9a-f]+$/) print $i; else break}')
        tr_log "dump $s bar$b $start+$size w$width"
        case $format in
            hex) echo "$md" | awk -v base=$start '{ $1 = sprintf("%08x:", base + (NR - 1) * 16); print }' ;;
            json) printf '{"offset":%d,"width":%d,"values":[' $start $width; f1=1; for w in $words; do [ $f1 = 1 ] || printf ','; f1=0; printf '%d' $((0x$w)); done; printf ']}\n' ;;
            raw)
                # little-endian bytes of each word, as printf octal escapes (awk: no forks)
                esc=$(echo "$words" | awk -v n=$((width / 8)) '{ for (i = 0; i < n; i++) { h = substr($0, length($0) - 2 * i - 1, 2); printf "\\%03o", hex(h) } }
                    function hex(s,   v, c, k) { v = 0; for (k = 1; k <= length(s); k++) { c = index("0123456789abcdef", substr(s, k, 1)) - 1; v = v * 16 + c } return v }')
                if [ -n "$outf" ]; then printf "$esc" > "$outf"; else printf "$esc"; fi
                ;;
        esac
        ;;
    *) die "unknown command $cmd" ;;
esac
exit 0
