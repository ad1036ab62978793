// Test-facing API of the host port.
#ifndef RTOS_HOST_H
#define RTOS_HOST_H

#include "FreeRTOS.h"

// Simulate one tick interrupt now (switching tasks at its end if the kernel asks to).
void rtos_host_tick(void);
// The calling task stays busy for n ticks of its own running time (it may be preempted in between).
void rtos_host_run_ticks(uint32_t n);
// Run fn(arg) as an interrupt handler; a switch it requests (portYIELD_FROM_ISR) happens when it returns.
void rtos_host_isr(void (*fn)(void *), void *arg);
// Non-zero inside rtos_host_isr or the tick.
int rtos_host_in_isr(void);
// Ticks simulated since vTaskStartScheduler; the idle task aborts the program past rtos_host_tick_limit.
extern uint64_t rtos_host_ticks_run;
extern uint64_t rtos_host_tick_limit;

#endif
