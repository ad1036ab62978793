// MicroPythonRT rp2 port, rtos.kernel=builtin: MicroPython threads are kernel tasks.
//
// This directory comes first on the include path only in RTOS builds, so it replaces the upstream
// rp2 mpthreadport.h (threads on core 1) there.
#ifndef MPRT_RP2_RTOS_MPTHREADPORT_H
#define MPRT_RP2_RTOS_MPTHREADPORT_H

#include <stdint.h>
#include "FreeRTOS.h"
#include "semphr.h"
#include "hardware/regs/addressmap.h"
#include "hardware/regs/sio.h"

// A lock is a kernel binary semaphore (any thread may release it); recursive locks are kernel
// recursive mutexes. The storage is in the object, so creating one never allocates.
typedef struct _mp_thread_mutex_t {
    SemaphoreHandle_t handle;
    StaticSemaphore_t storage;
} mp_thread_mutex_t;

typedef struct _mp_thread_recursive_mutex_t {
    SemaphoreHandle_t handle;
    StaticSemaphore_t storage;
} mp_thread_recursive_mutex_t;

// The thread state of the Python thread running on each core (NULL while a task that is no Python
// thread runs there) is kept in a per-core register: SIO's INTERP1 BASE2, reserved for this (nothing
// else in the firmware uses interpolator 1). mp_thread_set_state writes it and the task's thread-local
// storage pointer MPRT_RTOS_TLS_THREAD_STATE; on every context switch the kernel's traceTASK_SWITCHED_IN
// hook (FreeRTOSConfig.h) copies the switched-in task's pointer into its core's register.
#define MPRT_THREAD_STATE_REG (SIO_BASE + SIO_INTERP1_BASE2_OFFSET)

// As upstream rp2's core_state[get_core_num()], inline (MP_STATE_THREAD is read on every nlr_push,
// stack check and globals switch), and cheaper: one load, so a task that is switched out right after it
// and resumes on the other core still holds its own state.
static inline __attribute__((always_inline)) struct _mp_state_thread_t *mp_thread_get_state(void) {
    return (struct _mp_state_thread_t *)*(volatile uint32_t *)MPRT_THREAD_STATE_REG;
}

void mp_thread_init(void);
void mp_thread_deinit(void);
void mp_thread_gc_others(void);
// Deletes the tasks of finished threads and frees their memory (GIL held).
void mprt_rtos_reap_threads(void);

// Critical section over both cores (interrupts off and the kernel lock).
uint32_t mp_thread_begin_atomic_section(void);
void mp_thread_end_atomic_section(uint32_t state);

// Block the calling thread until notified (mprt_rtos_wake_*) or timeout_ms passes (< 0: forever),
// with the GIL released.
void mprt_rtos_event_wait(int32_t timeout_ms);
// A task that is no Python thread takes the GIL for one call into the VM (with a thread state of its
// own set) and gives it back: the GIL's release by the only Python thread then gives the semaphore.
// Whether the calling task holds the GIL (set by the GIL's lock and unlock).
extern __thread bool mprt_rtos_gil_held;
void mprt_rtos_gil_guest_enter(void);
void mprt_rtos_gil_guest_exit(void);
// Wake the MicroPython main task (Ctrl-C, scheduled callbacks, console input).
void mprt_rtos_wake_main(void);
void mprt_rtos_wake_main_from_isr(void);

// The upstream flash driver checks this before using multicore lockout; RTOS builds never start
// core 1 through pico-sdk.
typedef void (*core_entry_func_t)(void);
extern core_entry_func_t core1_entry;

#endif // MPRT_RP2_RTOS_MPTHREADPORT_H
