// RP2040 (Cortex-M0+, two cores) port of the kernel. Design notes: docs/kernel.md.
#ifndef PORTMACRO_H
#define PORTMACRO_H

#include <stdint.h>

typedef long BaseType_t;
typedef unsigned long UBaseType_t;
typedef uint32_t TickType_t;
typedef uint32_t StackType_t;

#define portSTACK_TYPE StackType_t
#define portBASE_TYPE long
#define portMAX_DELAY ((TickType_t)0xffffffffUL)
#define portTICK_TYPE_IS_ATOMIC 1
#define portBYTE_ALIGNMENT 8
#define portSTACK_GROWTH (-1)
#define portTICK_PERIOD_MS ((TickType_t)1000 / configTICK_RATE_HZ)

#ifndef configCPU_CLOCK_HZ
#define configCPU_CLOCK_HZ 125000000UL
#endif
// Hardware spinlocks pico-sdk reserves for an operating system.
#ifndef configRP2040_KERNEL_SPINLOCK
#define configRP2040_KERNEL_SPINLOCK 14
#endif
#ifndef configRP2040_TASK_SPINLOCK
#define configRP2040_TASK_SPINLOCK 15
#endif
#ifndef configRP2040_CORE1_MSP_WORDS
#define configRP2040_CORE1_MSP_WORDS 256
#endif

void vPortEnterCritical(void);
void vPortExitCritical(void);
uint32_t ulPortSetInterruptMaskFromISR(void);
void vPortClearInterruptMaskFromISR(uint32_t saved);
void vPortYieldCore(BaseType_t core);
BaseType_t xPortTryTaskLock(void);
void vPortReleaseTaskLock(void);

static inline uint32_t rtos_port_irq_save(void) {
    uint32_t primask;
    __asm volatile ("mrs %0, primask\n cpsid i" : "=r" (primask) : : "memory");
    return primask;
}

static inline void rtos_port_irq_restore(uint32_t primask) {
    __asm volatile ("msr primask, %0" : : "r" (primask) : "memory");
}

static inline BaseType_t rtos_port_core_id(void) {
    return (BaseType_t)(*(volatile uint32_t *)0xd0000000u);
}

static inline void rtos_port_yield(void) {
    *(volatile uint32_t *)0xe000ed04u = 1u << 28; // ICSR.PENDSVSET
    __asm volatile ("dsb\n isb" : : : "memory");
}

static inline BaseType_t rtos_port_in_isr(void) {
    uint32_t ipsr;
    __asm volatile ("mrs %0, ipsr" : "=r" (ipsr));
    return ipsr != 0;
}

#define portYIELD() rtos_port_yield()
#define portYIELD_FROM_ISR(x) do { if (x) { rtos_port_yield(); } } while (0)
#define portYIELD_CORE(core) vPortYieldCore(core)
#define portGET_CORE_ID() rtos_port_core_id()
#define portCHECK_IF_IN_ISR() rtos_port_in_isr()
#define xPortIsInsideInterrupt() rtos_port_in_isr()
#define portENTER_CRITICAL() vPortEnterCritical()
#define portEXIT_CRITICAL() vPortExitCritical()
#define portSET_INTERRUPT_MASK_FROM_ISR() ulPortSetInterruptMaskFromISR()
#define portCLEAR_INTERRUPT_MASK_FROM_ISR(x) vPortClearInterruptMaskFromISR(x)
#define portSET_INTERRUPT_MASK() rtos_port_irq_save()
#define portCLEAR_INTERRUPT_MASK(x) rtos_port_irq_restore(x)
#define portDISABLE_INTERRUPTS() __asm volatile ("cpsid i" : : : "memory")
#define portENABLE_INTERRUPTS() __asm volatile ("cpsie i" : : : "memory")
#define portTRY_TASK_LOCK() xPortTryTaskLock()
#define portRELEASE_TASK_LOCK() vPortReleaseTaskLock()
#define portNOP() __asm volatile ("nop")
#define portMEMORY_BARRIER() __asm volatile ("" : : : "memory")

#endif
