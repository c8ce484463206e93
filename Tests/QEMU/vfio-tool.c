/*
 * vfio-tool: test scaffolding for the QEMU end-to-end suite (not part of pcimmio).
 *
 * A minimal, independent VFIO client (container/group API of Linux 6.1), built on the host
 * with `gcc -static` by Scripts/qemu/build-initramfs.sh and put into the guest as
 * /usr/bin/vfio-tool. It is the suite's VFIO oracle, the way memtool is the /dev/mem and
 * resourceN oracle, and the tool that makes vfio-pci zap another process's BAR mapping.
 *
 *   vfio-tool [--pid PID] DEVICE info                   regions: index, size, offset, flags, caps
 *   vfio-tool [--pid PID] DEVICE cfg-read OFF WIDTH     config space through VFIO's config region
 *   vfio-tool [--pid PID] DEVICE cfg-write OFF WIDTH VALUE
 *   vfio-tool [--pid PID] DEVICE cfg-clear OFF WIDTH BITS   read, clear BITS, write; prints old -> new
 *   vfio-tool DEVICE bar-read BAR OFF WIDTH [COUNT [STRIDE]]
 *                                                       one pread of WIDTH bits at the BAR offset
 *                                                       (COUNT of them, STRIDE bytes apart, default
 *                                                       the width; one value per line)
 *   vfio-tool DEVICE bar-write BAR OFF WIDTH VALUE      one pwrite
 *   vfio-tool DEVICE mmap-read BAR OFF WIDTH            mmap the region, one volatile load
 *   vfio-tool DEVICE mmap-poll BAR OFF WIDTH COUNT MS   mmap, then COUNT loads MS ms apart; prints
 *                                                       the first value; on SIGBUS prints
 *                                                       "SIGBUS after N reads" and exits 3
 *                                                       (with VFIO_TOOL_SIGBUS_EXIT=1: that line on
 *                                                       stderr as "bus error (SIGBUS) ...", exit 1)
 *   vfio-tool DEVICE hold SECONDS                       open the group and device, sleep (a "busy" holder)
 *
 * DEVICE is a full slot (0000:00:02.0), bound to vfio-pci. WIDTH is 8, 16, 32 or 64.
 *
 * --pid PID: instead of opening the group (which only one process may hold open at a time,
 * so it is EBUSY while pcimmio holds it), take a duplicate of PID's VFIO device file
 * descriptor with pidfd_getfd(2) (Linux 5.6; needs ptrace access to PID: root). Among PID's
 * descriptors whose link is "anon_inode:[vfio-device]", the one whose config space starts
 * with DEVICE's vendor and device ids (from sysfs) is used (when PID holds none, because it
 * kept only its mapping, the group is opened as without --pid). A config write through it is
 * exactly what a write through PID's own descriptor would be: clearing the Memory Space bit
 * (cfg-clear 4 16 2) makes vfio-pci zap every mmap of the device's BARs, in every process,
 * so PID's next access to its mapping faults (SIGBUS).
 *
 * Output: values as 0x + WIDTH/4 hex digits. Errors: one line "vfio-tool: ..." on stderr, exit 1.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <setjmp.h>
#include <signal.h>
#include <linux/vfio.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

static void die(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("vfio-tool: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

static uint64_t num(const char *s) {
    char *end;
    errno = 0;
    uint64_t v = strtoull(s, &end, 0);
    if (errno || *end || end == s) die("not a number: %s", s);
    return v;
}

static unsigned width_bytes(const char *s) {
    uint64_t w = num(s);
    if (w != 8 && w != 16 && w != 32 && w != 64) die("width must be 8, 16, 32 or 64, not %s", s);
    return (unsigned)(w / 8);
}

static void print_value(uint64_t v, unsigned n) { printf("0x%0*" PRIx64 "\n", (int)(2 * n), v); }

static uint32_t sysfs_hex(const char *dev, const char *file) {
    char path[512], buf[64];
    snprintf(path, sizeof path, "/sys/bus/pci/devices/%s/%s", dev, file);
    FILE *f = fopen(path, "r");
    if (!f) die("%s: %s", path, strerror(errno));
    if (!fgets(buf, sizeof buf, f)) die("%s: empty", path);
    fclose(f);
    return (uint32_t)strtoul(buf, NULL, 16);
}

static void region_info(int dev, unsigned index, struct vfio_region_info *ri) {
    memset(ri, 0, sizeof *ri);
    ri->argsz = sizeof *ri;
    ri->index = index;
    if (ioctl(dev, VFIO_DEVICE_GET_REGION_INFO, ri) < 0)
        die("VFIO_DEVICE_GET_REGION_INFO %u: %s", index, strerror(errno));
}

static uint64_t do_pread(int dev, uint64_t off, unsigned n) {
    uint64_t v = 0;
    ssize_t r = pread(dev, &v, n, (off_t)off);
    if (r != (ssize_t)n) die("pread %u bytes at 0x%" PRIx64 ": %s", n, off, r < 0 ? strerror(errno) : "short read");
    return v;
}

static void do_pwrite(int dev, uint64_t off, unsigned n, uint64_t v) {
    ssize_t r = pwrite(dev, &v, n, (off_t)off);
    if (r != (ssize_t)n) die("pwrite %u bytes at 0x%" PRIx64 ": %s", n, off, r < 0 ? strerror(errno) : "short write");
}

static int open_via_group(const char *name) {
    char link[512], target[512];
    snprintf(link, sizeof link, "/sys/bus/pci/devices/%s/iommu_group", name);
    ssize_t n = readlink(link, target, sizeof target - 1);
    if (n < 0) die("%s: %s (no IOMMU group: is an IOMMU enabled?)", link, strerror(errno));
    target[n] = 0;
    char gpath[600];
    snprintf(gpath, sizeof gpath, "/dev/vfio/%s", basename(target));
    int container = open("/dev/vfio/vfio", O_RDWR);
    if (container < 0) die("/dev/vfio/vfio: %s", strerror(errno));
    if (ioctl(container, VFIO_GET_API_VERSION) != VFIO_API_VERSION) die("unknown VFIO API version");
    int group = open(gpath, O_RDWR);
    if (group < 0) die("%s: %s", gpath, strerror(errno));
    struct vfio_group_status st = {.argsz = sizeof st};
    if (ioctl(group, VFIO_GROUP_GET_STATUS, &st) < 0) die("VFIO_GROUP_GET_STATUS: %s", strerror(errno));
    if (!(st.flags & VFIO_GROUP_FLAGS_VIABLE)) die("group %s is not viable", gpath);
    if (ioctl(group, VFIO_GROUP_SET_CONTAINER, &container) < 0) die("VFIO_GROUP_SET_CONTAINER: %s", strerror(errno));
    if (ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1_IOMMU) < 0) die("VFIO_SET_IOMMU: %s", strerror(errno));
    int dev = ioctl(group, VFIO_GROUP_GET_DEVICE_FD, name);
    if (dev < 0) die("VFIO_GROUP_GET_DEVICE_FD %s: %s", name, strerror(errno));
    return dev;
}

static int open_via_pid(const char *name, int pid) {
    uint32_t want = sysfs_hex(name, "vendor") | (sysfs_hex(name, "device") << 16);
    int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (pidfd < 0) die("pidfd_open %d: %s", pid, strerror(errno));
    char dpath[64];
    snprintf(dpath, sizeof dpath, "/proc/%d/fd", pid);
    DIR *d = opendir(dpath);
    if (!d) die("%s: %s", dpath, strerror(errno));
    struct dirent *e;
    int candidates = 0;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char lp[600], t[256];
        snprintf(lp, sizeof lp, "%s/%s", dpath, e->d_name);
        ssize_t n = readlink(lp, t, sizeof t - 1);
        if (n < 0) continue;
        t[n] = 0;
        if (strcmp(t, "anon_inode:[vfio-device]") != 0) continue;
        candidates++;
        int fd = (int)syscall(SYS_pidfd_getfd, pidfd, atoi(e->d_name), 0);
        if (fd < 0) die("pidfd_getfd %d fd %s: %s", pid, e->d_name, strerror(errno));
        struct vfio_region_info ri;
        region_info(fd, VFIO_PCI_CONFIG_REGION_INDEX, &ri);
        if ((uint32_t)do_pread(fd, ri.offset, 4) == want) {
            closedir(d);
            return fd;
        }
        close(fd);
    }
    closedir(d);
    if (candidates == 0) {
        /* PID may have closed its descriptors and kept only its mapping (which keeps the
           device open): then the group is free, and a new descriptor reaches the same device. */
        fprintf(stderr, "vfio-tool: process %d holds no VFIO device descriptor; opening the group\n", pid);
        return open_via_group(name);
    }
    die("process %d holds %d VFIO device descriptor(s), none for %s", pid, candidates, name);
    return -1;
}

static sigjmp_buf bus_jump;
static void on_sigbus(int sig) {
    (void)sig;
    siglongjmp(bus_jump, 1);
}

static uint64_t load(volatile void *p, unsigned n) {
    return n == 1 ? *(volatile uint8_t *)p : n == 2 ? *(volatile uint16_t *)p
         : n == 4 ? *(volatile uint32_t *)p : *(volatile uint64_t *)p;
}

static volatile void *map_region(int dev, const char *bar, uint64_t off, unsigned n) {
    struct vfio_region_info ri;
    region_info(dev, (unsigned)num(bar), &ri);
    if (!(ri.flags & VFIO_REGION_INFO_FLAG_MMAP)) die("region %s cannot be mmapped", bar);
    if (off + n > ri.size) die("offset 0x%" PRIx64 " past the region (0x%llx)", off, (unsigned long long)ri.size);
    void *m = mmap(NULL, ri.size, PROT_READ, MAP_SHARED, dev, (off_t)ri.offset);
    if (m == MAP_FAILED) die("mmap: %s", strerror(errno));
    return (volatile char *)m + off;
}

static const char *flag_names(uint32_t f, char *buf, size_t len) {
    snprintf(buf, len, "%s%s%s", f & VFIO_REGION_INFO_FLAG_READ ? "r" : "-",
             f & VFIO_REGION_INFO_FLAG_WRITE ? "w" : "-", f & VFIO_REGION_INFO_FLAG_MMAP ? "m" : "-");
    return buf;
}

static void info(int dev) {
    struct vfio_device_info di = {.argsz = sizeof di};
    if (ioctl(dev, VFIO_DEVICE_GET_INFO, &di) < 0) die("VFIO_DEVICE_GET_INFO: %s", strerror(errno));
    printf("device flags 0x%x regions %u irqs %u%s\n", di.flags, di.num_regions, di.num_irqs,
           di.flags & VFIO_DEVICE_FLAGS_PCI ? " pci" : "");
    for (unsigned i = 0; i < di.num_regions; i++) {
        struct vfio_region_info ri = {.argsz = sizeof ri, .index = i};
        if (ioctl(dev, VFIO_DEVICE_GET_REGION_INFO, &ri) < 0) {
            /* e.g. the VGA region (index 8) of a device that is not a VGA controller */
            printf("region %u unavailable: %s\n", i, strerror(errno));
            continue;
        }
        char fb[8];
        printf("region %u size 0x%" PRIx64 " offset 0x%" PRIx64 " flags %s", i, (uint64_t)ri.size,
               (uint64_t)ri.offset, flag_names(ri.flags, fb, sizeof fb));
        if ((ri.flags & VFIO_REGION_INFO_FLAG_CAPS) && ri.argsz > sizeof ri) {
            struct vfio_region_info *big = calloc(1, ri.argsz);
            big->argsz = ri.argsz;
            big->index = i;
            if (ioctl(dev, VFIO_DEVICE_GET_REGION_INFO, big) == 0 && big->cap_offset) {
                uint32_t off = big->cap_offset;
                while (off) {
                    struct vfio_info_cap_header *h = (void *)((char *)big + off);
                    if (h->id == VFIO_REGION_INFO_CAP_SPARSE_MMAP) {
                        struct vfio_region_info_cap_sparse_mmap *sp = (void *)h;
                        printf(" sparse-mmap");
                        for (uint32_t a = 0; a < sp->nr_areas; a++)
                            printf(" 0x%llx+0x%llx", (unsigned long long)sp->areas[a].offset,
                                   (unsigned long long)sp->areas[a].size);
                    } else if (h->id == VFIO_REGION_INFO_CAP_MSIX_MAPPABLE) {
                        printf(" msix-mappable");
                    } else {
                        printf(" cap-%u", h->id);
                    }
                    off = h->next;
                }
            }
            free(big);
        }
        printf("\n");
    }
}

int main(int argc, char **argv) {
    int pid = 0;
    int a = 1;
    if (argc > 2 && strcmp(argv[1], "--pid") == 0) {
        pid = (int)num(argv[2]);
        a = 3;
    }
    if (argc - a < 2) {
        fprintf(stderr, "usage: vfio-tool [--pid PID] DEVICE info|cfg-read|cfg-write|cfg-clear|bar-read|bar-write|mmap-read|hold ...\n");
        return 2;
    }
    const char *name = argv[a], *cmd = argv[a + 1];
    char **arg = argv + a + 2;
    int nargs = argc - a - 2;
    int dev = pid ? open_via_pid(name, pid) : open_via_group(name);
    struct vfio_region_info ri;

    if (!strcmp(cmd, "info") && nargs == 0) {
        info(dev);
    } else if (!strcmp(cmd, "cfg-read") && nargs == 2) {
        unsigned n = width_bytes(arg[1]);
        region_info(dev, VFIO_PCI_CONFIG_REGION_INDEX, &ri);
        print_value(do_pread(dev, ri.offset + num(arg[0]), n), n);
    } else if (!strcmp(cmd, "cfg-write") && nargs == 3) {
        unsigned n = width_bytes(arg[1]);
        region_info(dev, VFIO_PCI_CONFIG_REGION_INDEX, &ri);
        do_pwrite(dev, ri.offset + num(arg[0]), n, num(arg[2]));
    } else if (!strcmp(cmd, "cfg-clear") && nargs == 3) {
        unsigned n = width_bytes(arg[1]);
        region_info(dev, VFIO_PCI_CONFIG_REGION_INDEX, &ri);
        uint64_t off = ri.offset + num(arg[0]);
        uint64_t old = do_pread(dev, off, n), new = old & ~num(arg[2]);
        do_pwrite(dev, off, n, new);
        printf("0x%0*" PRIx64 " -> 0x%0*" PRIx64 "\n", (int)(2 * n), old, (int)(2 * n), new);
    } else if (!strcmp(cmd, "bar-read") && nargs >= 3 && nargs <= 5) {
        unsigned n = width_bytes(arg[2]);
        uint64_t count = nargs > 3 ? num(arg[3]) : 1, stride = nargs > 4 ? num(arg[4]) : n;
        region_info(dev, (unsigned)num(arg[0]), &ri);
        for (uint64_t i = 0; i < count; i++)
            print_value(do_pread(dev, ri.offset + num(arg[1]) + i * stride, n), n);
    } else if (!strcmp(cmd, "bar-write") && nargs == 4) {
        unsigned n = width_bytes(arg[2]);
        region_info(dev, (unsigned)num(arg[0]), &ri);
        do_pwrite(dev, ri.offset + num(arg[1]), n, num(arg[3]));
    } else if (!strcmp(cmd, "mmap-read") && nargs == 3) {
        unsigned n = width_bytes(arg[2]);
        print_value(load(map_region(dev, arg[0], num(arg[1]), n), n), n);
    } else if (!strcmp(cmd, "mmap-poll") && nargs == 5) {
        unsigned n = width_bytes(arg[2]);
        volatile void *p = map_region(dev, arg[0], num(arg[1]), n);
        uint64_t count = num(arg[3]), ms = num(arg[4]);
        static volatile uint64_t done = 0; /* survives the siglongjmp */
        struct sigaction sa = {.sa_handler = on_sigbus};
        sigaction(SIGBUS, &sa, NULL);
        if (sigsetjmp(bus_jump, 1)) {
            const char *e = getenv("VFIO_TOOL_SIGBUS_EXIT");
            if (e && !strcmp(e, "1")) {
                fprintf(stderr, "vfio-tool: bus error (SIGBUS) after %" PRIu64 " reads\n", done);
                return 1;
            }
            printf("SIGBUS after %" PRIu64 " reads\n", done);
            return 3;
        }
        for (done = 0; done < count;) {
            uint64_t v = load(p, n);
            if (done++ == 0) {
                print_value(v, n);
                fflush(stdout);
            }
            usleep((useconds_t)(ms * 1000));
        }
        printf("%" PRIu64 " reads, no fault\n", done);
    } else if (!strcmp(cmd, "hold") && nargs == 1) {
        printf("holding %s\n", name);
        fflush(stdout);
        sleep((unsigned)num(arg[0]));
    } else {
        die("unknown command or wrong number of arguments: %s", cmd);
    }
    return 0;
}
