// MicroPythonRT rp2 port: signals (the signal module, ports/rp2/posix/mp_modsignal.c).
//
// A signal is a bit in mprt_signal_pending, set from any context (an interrupt, the USB task, the
// soft-timer task, another thread on either core) by mprt_signal_deliver, which also wakes the main
// thread. Handlers run only in the main thread, at the points where MicroPython runs pending work:
// the VM's branch check (MICROPY_VM_HOOK_LOOP), every event wait (MICROPY_INTERNAL_EVENT_HOOK, so
// time.sleep and console input), the main thread's lock waits and a lib/posix wait (which ends with
// EINTR and is retried after the handler, PEP 475). The hooks only test the word; the main thread then
// queues a scheduler node and runs the handlers from it, so an exception a handler raises comes out
// where a KeyboardInterrupt would.
#ifndef MPRT_RP2_MP_SIGNAL_H
#define MPRT_RP2_MP_SIGNAL_H

#include <stdint.h>

#define MPRT_NSIG (32)

// One bit per signal number (bit 0 unused). Read by the hooks on every VM branch: a word, no call.
extern volatile uint32_t mprt_signal_pending;

// Any context: marks sig pending and wakes the main thread.
void mprt_signal_deliver(int sig);

// The hooks' slow path: in the main thread, queues the node that runs the handlers.
void mprt_signal_hook(void);

// The console's Ctrl-C (any context): KeyboardInterrupt, the SIGINT handler, or nothing (SIG_IGN).
void mprt_signal_interrupt_char(void);

// Soft reset: every handler back to its default, the alarm cancelled, nothing pending.
void mprt_signal_reset(void);

#define MPRT_SIGNAL_POLL() do { \
        if (mprt_signal_pending != 0) { \
            mprt_signal_hook(); \
        } \
} while (0)

#endif // MPRT_RP2_MP_SIGNAL_H
