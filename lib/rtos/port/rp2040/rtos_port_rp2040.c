// RP2040 port: critical sections (PRIMASK + hardware spinlock), SysTick, core 1 bring-up, cross-core
// yields and parking over the SIO FIFOs, the idle wait, per-core Picolibc TLS.
#include "FreeRTOS.h"
#include "task.h"
#include "rp2040_regs.h"
#include "rtos_rp2040.h"

#define RAM_FUNC __attribute__((noinline, section(".time_critical.rtos")))

#define MSG_YIELD 0x52545901u // 'RTY' + 1
#define MSG_PARK 0x52545902u

// Used by the assembly in rtos_port_switch.S.
void rtos_port_switch_context(void);
void rtos_port_start_first_task(StackType_t *sp) __attribute__((noreturn));

static volatile uint32_t critical_nesting[2];
static volatile uint8_t smp_active;    // both cores run tasks: take the spinlocks
static volatile uint8_t core1_ready;
static volatile uint8_t scheduler_go;
static volatile uint8_t core_running[2]; // this core has entered its first task: PendSV may run
static volatile uint8_t exclusive_busy;
static volatile uint8_t park_ack;
static volatile uint8_t park_release;
static uint32_t core1_msp[configRP2040_CORE1_MSP_WORDS] __attribute__((aligned(8)));

// Thread pointer of the task running on each core: its Picolibc TLS block minus the TCB offset (read by
// __aeabi_read_tp below).
void *volatile rtos_port_tls[2];

static inline void spin_lock(uint32_t n) {
    while (SIO_SPINLOCK(n) == 0) {
    }
    __asm volatile ("dmb" : : : "memory");
}

static inline void spin_unlock(uint32_t n) {
    __asm volatile ("dmb" : : : "memory");
    SIO_SPINLOCK(n) = 1;
}

// ---- critical sections: interrupts off on this core; the kernel spinlock once both cores run ----

uint32_t ulPortSetInterruptMaskFromISR(void) {
    uint32_t saved = rtos_port_irq_save();
    uint32_t core = SIO_CPUID;
    if (critical_nesting[core]++ == 0 && smp_active) {
        spin_lock(configRP2040_KERNEL_SPINLOCK);
    }
    return saved;
}

void vPortClearInterruptMaskFromISR(uint32_t saved) {
    uint32_t core = SIO_CPUID;
    if (--critical_nesting[core] == 0 && smp_active) {
        spin_unlock(configRP2040_KERNEL_SPINLOCK);
    }
    rtos_port_irq_restore(saved);
}

void vPortEnterCritical(void) {
    (void)ulPortSetInterruptMaskFromISR();
}

void vPortExitCritical(void) {
    uint32_t core = SIO_CPUID;
    if (--critical_nesting[core] == 0) {
        if (smp_active) {
            spin_unlock(configRP2040_KERNEL_SPINLOCK);
        }
        __asm volatile ("cpsie i" : : : "memory");
    }
}

BaseType_t xPortTryTaskLock(void) {
    if (!smp_active) {
        return pdTRUE;
    }
    if (SIO_SPINLOCK(configRP2040_TASK_SPINLOCK) != 0) {
        __asm volatile ("dmb" : : : "memory");
        return pdTRUE;
    }
    return pdFALSE;
}

void vPortReleaseTaskLock(void) {
    if (smp_active) {
        spin_unlock(configRP2040_TASK_SPINLOCK);
    }
}

// ---- inter-core FIFO ----

static void fifo_push(uint32_t word) {
    while (!(SIO_FIFO_ST & SIO_FIFO_ST_RDY)) {
    }
    SIO_FIFO_WR = word;
    __asm volatile ("sev");
}

void vPortYieldCore(BaseType_t core) {
    if (core == (BaseType_t)SIO_CPUID) {
        rtos_port_yield();
    } else if (smp_active && (SIO_FIFO_ST & SIO_FIFO_ST_RDY)) {
        // a full FIFO already holds a message that makes that core reschedule
        SIO_FIFO_WR = MSG_YIELD;
        __asm volatile ("sev");
    }
}

// Parked by the other core for rtos_rp2040_run_exclusive: spin in RAM with interrupts off.
RAM_FUNC static void park_here(void) {
    uint32_t saved = rtos_port_irq_save();
    park_ack = 1;
    __asm volatile ("dmb" : : : "memory");
    while (!park_release) {
        __asm volatile ("wfe");
    }
    park_ack = 0;
    __asm volatile ("dmb" : : : "memory");
    rtos_port_irq_restore(saved);
}

RAM_FUNC static void fifo_irq(void) {
    while (SIO_FIFO_ST & SIO_FIFO_ST_VLD) {
        uint32_t msg = SIO_FIFO_RD;
        if (msg == MSG_YIELD && core_running[SIO_CPUID]) {
            rtos_port_yield();
        } else if (msg == MSG_PARK) {
            park_here();
        }
    }
    SIO_FIFO_ST = 0xffu; // clear the sticky overflow/underflow flags
}

RAM_FUNC void isr_irq15(void) {
    fifo_irq();
}

RAM_FUNC void isr_irq16(void) {
    fifo_irq();
}

static void enable_fifo_irq(uint32_t irq) {
    NVIC_IPR(irq) &= ~(0xffu << (8u * (irq & 3u))); // highest priority: parking must not wait
    NVIC_ICPR = 1u << irq;
    NVIC_ISER = 1u << irq;
}

// The interrupt state and parking of the exclusive section in progress (one at a time: exclusive_busy).
static uint32_t exclusive_saved_irq;
static uint8_t exclusive_parked;

RAM_FUNC void rtos_rp2040_exclusive_enter(void) {
    uint32_t saved;
    // one caller at a time; wait with interrupts enabled so this core can itself be parked meanwhile
    for (;;) {
        saved = rtos_port_irq_save();
        if (smp_active) {
            spin_lock(configRP2040_KERNEL_SPINLOCK);
        }
        int mine = !exclusive_busy;
        exclusive_busy = 1;
        if (smp_active) {
            spin_unlock(configRP2040_KERNEL_SPINLOCK);
        }
        if (mine) {
            break;
        }
        rtos_port_irq_restore(saved);
    }
    exclusive_saved_irq = saved;
    exclusive_parked = 0;
    if (smp_active) { // core 1 runs tasks, or waits (from flash) for the scheduler to start
        park_release = 0;
        __asm volatile ("dmb" : : : "memory");
        fifo_push(MSG_PARK);
        while (!park_ack) {
        }
        exclusive_parked = 1;
    }
}

RAM_FUNC void rtos_rp2040_exclusive_exit(void) {
    uint32_t saved = exclusive_saved_irq;
    if (exclusive_parked) {
        park_release = 1;
        __asm volatile ("dmb\n sev" : : : "memory");
        while (park_ack) {
        }
    }
    exclusive_busy = 0;
    rtos_port_irq_restore(saved);
}

RAM_FUNC void rtos_rp2040_run_exclusive(void (*fn)(void *), void *arg) {
    rtos_rp2040_exclusive_enter();
    fn(arg);
    rtos_rp2040_exclusive_exit();
}

// ---- tasks and the scheduler ----

StackType_t *rtos_port_init_stack(StackType_t *stack_base, StackType_t *top, TaskFunction_t fn, void *arg) {
    (void)stack_base;
    StackType_t *sp = top - 16;
    for (int i = 0; i < 16; i++) {
        sp[i] = 0;
    }
    // software-saved r4-r11 at sp[0..7], then the exception frame r0-r3, r12, lr, pc, xpsr
    sp[8] = (StackType_t)(uintptr_t)arg;
    sp[13] = (StackType_t)(uintptr_t)rtos_task_exit;
    sp[14] = (StackType_t)(uintptr_t)fn & ~1u;
    sp[15] = 0x01000000u; // Thumb state
    return sp;
}

void rtos_port_switch_context(void) {
    uint32_t saved = ulPortSetInterruptMaskFromISR();
    vTaskSwitchContext((BaseType_t)SIO_CPUID);
    vPortClearInterruptMaskFromISR(saved);
}

#if configUSE_PICOLIBC_TLS
// The ARM thread pointer sits this far below the TLS block (Picolibc's _set_tls does the same).
extern char __arm32_tls_tcb_offset[];
#endif

void rtos_port_task_switched_in(BaseType_t core) {
    #if configUSE_PICOLIBC_TLS
    rtos_port_tls[core] = (char *)rtos_current_tcb[core]->libc_tls - (uintptr_t)__arm32_tls_tcb_offset;
    #else
    (void)core;
    #endif
}

static void set_exception_priorities(void) {
    SCB_SHPR3 |= 0xc0c00000u; // PendSV and SysTick: lowest priority
}

static void core1_entry(void) {
    set_exception_priorities();
    enable_fifo_irq(IRQ_SIO_PROC1);
    core1_ready = 1;
    __asm volatile ("dmb\n sev" : : : "memory");
    while (!scheduler_go) {
        __asm volatile ("wfe");
    }
    __asm volatile ("cpsid i" : : : "memory");
    core_running[1] = 1;
    rtos_port_start_first_task(rtos_current_tcb[configNUMBER_OF_CORES - 1]->sp);
}

// Launch core 1 with the boot ROM's FIFO handshake (datasheet 2.8.2). Gives up quietly when the FIFO is
// not there or core 1 does not answer, so the same image runs on a single-core emulator.
static int launch_core1(void) {
    uint32_t st = SIO_FIFO_ST;
    if ((st & ~0xfu) != 0 || !(st & SIO_FIFO_ST_RDY)) {
        return 0; // reserved bits set (no such register here, e.g. rp2040js reads all ones) or not ready
    }
    const uint32_t seq[6] = {0, 0, 1, SCB_VTOR, (uint32_t)(uintptr_t)&core1_msp[configRP2040_CORE1_MSP_WORDS],
                             (uint32_t)(uintptr_t)core1_entry};
    unsigned i = 0, attempts = 0;
    while (i < 6) {
        if (++attempts > 64) {
            return 0;
        }
        if (seq[i] == 0) {
            for (int n = 0; n < 8 && (SIO_FIFO_ST & SIO_FIFO_ST_VLD); n++) { // the FIFO holds 8 words
                (void)SIO_FIFO_RD;
            }
            __asm volatile ("sev");
        }
        uint32_t spins = 0;
        while (!(SIO_FIFO_ST & SIO_FIFO_ST_RDY)) {
            if (++spins > 1000000u) {
                return 0;
            }
        }
        SIO_FIFO_WR = seq[i];
        __asm volatile ("sev");
        spins = 0;
        while (!(SIO_FIFO_ST & SIO_FIFO_ST_VLD)) {
            if (++spins > 1000000u) {
                return 0;
            }
        }
        uint32_t reply = SIO_FIFO_RD;
        i = (reply == seq[i]) ? i + 1 : 0;
    }
    for (uint32_t spins = 0; !core1_ready; spins++) {
        if (spins > 10000000u) {
            return 0;
        }
    }
    return 1;
}

UBaseType_t rtos_port_prepare_cores(void) {
    if (configNUMBER_OF_CORES > 1 && !smp_active && launch_core1()) {
        smp_active = 1;
    }
    return smp_active ? 2 : 1;
}

UBaseType_t rtos_rp2040_cores_online(void) {
    return smp_active ? 2 : 1;
}

BaseType_t xPortStartScheduler(void) {
    set_exception_priorities();
    if (smp_active) {
        enable_fifo_irq(IRQ_SIO_PROC0);
    }
    SYST_CSR = 0;
    SYST_RVR = (uint32_t)(configCPU_CLOCK_HZ / configTICK_RATE_HZ) - 1u;
    SYST_CVR = 0;
    SYST_CSR = 7u; // processor clock, interrupt, enable
    core_running[0] = 1;
    if (smp_active) {
        scheduler_go = 1;
        __asm volatile ("dmb\n sev" : : : "memory");
    }
    rtos_port_start_first_task(rtos_current_tcb[0]->sp);
}

void vPortEndScheduler(void) {
    configASSERT(0); // not supported on the target
    for (;;) {
    }
}

void isr_systick(void) {
    if (xTaskIncrementTick()) {
        rtos_port_yield();
    }
}

void rtos_port_idle_wait(void) {
    __asm volatile ("wfi");
}

#if configUSE_PICOLIBC_TLS
// Picolibc's thread pointer, per core: the TLS block of the task running on this core, or Picolibc's
// initial block (__tls) before the scheduler runs. Keeps every register but r0, and the flags.
// Interrupts are off between reading the core number and this core's entry: a task switched out there
// could resume on the other core and take the TLS block of the task now running on the first one.
extern void *__tls;
__attribute__((naked)) void *__aeabi_read_tp(void) {
    __asm volatile (
        ".syntax unified\n"
        "push {r1, r2, r3}\n"
        "mrs r2, apsr\n"
        "mrs r3, primask\n"
        "cpsid i\n"
        "ldr r1, =0xd0000000\n"
        "ldr r1, [r1]\n"
        "lsls r1, r1, #2\n"
        "ldr r0, =rtos_port_tls\n"
        "ldr r0, [r0, r1]\n"
        "msr primask, r3\n"
        "cmp r0, #0\n"
        "bne 1f\n"
        "ldr r0, =__tls\n"
        "ldr r0, [r0]\n"
        "1:\n"
        "msr apsr_nzcvq, r2\n"
        "pop {r1, r2, r3}\n"
        "bx lr\n"
        ".ltorg\n");
}
#endif
