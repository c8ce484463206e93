#!/bin/sh
# Guest side of Scripts/bench/vfio (chosen by pcimmio.suite=bench-vfio): edu bound to
# vfio-pci in a guest with intel-iommu and no lockdown, so both paths work in the same
# guest; hyperfine (copied into the initramfs) times `pcimmio run` of LINES peeks through
# VFIO and through sysfs, ROUNDS rounds in alternating order, RUNS runs each.
# Parameters from the kernel command line: pcimmio.bench_rounds=, pcimmio.bench_runs=,
# pcimmio.bench_lines=. Results (hyperfine --export-json files, logs) go out base64 on the
# console like run-tests-vfio.sh's.
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH
OUT=/tmp/out
mkdir -p "$OUT/json"
SYS=/sys/bus/pci/devices
EDU=0000:00:02.0
P=/usr/bin/pcimmio
ROUNDS=3 RUNS=3 LINES=100000
for arg in $(cat /proc/cmdline); do
    case "$arg" in
        pcimmio.bench_rounds=*) ROUNDS=${arg#*=} ;;
        pcimmio.bench_runs=*) RUNS=${arg#*=} ;;
        pcimmio.bench_lines=*) LINES=${arg#*=} ;;
    esac
done

fail() {
    echo "bench: $*" | tee -a "$OUT/error.txt"
}

ship() {
    dmesg > "$OUT/dmesg.txt" 2> /dev/null
    tar -czf /tmp/out.tgz -C /tmp out
    echo "=== PCIMMIO-OUTBOX-BASE64-BEGIN ==="
    base64 /tmp/out.tgz
    echo "=== PCIMMIO-OUTBOX-BASE64-END ==="
}

M=/lib/modules/$(uname -r)
while read -r m; do
    insmod "$M/$m" || { fail "insmod $m failed"; ship; exit 1; }
done < "$M/vfio-modules.order"
echo vfio-pci > $SYS/$EDU/driver_override
echo $EDU > /sys/bus/pci/drivers_probe
drv=$(readlink $SYS/$EDU/driver)
[ "${drv##*/}" = vfio-pci ] || { fail "edu not bound to vfio-pci (driver: ${drv:-none})"; ship; exit 1; }

awk -v n="$LINES" 'BEGIN { for (i = 0; i < n; i++) print "peek 00:02.0 0 0" }' > /tmp/peeks.run
echo "lines $LINES rounds $ROUNDS runs $RUNS" > "$OUT/params.txt"
uname -r > "$OUT/kernel.txt"

# Sanity: each path prints LINES lines, all edu's ID.
for via in vfio sysfs; do
    if ! "$P" run --via $via /tmp/peeks.run > /tmp/check.out 2> "$OUT/check-$via.err"; then
        fail "pcimmio run --via $via failed: $(head -c 300 "$OUT/check-$via.err")"
        continue
    fi
    n=$(wc -l < /tmp/check.out)
    v=$(sort -u /tmp/check.out)
    [ "$n" -eq "$LINES" ] && [ "$v" = 0x010000ed ] || fail "pcimmio run --via $via printed $n lines, values $(echo $v | head -c 100)"
    echo "$via ok" >> "$OUT/sanity.txt"
done
rm -f /tmp/check.out

if [ ! -s "$OUT/error.txt" ]; then
    names="vfio sysfs"
    r=1
    while [ $r -le "$ROUNDS" ]; do
        [ $((r % 2)) -eq 1 ] && order="vfio sysfs" || order="sysfs vfio"
        for via in $order; do
            echo "bench: round $r/$ROUNDS, --via $via, runs: $RUNS"
            hyperfine -N --style basic --warmup 1 --runs "$RUNS" --output=null \
                --export-json "$OUT/json/r$r-$via.json" \
                -n "pcimmio run --via $via" "$P run --via $via /tmp/peeks.run" > "$OUT/hyperfine-r$r-$via.log" 2>&1 ||
                fail "hyperfine failed for --via $via (round $r): $(tail -n 3 "$OUT/hyperfine-r$r-$via.log")"
        done
        r=$((r + 1))
    done
fi
echo "bench: done"
ship
exit 0
