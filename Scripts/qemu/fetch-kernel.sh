#!/usr/bin/env bash
# Fetch a Debian 6.1 amd64 kernel (vmlinuz) for the QEMU end-to-end suite.
#
# Usage: Scripts/qemu/fetch-kernel.sh [--print-config | --print-modules]
#   Prints the absolute path of the unpacked vmlinuz on stdout (the config
#   file path instead with --print-config; with --print-modules the directory
#   lib/modules/<version> that holds the VFIO modules, see below).
#
# The kernel package is downloaded with `apt-get download` (no install) and
# unpacked with `dpkg -x` into
#   ${PCIMMIO_CACHE:-$HOME/.cache/pcimmio}/qemu/kernel-<version>/
# A second run finds the cached tree and downloads nothing.
#
# Modules: PCI sysfs, devtmpfs and the serial console are built in, so the
# main boot needs none. Of lib/modules only the VFIO stack is kept (the rest,
# ~300 MB, is deleted), in load order:
#   kernel/virt/lib/irqbypass.ko  kernel/drivers/vfio/vfio.ko
#   kernel/drivers/vfio/vfio_iommu_type1.ko  kernel/drivers/vfio/vfio_virqfd.ko
#   kernel/drivers/vfio/pci/vfio-pci-core.ko  kernel/drivers/vfio/pci/vfio-pci.ko
# (Debian 6.1: CONFIG_MODULE_COMPRESS_NONE=y, so plain .ko files busybox insmod
# loads; each carries Debian's appended signature, which the kernel checks
# and lockdown=integrity requires. They are copied byte for byte.)
# The list of kept modules, in load order, is written to
# lib/modules/<version>/vfio-modules.order. A cache entry from before this
# (no .vfio-modules stamp) is refreshed: downloaded and unpacked again.
#
# Environment:
#   PCIMMIO_CACHE          cache root (default $HOME/.cache/pcimmio)
#   PCIMMIO_KERNEL_PKG     force a package name (e.g. linux-image-6.1.0-56-amd64)
set -euo pipefail

CACHE_ROOT="${PCIMMIO_CACHE:-$HOME/.cache/pcimmio}"
QDIR="$CACHE_ROOT/qemu"
mkdir -p "$QDIR"

log() { echo "fetch-kernel: $*" >&2; }

want=vmlinuz
case "${1:-}" in
    --print-config) want=config ;;
    --print-modules) want=modules ;;
    "") ;;
    *) log "unknown argument $1"; exit 2 ;;
esac

# The VFIO modules kept from lib/modules/<version>/, in insmod order.
VFIO_MODULES=(
    kernel/virt/lib/irqbypass.ko
    kernel/drivers/vfio/vfio.ko
    kernel/drivers/vfio/vfio_iommu_type1.ko
    kernel/drivers/vfio/vfio_virqfd.ko
    kernel/drivers/vfio/pci/vfio-pci-core.ko
    kernel/drivers/vfio/pci/vfio-pci.ko
)

modules_dir() { ls -d "$1"/lib/modules/6.1.0-* 2>/dev/null | head -n1; }

emit() { # $1 = unpack dir; fails when the entry is incomplete (e.g. has no modules)
    local dir="$1" vmlinuz config mods
    [ -f "$dir/.complete" ] && [ -f "$dir/.vfio-modules" ] || return 1
    vmlinuz=$(ls "$dir"/boot/vmlinuz-* 2>/dev/null | head -n1 || true)
    config=$(ls "$dir"/boot/config-* 2>/dev/null | head -n1 || true)
    mods=$(modules_dir "$dir")
    [ -n "$vmlinuz" ] && [ -s "$vmlinuz" ] && [ -n "$mods" ] && [ -s "$mods/vfio-modules.order" ] || return 1
    case "$want" in
        config) echo "$config" ;;
        modules) echo "$mods" ;;
        *) echo "$vmlinuz" ;;
    esac
}

# Fast path: a cached kernel (the newest one) is used without touching apt,
# unless a specific package was requested.
if [ -z "${PCIMMIO_KERNEL_PKG:-}" ]; then
    cached=$(ls -d "$QDIR"/kernel-linux-image-6.1.0-*-amd64 2>/dev/null | sort -V | tail -n1 || true)
    if [ -n "$cached" ] && emit "$cached"; then
        exit 0
    fi
    if [ -n "$cached" ] && [ ! -f "$cached/.vfio-modules" ]; then
        log "cached $(basename "$cached") predates the VFIO modules; refreshing it"
    fi
else
    d="$QDIR/kernel-$PCIMMIO_KERNEL_PKG"
    if emit "$d"; then exit 0; fi
fi

command -v apt-get >/dev/null || { log "apt-get not found (Debian host required)"; exit 1; }
command -v dpkg >/dev/null || { log "dpkg not found"; exit 1; }

pick_pkg() {
    apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-amd64$' 2>/dev/null \
        | awk '{print $1}' | while read -r p; do
            c=$(apt-cache policy "$p" 2>/dev/null | awk '/Candidate:/{print $2}')
            [ -n "$c" ] && [ "$c" != "(none)" ] && echo "$p"
        done | sort -V | tail -n1
}

pkg="${PCIMMIO_KERNEL_PKG:-}"
if [ -z "$pkg" ]; then
    pkg=$(pick_pkg || true)
    if [ -z "$pkg" ]; then
        log "no linux-image-6.1.0-*-amd64 in the apt lists; running apt-get update"
        apt-get update >&2 || true
        pkg=$(pick_pkg || true)
    fi
fi
[ -n "$pkg" ] || { log "no linux-image-6.1.0-*-amd64 package available"; exit 1; }

dest="$QDIR/kernel-$pkg"
if emit "$dest"; then exit 0; fi

log "downloading $pkg"
dl=$(mktemp -d "$QDIR/dl.XXXXXX")
trap 'rm -rf "$dl"' EXIT
# apt-get download writes into the cwd; as root it may warn about the
# _apt sandbox user not being able to write there, which is harmless.
(cd "$dl" && apt-get download "$pkg" >&2) || {
    log "apt-get download $pkg failed; retrying after apt-get update"
    apt-get update >&2 || true
    (cd "$dl" && apt-get download "$pkg" >&2)
}
deb=$(ls "$dl"/*.deb | head -n1)
rm -rf "$dest.tmp"
mkdir -p "$dest.tmp"
dpkg -x "$deb" "$dest.tmp"
# Keep /boot (vmlinuz, config, System.map) and, of lib/modules, only the VFIO stack.
mods=$(modules_dir "$dest.tmp")
[ -n "$mods" ] || { log "$pkg has no lib/modules/6.1.0-*"; exit 1; }
keep="$dl/keep"
mkdir -p "$keep"
: > "$keep/vfio-modules.order"
for m in "${VFIO_MODULES[@]}"; do
    if [ -f "$mods/$m" ]; then
        mkdir -p "$keep/$(dirname "$m")"
        cp -p "$mods/$m" "$keep/$m"
        echo "$m" >> "$keep/vfio-modules.order"
    elif [ -f "$mods/$m.xz" ] || [ -f "$mods/$m.zst" ] || [ -f "$mods/$m.gz" ]; then
        log "$m is compressed in $pkg; this script expects plain .ko files (CONFIG_MODULE_COMPRESS_NONE)"
        exit 1
    elif grep -q "/$(basename "$m")\$" "$mods/modules.builtin" 2>/dev/null; then
        log "note: $m is built in (=y) in $pkg"
    elif [ "$(basename "$m")" = vfio_virqfd.ko ]; then
        log "note: no vfio_virqfd module in $pkg (from 6.2 on it is part of vfio.ko)"
    else
        log "$m missing from $pkg"
        exit 1
    fi
done
cp -p "$mods/modules.builtin" "$keep/" 2>/dev/null || true
modver=$(basename "$mods")
rm -rf "$dest.tmp/lib" "$dest.tmp/usr"
mkdir -p "$dest.tmp/lib/modules"
mv "$keep" "$dest.tmp/lib/modules/$modver"
touch "$dest.tmp/.vfio-modules" "$dest.tmp/.complete"
rm -rf "$dest"
mv "$dest.tmp" "$dest"
log "unpacked into $dest"
emit "$dest"
