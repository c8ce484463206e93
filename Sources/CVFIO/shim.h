// The kernel's VFIO interface (<linux/vfio.h>) in a shape Swift can call: its request numbers
// are function-like macros and ioctl is variadic, and Swift imports neither.
#ifndef PCIMMIO_CVFIO_SHIM_H
#define PCIMMIO_CVFIO_SHIM_H

#include <linux/vfio.h>
#include <sys/ioctl.h>

enum {
    pcimmio_vfio_api_version = VFIO_API_VERSION,
    pcimmio_vfio_type1_iommu = VFIO_TYPE1_IOMMU,
    pcimmio_vfio_type1v2_iommu = VFIO_TYPE1v2_IOMMU,
    pcimmio_vfio_group_viable = VFIO_GROUP_FLAGS_VIABLE,
    pcimmio_vfio_region_read = VFIO_REGION_INFO_FLAG_READ,
    pcimmio_vfio_region_write = VFIO_REGION_INFO_FLAG_WRITE,
    pcimmio_vfio_region_mmap = VFIO_REGION_INFO_FLAG_MMAP,
    pcimmio_vfio_region_caps = VFIO_REGION_INFO_FLAG_CAPS,
    pcimmio_vfio_cap_sparse_mmap = VFIO_REGION_INFO_CAP_SPARSE_MMAP,
    pcimmio_vfio_config_region = VFIO_PCI_CONFIG_REGION_INDEX,
    pcimmio_vfio_rom_region = VFIO_PCI_ROM_REGION_INDEX,
};

static inline int pcimmio_vfio_get_api_version(int container) {
    return ioctl(container, VFIO_GET_API_VERSION);
}

static inline int pcimmio_vfio_check_extension(int container, unsigned long extension) {
    return ioctl(container, VFIO_CHECK_EXTENSION, extension);
}

static inline int pcimmio_vfio_set_iommu(int container, unsigned long type) {
    return ioctl(container, VFIO_SET_IOMMU, type);
}

static inline int pcimmio_vfio_group_get_status(int group, struct vfio_group_status *status) {
    return ioctl(group, VFIO_GROUP_GET_STATUS, status);
}

static inline int pcimmio_vfio_group_set_container(int group, int *container) {
    return ioctl(group, VFIO_GROUP_SET_CONTAINER, container);
}

static inline int pcimmio_vfio_group_get_device_fd(int group, const char *name) {
    return ioctl(group, VFIO_GROUP_GET_DEVICE_FD, name);
}

/// `info` points at `info->argsz` bytes: the fixed part, then room for capabilities.
static inline int pcimmio_vfio_device_get_region_info(int device, struct vfio_region_info *info) {
    return ioctl(device, VFIO_DEVICE_GET_REGION_INFO, info);
}

#endif
