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
//
// The guard that makes that work is state shared with a signal handler, so every object
// the handler reads or writes is volatile (sig_atomic_t for the signal number), and
// atomic_signal_fence separates arming the guard from the first access and the last access
// from disarming it. Without that, an optimising compiler may drop the store that arms the
// guard (nothing it can see reads it before it is cleared), and a fault then kills the
// process. MMIOAccess.c says why each qualifier is there; Tests/EndToEndTests/
// FaultGuardDisassemblyTests.swift checks the release binary still stores the guard.
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

// Write-combining bursts (`load` and `fill` with --wc, on a resourceN_wc mapping): the same
// one store per register in ascending order, but no fence between them, so the CPU's
// write-combining buffers may merge neighbouring stores into larger bus writes; then one
// store fence (sfence on x86) after the last, so the burst is on its way before anything
// later. Never for registers with side effects per store: that is what the fenced writers are
// for. The caller pushes posted writes out with a read (--no-flush skips it).
int mmio_write_burst8(volatile uint8_t *registers, const uint8_t *values, size_t count, size_t *done);
int mmio_write_burst16(volatile uint16_t *registers, const uint16_t *values, size_t count, size_t *done);
int mmio_write_burst32(volatile uint32_t *registers, const uint32_t *values, size_t count, size_t *done);
int mmio_write_burst64(volatile uint64_t *registers, const uint64_t *values, size_t count, size_t *done);

#endif
