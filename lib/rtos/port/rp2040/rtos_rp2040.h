// RP2040-specific services of the kernel port.
#ifndef RTOS_RP2040_H
#define RTOS_RP2040_H

#include "FreeRTOS.h"

// Run fn(arg) with interrupts off on this core and the other core parked in a RAM loop with its
// interrupts off (when it runs the scheduler). For flash erase/program: fn and everything it calls
// must be in RAM. Safe to call from any task on either core while the scheduler runs, and before.
void rtos_rp2040_run_exclusive(void (*fn)(void *), void *arg);

// The same in two halves, for callers that run their own code in between (pico-sdk's flash_safe_execute through
// port/rp2040/pico-sdk/rtos_flash_pico.c): after enter, this core has interrupts off and the other core is
// parked until exit, which the same task calls.
void rtos_rp2040_exclusive_enter(void);
void rtos_rp2040_exclusive_exit(void);

// Number of cores running tasks: 2, or 1 when core 1 did not come up (e.g. a single-core emulator).
UBaseType_t rtos_rp2040_cores_online(void);

// Exception and interrupt handlers, named as in pico-sdk's crt0 vector table.
void isr_pendsv(void);
void isr_systick(void);
void isr_irq15(void);
void isr_irq16(void);

#endif
