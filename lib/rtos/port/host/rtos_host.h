// Test-facing API of the host port.
//
// Time advances in steps. In each step every simulated core runs its current task until that task calls
// rtos_host_tick() (a busy task "spends" its share of the step) or the core's idle task waits; then the
// tick interrupt is delivered on core 0 and the next step starts with core 0. A yield requested for
// another core is performed when that core next runs.
#ifndef RTOS_HOST_H
#define RTOS_HOST_H

#include "FreeRTOS.h"

// End the calling core's share of the current step (one tick of running time for the calling task).
void rtos_host_tick(void);
// The calling task stays busy for n ticks of its own running time (it may be preempted in between).
void rtos_host_run_ticks(uint32_t n);
// Run fn(arg) as an interrupt handler on the running core; a switch it requests (portYIELD_FROM_ISR)
// happens when it returns.
void rtos_host_isr(void (*fn)(void *), void *arg);
// Non-zero inside rtos_host_isr or the tick.
int rtos_host_in_isr(void);
// Number of simulated cores that run tasks (1 .. configNUMBER_OF_CORES); set before vTaskStartScheduler.
extern UBaseType_t rtos_host_cores;
// Ticks simulated since vTaskStartScheduler; the program aborts past rtos_host_tick_limit.
extern uint64_t rtos_host_ticks_run;
extern uint64_t rtos_host_tick_limit;

#endif
