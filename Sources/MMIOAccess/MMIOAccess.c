#include "MMIOAccess.h"

#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>

// While an accessor runs, a fault inside [guard_low, guard_high) jumps back to it.
static _Thread_local sigjmp_buf *guard;
static _Thread_local uintptr_t guard_low, guard_high, fault_address;
static _Thread_local int fault_signal;
static pthread_once_t handlers_installed = PTHREAD_ONCE_INIT;

static void on_fault(int signal, siginfo_t *info, void *context) {
    (void)context;
    uintptr_t address = (uintptr_t)info->si_addr;
    if (guard && address >= guard_low && address < guard_high) {
        fault_address = address;
        fault_signal = signal;
        siglongjmp(*guard, 1);
    }
    // Not an access of ours: restore the default action and let the fault happen again.
    struct sigaction fallback;
    memset(&fallback, 0, sizeof fallback);
    fallback.sa_handler = SIG_DFL;
    sigaction(signal, &fallback, NULL);
}

static void install_handlers(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = on_fault;
    // SA_NODEFER: we leave the handler by siglongjmp without restoring the mask, so the signal
    // must not stay blocked for the next access.
    action.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&action.sa_mask);
    sigaction(SIGBUS, &action, NULL);
    sigaction(SIGSEGV, &action, NULL);
}

// The body of every accessor: `loop` runs with faults inside [registers, registers + count)
// turned into a return value. The faulting access did not complete; the ones before it did.
#define GUARDED(loop)                                                                  \
    pthread_once(&handlers_installed, install_handlers);                              \
    sigjmp_buf here;                                                                   \
    int signal = 0;                                                                    \
    /* C11 7.13.1.1: setjmp only as the whole controlling expression. */                \
    if (sigsetjmp(here, 0) == 0) {                                                     \
        guard_low = (uintptr_t)registers;                                              \
        guard_high = (uintptr_t)(registers + count);                                   \
        guard = &here;                                                                 \
        loop;                                                                          \
    }                                                                                  \
    else {                                                                             \
        signal = fault_signal;                                                         \
    }                                                                                  \
    guard = NULL;                                                                      \
    *done = signal ? (fault_address - guard_low) / sizeof *registers : count;          \
    return signal;

#define ACCESSORS(bits)                                                                \
    int mmio_read##bits(const volatile uint##bits##_t *registers, uint##bits##_t *values, \
                        size_t count, size_t *done) {                                 \
        GUARDED(for (size_t i = 0; i < count; i++) values[i] = registers[i])          \
    }                                                                                  \
    int mmio_write##bits(volatile uint##bits##_t *registers, const uint##bits##_t *values, \
                         size_t count, size_t *done) {                                \
        GUARDED(for (size_t i = 0; i < count; i++) {                                   \
            registers[i] = values[i];                                                  \
            atomic_thread_fence(memory_order_seq_cst);                                 \
        })                                                                             \
    }

ACCESSORS(8)
ACCESSORS(16)
ACCESSORS(32)
ACCESSORS(64)
