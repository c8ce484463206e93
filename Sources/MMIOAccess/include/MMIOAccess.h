// The only code in pcimmio that touches device memory.
//
// Each function performs exactly `count` volatile accesses of one width, in ascending
// address order: never merged, split, widened, elided or done through memcpy. Every store
// is followed by a full memory barrier, so the CPU issues it before any later access (PCIe
// writes are posted: a following read of the same device is what guarantees arrival).
//
// A fault during an access (SIGBUS when a device disappears or a file shrinks under its
// mapping) does not kill the process: the function returns the signal number, with the
// number of accesses completed in *done. 0 means all `count` accesses happened.
#ifndef MMIO_ACCESS_H
#define MMIO_ACCESS_H

#include <stddef.h>
#include <stdint.h>

int mmio_read8(const volatile uint8_t *registers, uint8_t *values, size_t count, size_t *done);
int mmio_read16(const volatile uint16_t *registers, uint16_t *values, size_t count, size_t *done);
int mmio_read32(const volatile uint32_t *registers, uint32_t *values, size_t count, size_t *done);
int mmio_read64(const volatile uint64_t *registers, uint64_t *values, size_t count, size_t *done);

int mmio_write8(volatile uint8_t *registers, const uint8_t *values, size_t count, size_t *done);
int mmio_write16(volatile uint16_t *registers, const uint16_t *values, size_t count, size_t *done);
int mmio_write32(volatile uint32_t *registers, const uint32_t *values, size_t count, size_t *done);
int mmio_write64(volatile uint64_t *registers, const uint64_t *values, size_t count, size_t *done);

#endif
