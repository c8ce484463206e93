#include "MMIOAccess.h"

#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>

// State shared with the fault handler. The handler runs on the thread that faulted (SIGBUS
// and SIGSEGV from a load or store are synchronous), so each thread has its own copy.
//
// Why each is volatile: between arming and disarming, the compiler sees only volatile
// device accesses, which order nothing but other volatile accesses. A plain store of
// `guard` there is dead to the compiler (nothing it can see reads it before `guard = NULL`)
// and release builds dropped it: the handler then found no guard and the process died of
// SIGBUS. Volatile makes every store to these objects happen, in program order with the
// device accesses; the atomic_signal_fence calls in GUARDED are the compiler barriers the C
// standard names for ordering against a signal handler on the same thread. The handler's
// own stores (fault_address, fault_signal) are read after siglongjmp, which C11 7.13.2.1
// only defines for volatile objects.
static _Thread_local sigjmp_buf *volatile guard;
static _Thread_local volatile uintptr_t guard_low, guard_high, fault_address;
static _Thread_local volatile sig_atomic_t fault_signal;
static pthread_once_t handlers_installed = PTHREAD_ONCE_INIT;

static void on_fault(int signal, siginfo_t *info, void *context) {
    (void)context;
    uintptr_t address = (uintptr_t)info->si_addr;
    sigjmp_buf *armed = guard;
    if (armed && address >= guard_low && address < guard_high) {
        fault_address = address;
        fault_signal = signal;
        siglongjmp(*armed, 1);
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
// The guard is armed (bounds first, then the pointer the handler tests) before the first
// access and disarmed after the last; the signal fences keep the compiler from moving any
// access across either edge.
#define GUARDED(loop)                                                                  \
    pthread_once(&handlers_installed, install_handlers);                              \
    sigjmp_buf here;                                                                   \
    int signal = 0;                                                                    \
    /* C11 7.13.1.1: setjmp only as the whole controlling expression. */                \
    if (sigsetjmp(here, 0) == 0) {                                                     \
        guard_low = (uintptr_t)registers;                                              \
        guard_high = (uintptr_t)(registers + count);                                   \
        atomic_signal_fence(memory_order_seq_cst);                                     \
        guard = &here;                                                                 \
        atomic_signal_fence(memory_order_seq_cst);                                     \
        loop;                                                                          \
        atomic_signal_fence(memory_order_seq_cst);                                     \
    }                                                                                  \
    else {                                                                             \
        signal = fault_signal;                                                         \
    }                                                                                  \
    guard = NULL;                                                                      \
    atomic_signal_fence(memory_order_seq_cst);                                         \
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

// The fence after a write-combining burst: sfence drains x86's write-combining buffers and
// orders the burst before later stores; elsewhere a full fence does at least that.
static inline void store_fence(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_sfence();
#else
    atomic_thread_fence(memory_order_seq_cst);
#endif
}

#define BURST_WRITER(bits)                                                             \
    int mmio_write_burst##bits(volatile uint##bits##_t *registers, const uint##bits##_t *values, \
                               size_t count, size_t *done) {                          \
        GUARDED(for (size_t i = 0; i < count; i++) registers[i] = values[i];           \
                store_fence())                                                         \
    }

ACCESSORS(8)
ACCESSORS(16)
ACCESSORS(32)
ACCESSORS(64)
BURST_WRITER(8)
BURST_WRITER(16)
BURST_WRITER(32)
BURST_WRITER(64)
