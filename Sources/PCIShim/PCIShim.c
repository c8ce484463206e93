#include "PCIShim.h"

#include <dlfcn.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// libpci's error callback must not return. While a wrapper runs, it jumps back here instead.
static _Thread_local sigjmp_buf *active_guard;
static _Thread_local char error_message[512];
static _Thread_local char warnings[2048];
static _Thread_local size_t warnings_used;

PCI_NONRET static void on_error(char *msg, ...) {
    va_list args;
    va_start(args, msg);
    vsnprintf(error_message, sizeof error_message, msg, args);
    va_end(args);
    if (active_guard) siglongjmp(*active_guard, 1);
    // Not reachable through this shim's entry points; never let libpci exit silently.
    fprintf(stderr, "pcimmio: libpci: %s\n", error_message);
    abort();
}

static void on_warning(char *msg, ...) {
    if (warnings_used >= sizeof warnings - 1) return;
    va_list args;
    va_start(args, msg);
    int n = vsnprintf(warnings + warnings_used, sizeof warnings - warnings_used - 1, msg, args);
    va_end(args);
    if (n < 0) return;
    warnings_used += (size_t)n < sizeof warnings - warnings_used - 1 ? (size_t)n : sizeof warnings - warnings_used - 2;
    warnings[warnings_used++] = '\n';
    warnings[warnings_used] = 0;
}

static void on_debug(char *msg, ...) { (void)msg; }

// libpci is opened on first use, not linked: loading it (with libudev and libz behind it)
// and relocating them is a quarter of a one-register peek's start-up, and a peek on a full
// slot reads its device's sysfs directory without libpci. The table holds every libpci entry
// point this shim calls, typed from <pci/pci.h>, so the calls stay checked by the compiler.
// dlsym returns each symbol's default version: the one linking against this header binds.
#define LIBPCI_ENTRY_POINTS(X) \
    X(pci_alloc) X(pci_init) X(pci_scan_bus) X(pci_set_param) X(pci_fill_info) \
    X(pci_get_string_property) X(pci_lookup_name) X(pci_filter_init) X(pci_filter_parse_slot) \
    X(pci_filter_parse_id) X(pci_filter_match) X(pci_cleanup)

static struct {
#define LIBPCI_FIELD(name) __typeof__(name) *name;
    LIBPCI_ENTRY_POINTS(LIBPCI_FIELD)
#undef LIBPCI_FIELD
} libpci;
static int libpci_loaded;
static pthread_mutex_t libpci_loading = PTHREAD_MUTEX_INITIALIZER;

static int load_locked(char *err, size_t err_len) {
    if (libpci_loaded) return 0;
    void *library = dlopen(PCISHIM_LIBRARY, RTLD_NOW | RTLD_LOCAL);
    if (!library) {
        snprintf(err, err_len, "cannot load %s (%s): install libpci3", PCISHIM_LIBRARY, dlerror());
        return -1;
    }
#define LIBPCI_RESOLVE(name)                                                              \
    if (!(libpci.name = (__typeof__(name) *)dlsym(library, #name))) {                      \
        snprintf(err, err_len, "%s has no %s: libpci3 is older than pcimmio needs", PCISHIM_LIBRARY, #name); \
        dlclose(library);                                                                 \
        return -1;                                                                        \
    }
    LIBPCI_ENTRY_POINTS(LIBPCI_RESOLVE)
#undef LIBPCI_RESOLVE
    libpci_loaded = 1;
    return 0;
}

int pcishim_load(char *err, size_t err_len) {
    pthread_mutex_lock(&libpci_loading);
    int result = load_locked(err, err_len);
    pthread_mutex_unlock(&libpci_loading);
    return result;
}

static void copy_error(char *err, size_t err_len) {
    if (err && err_len) snprintf(err, err_len, "%s", error_message);
}

// Runs `body` with libpci's errors turned into a -1 return.
#define GUARDED(err, err_len, body)              \
    do {                                         \
        sigjmp_buf guard;                        \
        sigjmp_buf *outer = active_guard;        \
        if (sigsetjmp(guard, 0)) {               \
            active_guard = outer;                \
            copy_error(err, err_len);            \
            return -1;                           \
        }                                        \
        active_guard = &guard;                   \
        body;                                    \
        active_guard = outer;                    \
    } while (0)

static int open_guarded(struct pci_access *a, const char *sysfs_path, char *err, size_t err_len) {
    GUARDED(err, err_len, {
        a->method = PCI_ACCESS_SYS_BUS_PCI;
        libpci.pci_set_param(a, "sysfs.path", (char *)sysfs_path);
        libpci.pci_init(a);
        libpci.pci_scan_bus(a);
    });
    return 0;
}

struct pci_access *pcishim_open(const char *sysfs_path, char *err, size_t err_len) {
    if (pcishim_load(err, err_len) != 0) return NULL;
    struct pci_access *a = libpci.pci_alloc();
    if (!a) {
        snprintf(err, err_len, "out of memory");
        return NULL;
    }
    a->error = on_error;
    a->warning = on_warning;
    a->debug = on_debug;
    if (open_guarded(a, sysfs_path, err, err_len) != 0) {
        pcishim_close(a);
        return NULL;
    }
    return a;
}

int pcishim_fill_info(struct pci_dev *dev, unsigned int flags, char *err, size_t err_len) {
    GUARDED(err, err_len, libpci.pci_fill_info(dev, (int)flags));
    return 0;
}

const char *pcishim_driver(struct pci_dev *dev) {
    return libpci.pci_get_string_property(dev, PCI_FILL_DRIVER);
}

static const char *lookup(struct pci_access *a, char *buf, int len, int flags, unsigned int x, unsigned int y) {
    const char *name = NULL;
    sigjmp_buf guard;
    sigjmp_buf *outer = active_guard;
    if (!sigsetjmp(guard, 0)) {
        active_guard = &guard;
        name = libpci.pci_lookup_name(a, buf, len, flags | PCI_LOOKUP_NO_NUMBERS, x, y);
    }
    active_guard = outer;
    return name;
}

const char *pcishim_vendor_name(struct pci_access *a, char *buf, int len, uint16_t vendor) {
    return lookup(a, buf, len, PCI_LOOKUP_VENDOR, vendor, 0);
}

const char *pcishim_device_name(struct pci_access *a, char *buf, int len, uint16_t vendor, uint16_t device) {
    return lookup(a, buf, len, PCI_LOOKUP_DEVICE, vendor, device);
}

const char *pcishim_class_name(struct pci_access *a, char *buf, int len, uint16_t device_class) {
    return lookup(a, buf, len, PCI_LOOKUP_CLASS, device_class, 0);
}

typedef char *(*filter_parser)(struct pci_filter *, char *);

static int parse_filter(filter_parser parse, struct pci_filter *filter, const char *text, char *err, size_t err_len) {
    // libpci's parsers write into the string they are given.
    char *copy = strdup(text);
    if (!copy) {
        snprintf(err, err_len, "out of memory");
        return -1;
    }
    char *complaint = parse(filter, copy);
    if (complaint) snprintf(err, err_len, "%s", complaint);
    free(copy);
    return complaint ? -1 : 0;
}

int pcishim_filter_slot(struct pci_filter *filter, const char *text, char *err, size_t err_len) {
    if (pcishim_load(err, err_len) != 0) return -2;
    libpci.pci_filter_init(NULL, filter);
    return parse_filter(libpci.pci_filter_parse_slot, filter, text, err, err_len);
}

int pcishim_filter_id(struct pci_filter *filter, const char *text, char *err, size_t err_len) {
    if (pcishim_load(err, err_len) != 0) return -2;
    libpci.pci_filter_init(NULL, filter);
    return parse_filter(libpci.pci_filter_parse_id, filter, text, err, err_len);
}

int pcishim_filter_match(struct pci_filter *filter, struct pci_dev *dev) {
    return libpci.pci_filter_match(filter, dev);
}

size_t pcishim_take_warnings(char *buf, size_t len) {
    size_t n = warnings_used < len ? warnings_used : len;
    memcpy(buf, warnings, n);
    warnings_used = 0;
    warnings[0] = 0;
    return n;
}

void pcishim_close(struct pci_access *a) {
    sigjmp_buf guard;
    sigjmp_buf *outer = active_guard;
    if (!sigsetjmp(guard, 0)) {
        active_guard = &guard;
        libpci.pci_cleanup(a);
    }
    active_guard = outer;
}
