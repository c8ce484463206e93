#!/usr/bin/env bash
# Build the initramfs for the QEMU end-to-end suite.
#
# Usage: Scripts/qemu/build-initramfs.sh [--modules DIR] [--hyperfine] PCIMMIO_BINARY OUT.cpio.gz
#   --modules DIR  DIR = lib/modules/<version> as Scripts/qemu/fetch-kernel.sh --print-modules
#                  prints it: the modules named in DIR/vfio-modules.order go to the same paths
#                  under /lib/modules/<version>/ (byte for byte: they are signed), and the
#                  order file with them (the guest insmods them in that order).
#   --hyperfine    also /usr/bin/hyperfine (+ libs), for Scripts/bench/vfio.
#
# Contents:
#   /bin/busybox (static) + applet symlinks
#   /usr/bin/pcimmio        the binary under test (+ its shared libs from ldd, and libpci.so.3,
#                           which it loads with dlopen)
#   /usr/bin/lspci          oracle (+ libpci and friends)
#   /usr/bin/setpci         oracle for `pcimmio config` (same libpci)
#   /usr/bin/memtool        oracle (+ libs)
#   /usr/share/misc/pci.ids (symlinks followed)
#   /tests/                 everything in Tests/QEMU/guest/ (run-tests.sh is the entry)
#   /tests/capture-sysfs.sh Scripts/capture-sysfs.sh when present
#   /maps/*.json            the register maps of Maps/ (for --map / PCIMMIO_MAPS)
#   /usr/bin/strace         (when installed) for "nothing was opened" checks
#   /usr/bin/vfio-tool      Tests/QEMU/vfio-tool.c built with `cc -static` (the VFIO oracle;
#                           missing, with a note, when no C compiler/static libc is there)
#   /lib/modules/<version>/ with --modules: the VFIO modules
#   /init                   mounts proc/sys/devtmpfs, runs /tests/run-tests.sh (or
#                           /tests/run-tests-NAME.sh when the kernel command line has
#                           pcimmio.suite=NAME), prints its console output between
#                           === PCIMMIO-GUEST-BEGIN === / === PCIMMIO-GUEST-END rc=N ===
#                           then powers off.
set -euo pipefail

MODULES="" HYPERFINE=0
while [ $# -gt 0 ]; do
    case "$1" in
        --modules) MODULES="$2"; shift 2 ;;
        --hyperfine) HYPERFINE=1; shift ;;
        --) shift; break ;;
        -*) echo "build-initramfs: unknown option $1" >&2; exit 2 ;;
        *) break ;;
    esac
done
if [ $# -ne 2 ]; then
    echo "usage: $0 [--modules DIR] [--hyperfine] PCIMMIO_BINARY OUT.cpio.gz" >&2
    exit 2
fi
BIN="$1"
OUT="$2"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
GUEST_DIR="$ROOT/Tests/QEMU/guest"

log() { echo "build-initramfs: $*" >&2; }

[ -f "$BIN" ] && [ -x "$BIN" ] || { log "pcimmio binary '$BIN' missing or not executable"; exit 1; }

# --- host tools -------------------------------------------------------------
"$(dirname "$0")/../install-deps" test >&2
is_static() { case "$(ldd "$1" 2>&1 || true)" in *"not a dynamic"*|*"statically linked"*) return 0 ;; esac; return 1; }
is_static /bin/busybox || { log "/bin/busybox is not static (install busybox-static)"; exit 1; }

STAGE="$(mktemp -d)"
trap 'rm -rf "$STAGE"' EXIT

mkdir -p "$STAGE"/{bin,sbin,usr/bin,usr/sbin,lib,lib64,usr/lib,proc,sys,dev,tmp,run,mnt,root,etc,tests,maps,usr/share/misc}

# --- busybox ----------------------------------------------------------------
cp /bin/busybox "$STAGE/bin/busybox"
/bin/busybox --list-full | while read -r applet; do
    [ -n "$applet" ] || continue
    [ "$applet" = "bin/busybox" ] && continue
    mkdir -p "$STAGE/$(dirname "$applet")"
    [ -e "$STAGE/$applet" ] || ln -s /bin/busybox "$STAGE/$applet"
done

# --- binaries + shared libraries ---------------------------------------------
copy_file() { # src dest-path-inside-root ; follows symlinks
    local src="$1" dst="$STAGE$2"
    mkdir -p "$(dirname "$dst")"
    cp -L "$src" "$dst"
}
copy_libs() { # binary
    local bin="$1"
    # Lines: "libx.so => /path (0x..)", "/lib64/ld-linux-x86-64.so.2 (0x..)"
    ldd "$bin" 2>/dev/null | awk '
        /=>/ { if ($3 ~ /^\//) print $3; next }
        $1 ~ /^\// { print $1 }' | while read -r lib; do
        [ -e "$lib" ] || continue
        [ -e "$STAGE$lib" ] || copy_file "$lib" "$lib"
        # Also make it reachable through the canonical multiarch dir in case
        # ldd reported a /usr/lib or /lib variant only.
        local base; base=$(basename "$lib")
        case "$lib" in
            */ld-linux*) [ -e "$STAGE/lib64/$base" ] || copy_file "$lib" "/lib64/$base" ;;
            *) [ -e "$STAGE/lib/x86_64-linux-gnu/$base" ] || copy_file "$lib" "/lib/x86_64-linux-gnu/$base" ;;
        esac
    done
}
add_binary() { # src dest
    copy_file "$1" "$2"
    chmod 755 "$STAGE$2"
    if ldd "$1" >/dev/null 2>&1; then copy_libs "$1"; fi
}

add_binary "$BIN" /usr/bin/pcimmio
# pcimmio loads libpci with dlopen (ldd does not list it): the library and its own libraries.
libpci="$(ldconfig -p | awk '$1 == "libpci.so.3" && $NF ~ /^\// {print $NF; exit}')"
[ -n "$libpci" ] || { log "libpci.so.3 not found (install libpci3)"; exit 1; }
copy_file "$libpci" "/lib/x86_64-linux-gnu/libpci.so.3"
copy_libs "$libpci"
add_binary "$(command -v lspci)" /usr/bin/lspci
add_binary "$(command -v setpci)" /usr/bin/setpci
add_binary "$(command -v memtool)" /usr/bin/memtool
copy_file /usr/share/misc/pci.ids /usr/share/misc/pci.ids
# strace (optional): the guest checks that a refused /dev/mem access opened nothing
if command -v strace >/dev/null; then
    add_binary "$(command -v strace)" /usr/bin/strace
else
    log "note: strace not installed; the 'nothing opened' checks will fail"
fi
if [ "$HYPERFINE" = 1 ]; then
    command -v hyperfine >/dev/null || { log "--hyperfine: hyperfine not installed"; exit 1; }
    add_binary "$(command -v hyperfine)" /usr/bin/hyperfine
fi

# --- vfio-tool: the suite's own VFIO client (Tests/QEMU/vfio-tool.c) -------------
CC="${CC:-cc}"
if command -v "$CC" >/dev/null && "$CC" -static -O2 -o "$STAGE/usr/bin/vfio-tool" "$ROOT/Tests/QEMU/vfio-tool.c" 2> "$STAGE/cc.log"; then
    rm -f "$STAGE/cc.log"
else
    log "note: could not build Tests/QEMU/vfio-tool.c with '$CC -static' (install gcc and libc6-dev); the VFIO fault and oracle tests will fail"
    [ -f "$STAGE/cc.log" ] && sed 's/^/build-initramfs:   /' "$STAGE/cc.log" >&2
    rm -f "$STAGE/cc.log" "$STAGE/usr/bin/vfio-tool"
fi

# --- kernel modules (VFIO) ---------------------------------------------------------
if [ -n "$MODULES" ]; then
    [ -f "$MODULES/vfio-modules.order" ] || { log "--modules $MODULES: no vfio-modules.order"; exit 1; }
    mdest="/lib/modules/$(basename "$MODULES")"
    while read -r m; do
        [ -n "$m" ] || continue
        copy_file "$MODULES/$m" "$mdest/$m"
    done < "$MODULES/vfio-modules.order"
    copy_file "$MODULES/vfio-modules.order" "$mdest/vfio-modules.order"
fi

# --- guest test files -------------------------------------------------------
if [ -d "$GUEST_DIR" ]; then
    cp -rL "$GUEST_DIR"/. "$STAGE/tests/"
fi
[ -f "$STAGE/tests/run-tests.sh" ] || { log "missing $GUEST_DIR/run-tests.sh"; exit 1; }
if [ -f "$ROOT/Scripts/capture-sysfs.sh" ]; then
    cp -L "$ROOT/Scripts/capture-sysfs.sh" "$STAGE/tests/capture-sysfs.sh"
else
    log "note: Scripts/capture-sysfs.sh not present; the sysfs-capture test will report it missing"
fi
chmod -R a+rX "$STAGE/tests"
find "$STAGE/tests" -name '*.sh' -exec chmod 755 {} +

# --- register maps -----------------------------------------------------------
if compgen -G "$ROOT/Maps/*.json" > /dev/null; then
    cp -L "$ROOT"/Maps/*.json "$STAGE/maps/"
else
    log "note: no Maps/*.json; the register-map tests will fail"
fi

# --- /etc and /init ----------------------------------------------------------
echo "root:x:0:0:root:/root:/bin/sh" > "$STAGE/etc/passwd"
echo "root:x:0:" > "$STAGE/etc/group"
: > "$STAGE/etc/fstab"

cat > "$STAGE/init" <<'EOF'
#!/bin/sh
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t securityfs securityfs /sys/kernel/security 2>/dev/null
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
# Quiet kernel messages on the console while the tests run.
echo 1 > /proc/sys/kernel/printk 2>/dev/null
cd /tests
suite=/tests/run-tests.sh
for arg in $(cat /proc/cmdline); do
    case "$arg" in
        pcimmio.suite=*) suite="/tests/run-tests-${arg#pcimmio.suite=}.sh" ;;
    esac
done
echo "=== PCIMMIO-GUEST-BEGIN ==="
if [ -f "$suite" ]; then
    sh "$suite"
    rc=$?
else
    echo "guest: no such suite $suite"
    rc=127
fi
echo "=== PCIMMIO-GUEST-END rc=$rc ==="
sync
poweroff -f
# not reached; keep init alive if poweroff fails so the kernel does not panic
while :; do sleep 1000; done
EOF
chmod 755 "$STAGE/init"

# --- pack --------------------------------------------------------------------
mkdir -p "$(dirname "$OUT")"
OUT_ABS="$(cd "$(dirname "$OUT")" && pwd)/$(basename "$OUT")"
(cd "$STAGE" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0 | gzip -1 > "$OUT_ABS.tmp")
mv "$OUT_ABS.tmp" "$OUT_ABS"
log "wrote $OUT_ABS ($(du -h "$OUT_ABS" | cut -f1))"
