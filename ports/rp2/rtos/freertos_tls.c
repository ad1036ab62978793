// MicroPythonRT rp2 port, rtos.kernel=freertos: Picolibc's thread-local storage (errno, strtok's state, ...)
// per task, with tasks running on both cores at once.
//
// The FreeRTOS-Kernel's own Picolibc support (configUSE_PICOLIBC_TLS) points Picolibc's single global thread
// pointer at the switched-in task's block: with two cores that global belongs to whichever core switched
// last. FreeRTOSConfig.h therefore uses the kernel's generic C runtime hooks (configUSE_C_RUNTIME_TLS_SUPPORT)
// with the functions below:
// - configINIT_TLS_BLOCK: a new task's block is carved from the top of its stack and initialised from .tdata;
// - configSET_TLS_BLOCK: run by the kernel on the core that switches, it writes the task's thread pointer into
//   a per-core register, SIO's INTERP0 BASE2 (nothing else in the firmware uses interpolator 0);
// - __aeabi_read_tp (the compiler's call for every __thread access) reads that register in one load, so a
//   task moved to the other core between two of its accesses still finds its own block.
// Before the scheduler runs, core 0's register holds Picolibc's start-up thread pointer (pico-sdk's
// _set_tls(__tls_base)); each core's first task is its idle task, which uses no thread-local data.

#include <stdint.h>
#include <picotls.h>
#include "FreeRTOS.h"
#include "hardware/regs/addressmap.h"
#include "hardware/regs/sio.h"

#define TLS_POINTER_REG (*(volatile uint32_t *)(SIO_BASE + SIO_INTERP0_BASE2_OFFSET))

// The ARM thread pointer is this far below the block (linker script, as Picolibc's _set_tls has it).
extern char __arm32_tls_tcb_offset[];
// Picolibc's thread pointer as set at start-up.
extern void *__tls;

void *mprt_freertos_tls_init(void **stack_top) {
    uintptr_t top = (uintptr_t)*stack_top;
    uintptr_t block = (top - _tls_size()) & ~(uintptr_t)(_tls_align() - 1);
    // the task's stack starts below its block, 8-byte aligned as the AAPCS wants
    *stack_top = (void *)((block - sizeof(StackType_t)) & ~(uintptr_t)portBYTE_ALIGNMENT_MASK);
    _init_tls((void *)block);
    return (void *)block;
}

void mprt_freertos_tls_set(void *block) {
    TLS_POINTER_REG = (uint32_t)block - (uint32_t)__arm32_tls_tcb_offset;
}

// Runs before main() (after pico-sdk's runtime set Picolibc's start-up block): main's code on core 0 finds it.
static void __attribute__((constructor)) tls_startup(void) {
    TLS_POINTER_REG = (uint32_t)__tls;
}

// Keeps every register but r0, and the flags.
__attribute__((naked)) void *__aeabi_read_tp(void) {
    __asm volatile (
        "ldr r0, =%c0\n"
        "ldr r0, [r0]\n"
        "bx lr\n"
        ".ltorg\n"
        : : "i" (SIO_BASE + SIO_INTERP0_BASE2_OFFSET));
}
