// Host port: every task is a ucontext on one host thread; interrupts (the tick, test "ISRs") and, with
// configNUMBER_OF_CORES > 1, the cores are simulated, so tests drive time deterministically.
// See rtos_host.h for the test-facing API.
#ifndef PORTMACRO_H
#define PORTMACRO_H

#include <stdint.h>

typedef long BaseType_t;
typedef unsigned long UBaseType_t;
typedef uint32_t TickType_t;
typedef uintptr_t StackType_t;

#define portSTACK_TYPE StackType_t
#define portBASE_TYPE long
#define portMAX_DELAY ((TickType_t)0xffffffffUL)
#define portTICK_TYPE_IS_ATOMIC 1
#define portBYTE_ALIGNMENT 16
#define portSTACK_GROWTH (-1)
#define portTICK_PERIOD_MS ((TickType_t)1000 / configTICK_RATE_HZ)

void rtos_host_yield(void);
void rtos_host_yield_from_isr(void);
void rtos_host_enter_critical(void);
void rtos_host_exit_critical(void);
UBaseType_t rtos_host_set_mask(void);
void rtos_host_clear_mask(UBaseType_t saved);
void rtos_host_disable_interrupts(void);
void rtos_host_enable_interrupts(void);

#define portYIELD() rtos_host_yield()
#define portYIELD_FROM_ISR(x) do { if (x) { rtos_host_yield_from_isr(); } } while (0)
void rtos_host_yield_core(BaseType_t core);
BaseType_t rtos_host_core_id(void);
BaseType_t rtos_host_try_task_lock(void);
void rtos_host_release_task_lock(void);
void rtos_host_spin(void);

#define portYIELD_CORE(core) rtos_host_yield_core(core)
#define portGET_CORE_ID() rtos_host_core_id()
#define portENTER_CRITICAL() rtos_host_enter_critical()
#define portEXIT_CRITICAL() rtos_host_exit_critical()
#define portSET_INTERRUPT_MASK_FROM_ISR() rtos_host_set_mask()
#define portCLEAR_INTERRUPT_MASK_FROM_ISR(x) rtos_host_clear_mask(x)
#define portSET_INTERRUPT_MASK() rtos_host_set_mask()
#define portCLEAR_INTERRUPT_MASK(x) rtos_host_clear_mask(x)
#define portDISABLE_INTERRUPTS() rtos_host_disable_interrupts()
#define portENABLE_INTERRUPTS() rtos_host_enable_interrupts()
#define portTRY_TASK_LOCK() rtos_host_try_task_lock()
#define portRELEASE_TASK_LOCK() rtos_host_release_task_lock()
#define portSPIN_WAIT() rtos_host_spin()
#define portNOP() ((void)0)
#define xPortIsInsideInterrupt() ((BaseType_t)rtos_host_in_isr())
int rtos_host_in_isr(void);
#define portNO_SANITIZE __attribute__((no_sanitize_address))

#endif
