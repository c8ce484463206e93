#!/bin/sh
lspci -nn -D
lspci -v -D
for d in /sys/bus/pci/devices/*; do echo "$d $(cat $d/vendor) $(cat $d/device) drv=$(basename $(readlink $d/driver 2>/dev/null) 2>/dev/null)"; ls $d | grep resource | tr '\n' ' '; echo; cat $d/resource | head -7; done
cat /proc/iomem
cat /proc/ioports
