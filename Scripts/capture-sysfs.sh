#!/bin/sh
# Capture a machine's /sys/bus/pci as a fake tree (the kind make-fake-tree.py
# builds), so that
#     lspci -A linux-sysfs -O sysfs.path=DEST ...
# prints what lspci prints on the machine itself.
#
# Usage: capture-sysfs.sh DEST [SYSFS_PCI_DIR]      (default /sys/bus/pci)
#
# DEST/devices/<slot>/ are real directories (flattened: no bridge nesting)
# holding copies of the attribute files, "driver" and "iommu_group" as
# symlinks that resolve inside DEST (libpci realpath()s them and keeps the
# basename), and for every resourceN, resourceN_wc and rom a sparse file of
# the same size.  Their contents are never read: reading a live BAR can have
# side effects.  stat(1) only asks for the size.
#
# Runs under busybox sh with busybox applets only (the QEMU guest initramfs
# has nothing else): POSIX sh, cat, stat, truncate, readlink, basename, ls,
# mkdir, ln.

set -eu

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: $0 DEST [SYSFS_PCI_DIR]" >&2
    exit 2
fi
DEST=$1
SRC=${2:-/sys/bus/pci}

[ -d "$SRC/devices" ] || { echo "capture-sysfs: no $SRC/devices" >&2; exit 1; }
if [ -e "$DEST" ] && [ -n "$(ls -A "$DEST")" ]; then
    echo "capture-sysfs: $DEST exists and is not empty" >&2
    exit 1
fi
mkdir -p "$DEST/devices" "$DEST/drivers" "$DEST/slots"

# Plain attributes worth having.  Missing ones are skipped: not every kernel
# or device has them.  Never add vpd (slow, can hang on broken devices) or
# anything that touches BAR space.
ATTRS="vendor device class revision subsystem_vendor subsystem_device irq
numa_node local_cpulist enable modalias label resource config
current_link_speed current_link_width max_link_speed max_link_width"

# Copy one attribute; an unreadable one is dropped rather than left empty
# (libpci would parse an empty irq file as IRQ 0).
copy_attr() {
    cat "$1" > "$2" 2>/dev/null || { rm -f "$2"; echo "capture-sysfs: cannot read $1" >&2; }
}

count=0
for src in "$SRC"/devices/*; do
    [ -e "$src" ] || continue # empty directory: the glob stayed literal
    slot=$(basename "$src")
    out="$DEST/devices/$slot"
    mkdir "$out"

    for a in $ATTRS; do
        if [ -f "$src/$a" ]; then copy_attr "$src/$a" "$out/$a"; fi
    done

    for f in "$src"/resource[0-9]* "$src/rom"; do
        [ -f "$f" ] || continue
        name=$(basename "$f")
        case $name in
            resource[0-9] | resource[0-9]_wc | rom)
                # BAR and ROM files: size only.
                truncate -s "$(stat -c %s "$f")" "$out/$name" ;;
            resource[0-9]_resize)
                # Resizable BAR sizes: a text attribute, read from config space.
                copy_attr "$f" "$out/$name" ;;
        esac
    done

    if [ -L "$src/driver" ]; then
        drv=$(basename "$(readlink "$src/driver")")
        mkdir -p "$DEST/drivers/$drv"
        ln -s "../../drivers/$drv" "$out/driver"
        ln -s "../../devices/$slot" "$DEST/drivers/$drv/$slot"
    fi
    if [ -L "$src/iommu_group" ]; then
        grp=$(basename "$(readlink "$src/iommu_group")")
        mkdir -p "$DEST/iommu_groups/$grp"
        ln -s "../../iommu_groups/$grp" "$out/iommu_group"
    fi
    count=$((count + 1))
done

# Physical slot names (lspci's PhySlot): only the address file matters.
for s in "$SRC"/slots/*; do
    [ -f "$s/address" ] || continue
    mkdir -p "$DEST/slots/$(basename "$s")"
    cat "$s/address" > "$DEST/slots/$(basename "$s")/address"
done

echo "capture-sysfs: captured $count devices from $SRC into $DEST" >&2
