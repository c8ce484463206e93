#!/usr/bin/env bash
# Fetch a Debian 6.1 amd64 kernel (vmlinuz) for the QEMU end-to-end suite.
#
# Usage: Scripts/qemu/fetch-kernel.sh [--print-config]
#   Prints the absolute path of the unpacked vmlinuz on stdout (the config
#   file path instead with --print-config).
#
# The kernel package is downloaded with `apt-get download` (no install, no
# modules needed: PCI sysfs, devtmpfs and the serial console are built in)
# and unpacked with `dpkg -x` into
#   ${PCIMMIO_CACHE:-$HOME/.cache/pcimmio}/qemu/kernel-<version>/
# A second run finds the cached tree and downloads nothing.
#
# Environment:
#   PCIMMIO_CACHE          cache root (default $HOME/.cache/pcimmio)
#   PCIMMIO_KERNEL_PKG     force a package name (e.g. linux-image-6.1.0-56-amd64)
set -euo pipefail

CACHE_ROOT="${PCIMMIO_CACHE:-$HOME/.cache/pcimmio}"
QDIR="$CACHE_ROOT/qemu"
mkdir -p "$QDIR"

log() { echo "fetch-kernel: $*" >&2; }

want_config=0
[ "${1:-}" = "--print-config" ] && want_config=1

emit() { # $1 = unpack dir
    local dir="$1" vmlinuz config
    vmlinuz=$(ls "$dir"/boot/vmlinuz-* 2>/dev/null | head -n1 || true)
    config=$(ls "$dir"/boot/config-* 2>/dev/null | head -n1 || true)
    [ -n "$vmlinuz" ] && [ -s "$vmlinuz" ] || return 1
    if [ "$want_config" = 1 ]; then echo "$config"; else echo "$vmlinuz"; fi
}

# Fast path: a cached kernel (the newest one) is used without touching apt,
# unless a specific package was requested.
if [ -z "${PCIMMIO_KERNEL_PKG:-}" ]; then
    cached=$(ls -d "$QDIR"/kernel-linux-image-6.1.0-*-amd64 2>/dev/null | sort -V | tail -n1 || true)
    if [ -n "$cached" ] && [ -f "$cached/.complete" ] && emit "$cached"; then
        exit 0
    fi
else
    d="$QDIR/kernel-$PCIMMIO_KERNEL_PKG"
    if [ -f "$d/.complete" ] && emit "$d"; then exit 0; fi
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
if [ -f "$dest/.complete" ] && emit "$dest"; then exit 0; fi

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
# Keep only /boot (vmlinuz, config, System.map); the modules are not needed.
rm -rf "$dest.tmp/lib" "$dest.tmp/usr"
touch "$dest.tmp/.complete"
rm -rf "$dest"
mv "$dest.tmp" "$dest"
log "unpacked into $dest"
emit "$dest"
