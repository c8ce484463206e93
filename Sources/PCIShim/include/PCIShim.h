// Fixed-argument, non-exiting wrappers around libpci, which is loaded with dlopen on first use
// (pcimmio does not link it: see PCIShim.c).
//
// Swift cannot call C variadic functions (pci_lookup_name), and libpci's default error
// handler prints and exits the process. Every wrapper here runs the libpci call under a
// guard: if libpci reports an error, the wrapper returns failure with libpci's message in
// `err` instead of ending the process.
#ifndef PCISHIM_H
#define PCISHIM_H

#include <stddef.h>
#include <stdint.h>
#include <pci/pci.h>

/// The library loaded on first use (libpci3's soname).
#define PCISHIM_LIBRARY "libpci.so.3"

/// Loads libpci if it is not loaded yet. Returns 0, or -1 with the reason in `err`. The
/// functions below that take `err` load it themselves; the others need a handle from
/// pcishim_open, so it is loaded by then.
int pcishim_load(char *err, size_t err_len);

/// Allocates a libpci handle on the Linux sysfs back-end rooted at `sysfs_path` (the
/// directory that stands for /sys/bus/pci, as `lspci -O sysfs.path=`), and scans the bus.
/// Returns NULL with the reason in `err` on failure (libpci not loadable included).
struct pci_access *pcishim_open(const char *sysfs_path, char *err, size_t err_len);

/// Fills the requested PCI_FILL_* fields. Returns 0, or -1 with the reason in `err`.
int pcishim_fill_info(struct pci_dev *dev, unsigned int flags, char *err, size_t err_len);

/// The device's bound driver (PCI_FILL_DRIVER must be filled), or NULL.
const char *pcishim_driver(struct pci_dev *dev);

/// Names from pci.ids (or udev's hwdb, as lspci); NULL when the database has no entry.
const char *pcishim_vendor_name(struct pci_access *a, char *buf, int len, uint16_t vendor);
const char *pcishim_device_name(struct pci_access *a, char *buf, int len, uint16_t vendor, uint16_t device);
const char *pcishim_class_name(struct pci_access *a, char *buf, int len, uint16_t device_class);

/// lspci's -s and -d syntax. Return 0, or -1 with libpci's complaint in `err`, or -2 with
/// the reason libpci could not be loaded.
int pcishim_filter_slot(struct pci_filter *filter, const char *text, char *err, size_t err_len);
int pcishim_filter_id(struct pci_filter *filter, const char *text, char *err, size_t err_len);

/// pci_filter_match (a filter parsed above, a device of an open handle).
int pcishim_filter_match(struct pci_filter *filter, struct pci_dev *dev);

/// Moves the warnings libpci printed since the last call into `buf` (newline-separated).
/// Returns the number of bytes written.
size_t pcishim_take_warnings(char *buf, size_t len);

void pcishim_close(struct pci_access *a);

#endif
