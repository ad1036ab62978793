// Two-core checks for the emulator (tests/firmware/dualcore.test.ts): core 0 launches core 1 through the
// boot ROM's FIFO handshake, then both cores go through the phases below in step. Every outcome is written
// into `results` (at the start of SRAM, read by the host); core 0 ends with BKPT #0x42, a fault with
// BKPT #0x13.
#include <stdint.h>

#define REG(a) (*(volatile uint32_t *)(a))
#define SIO_CPUID REG(0xd0000000u)
#define FIFO_ST REG(0xd0000050u)
#define FIFO_WR REG(0xd0000054u)
#define FIFO_RD REG(0xd0000058u)
#define SPINLOCK_ST REG(0xd000005cu)
#define SPINLOCK(n) REG(0xd0000100u + 4u * (n))
#define DIV_UDIVIDEND REG(0xd0000060u)
#define DIV_UDIVISOR REG(0xd0000064u)
#define DIV_QUOTIENT REG(0xd0000070u)
#define DIV_REMAINDER REG(0xd0000074u)
#define SYST_CSR REG(0xe000e010u)
#define SYST_RVR REG(0xe000e014u)
#define SYST_CVR REG(0xe000e018u)
#define NVIC_ISER REG(0xe000e100u)
#define NVIC_ICER REG(0xe000e180u)
#define NVIC_ISPR REG(0xe000e200u)
#define NVIC_ICPR REG(0xe000e280u)
#define SCB_VTOR REG(0xe000ed08u)
#define TIMER_ALARM0 REG(0x40054010u)
#define TIMER_TIMERAWL REG(0x40054028u)
#define TIMER_INTR REG(0x40054034u)
#define TIMER_INTE REG(0x40054038u)
#define PSM_FRCE_OFF REG(0x40010004u)
#define PSM_PROC1 (1u << 16)

#define ST_VLD 1u
#define ST_RDY 2u
#define ST_WOF 4u
#define ST_ROE 8u

#define IRQ_TIMER0 0u
#define IRQ_SIO_PROC0 15u
#define IRQ_SIO_PROC1 16u
#define IRQ_SOFT 30u

// Result slots (keep in step with FIELDS in dualcore.test.ts).
enum {
    R_MAGIC, R_PHASE, R_CPUID0, R_CPUID1, R_LAUNCHED, R_VTOR1, R_PINGPONG, R_COUNTER, R_LOCK_ST,
    R_LOCK_BUSY, R_DIV_BAD, R_TICKS0, R_TICKS1, R_SOFT0, R_SOFT1, R_TIMER0, R_TIMER1, R_FIFO_IRQ0,
    R_FIFO_IRQ1, R_FIFO_SUM1, R_FIFO_BITS, R_FIFO_ORDER, R_WFE_LOOPS, R_WFE_WOKE, R_RESET_ZERO,
    R_RELAUNCHED, R_COUNT
};

__attribute__((section(".results"))) volatile uint32_t results[32];

static volatile uint32_t stage, ack, counter, stop_ticks, wfe_flag;
static volatile uint32_t ticks[2], soft_irqs[2], timer_irqs[2], fifo_irqs[2], fifo_sum[2];
static uint32_t core1_stack[256] __attribute__((aligned(8)));

extern uint32_t __bss_end[], __stack_top[];

static inline void sev(void) {
    __asm volatile ("sev" : : : "memory");
}

static inline void wfe(void) {
    __asm volatile ("wfe" : : : "memory");
}

static inline void wfi(void) {
    __asm volatile ("wfi" : : : "memory");
}

static inline void dmb(void) {
    __asm volatile ("dmb" : : : "memory");
}

static void push(uint32_t v) {
    while (!(FIFO_ST & ST_RDY)) {
        wfe();
    }
    FIFO_WR = v;
    sev();
}

static uint32_t pop(void) {
    while (!(FIFO_ST & ST_VLD)) {
        wfe();
    }
    return FIFO_RD;
}

static void drain(void) {
    while (FIFO_ST & ST_VLD) {
        (void)FIFO_RD;
    }
}

// Core 0 starts a stage; core 1 acknowledges it when done.
static void begin_stage(uint32_t n) {
    results[R_PHASE] = n;
    stage = n;
    dmb();
    sev();
}

static void wait_stage(uint32_t n) {
    while (stage != n) {
        wfe();
    }
}

static void finish_stage(uint32_t n) {
    dmb();
    ack = n;
    sev();
}

static void wait_ack(uint32_t n) {
    while (ack != n) {
        wfe();
    }
}

static void lock(uint32_t n) {
    while (SPINLOCK(n) == 0) {
    }
    dmb();
}

static void unlock(uint32_t n) {
    dmb();
    SPINLOCK(n) = 1;
}

static void count_under_lock(uint32_t times) {
    for (uint32_t i = 0; i < times; i++) {
        lock(5);
        uint32_t v = counter;
        __asm volatile ("nop\n nop\n nop\n nop" : : : "memory"); // widen the window a race would need
        counter = v + 1;
        unlock(5);
    }
}

// Divisions whose answers are known by construction: (q * d + r) / d == q, remainder r.
static uint32_t divider_errors(uint32_t seed) {
    uint32_t bad = 0;
    for (uint32_t i = 1; i <= 2000; i++) {
        uint32_t d = ((seed + i * 7u) & 1023u) + 3u;
        uint32_t q = i * 13u + seed;
        uint32_t r = i & 1u;
        DIV_UDIVIDEND = q * d + r;
        DIV_UDIVISOR = d;
        __asm volatile ("b 1f\n 1: b 1f\n 1: b 1f\n 1: b 1f\n 1:" : : : "memory"); // 8 cycles, as the SDK waits
        uint32_t rem = DIV_REMAINDER;
        uint32_t quo = DIV_QUOTIENT;
        if (quo != q || rem != r) {
            bad++;
        }
    }
    return bad;
}

void isr_systick(void) {
    ticks[SIO_CPUID]++;
}

void isr_soft(void) {
    soft_irqs[SIO_CPUID]++;
}

void isr_timer(void) {
    TIMER_INTR = 1u;
    timer_irqs[SIO_CPUID]++;
}

void isr_fifo(void) {
    uint32_t core = SIO_CPUID;
    fifo_irqs[core]++;
    while (FIFO_ST & ST_VLD) {
        fifo_sum[core] += FIFO_RD;
    }
    FIFO_ST = 0xffu;
}

void isr_fault(void) {
    results[R_PHASE] |= 0xfa000000u | (SIO_CPUID << 16);
    __asm volatile ("bkpt #0x13");
    for (;;) {
    }
}

static void core1_main(void) {
    results[R_CPUID1] = SIO_CPUID;
    results[R_VTOR1] = SCB_VTOR;
    results[R_LAUNCHED] = 1;
    // FIFO ping-pong: answer x + 1 until 0xffffffff
    for (;;) {
        uint32_t x = pop();
        if (x == 0xffffffffu) {
            break;
        }
        push(x + 1u);
    }
    wait_stage(2);
    count_under_lock(5000);
    finish_stage(2);
    wait_stage(3);
    results[R_DIV_BAD] += divider_errors(77);
    finish_stage(3);
    wait_stage(4);
    SYST_CVR = 0;
    SYST_RVR = 2499; // 2500 cycles per tick (core 0 uses 1000)
    SYST_CSR = 7;
    while (!stop_ticks) {
        wfi(); // ended by this core's SysTick
    }
    SYST_CSR = 0;
    finish_stage(4);
    wait_stage(5);
    NVIC_ICPR = 1u << IRQ_SOFT;
    NVIC_ISER = 1u << IRQ_SOFT;
    finish_stage(5);
    wait_stage(6); // core 0 pended IRQ_SOFT in its own NVIC: not here
    NVIC_ISPR = 1u << IRQ_SOFT;
    finish_stage(6);
    wait_stage(7);
    NVIC_ICPR = 1u << IRQ_TIMER0;
    NVIC_ISER = 1u << IRQ_TIMER0; // only core 1 takes the timer interrupt
    finish_stage(7);
    wait_stage(8);
    NVIC_ICER = 1u << IRQ_TIMER0;
    NVIC_ISER = 1u << IRQ_SIO_PROC1;
    finish_stage(8);
    wait_stage(9);
    NVIC_ICER = 1u << IRQ_SIO_PROC1;
    finish_stage(9);
    wait_stage(10); // core 0 fills our FIFO and checks its status bits; then we read it in order
    uint32_t order_ok = 1;
    for (uint32_t i = 0; i < 8; i++) {
        if (pop() != 100u + i) {
            order_ok = 0;
        }
    }
    if (FIFO_ST & ST_VLD) {
        order_ok = 0; // the 9th word was dropped
    }
    results[R_FIFO_ORDER] = order_ok;
    finish_stage(10);
    wait_stage(11);
    uint32_t loops = 0;
    while (!wfe_flag) {
        loops++;
        wfe();
    }
    results[R_WFE_LOOPS] = loops;
    results[R_WFE_WOKE] = 1;
    finish_stage(11);
    for (;;) {
        wfi();
    }
}

static void core1_again(void) {
    results[R_RELAUNCHED] = SIO_CPUID + 1u;
    finish_stage(13);
    for (;;) {
        wfi();
    }
}

// multicore_launch_core1's handshake with the boot ROM's wait loop.
static void launch_core1(void (*entry)(void)) {
    const uint32_t seq[6] = {0, 0, 1, 0x10000000u, (uint32_t)&core1_stack[256], (uint32_t)entry};
    uint32_t i = 0;
    while (i < 6) {
        if (seq[i] == 0) {
            drain();
            sev();
        }
        push(seq[i]);
        i = pop() == seq[i] ? i + 1 : 0;
    }
}

static void core0_main(void) {
    results[R_CPUID0] = SIO_CPUID;
    begin_stage(1);
    launch_core1(core1_main);
    uint32_t good = 0;
    for (uint32_t i = 0; i < 500; i++) {
        push(i * 3u);
        if (pop() == i * 3u + 1u) {
            good++;
        }
    }
    push(0xffffffffu);
    results[R_PINGPONG] = good;

    begin_stage(2);
    lock(5);
    results[R_LOCK_ST] = SPINLOCK_ST;
    results[R_LOCK_BUSY] = SPINLOCK(5); // a held lock reads 0
    unlock(5);
    count_under_lock(5000);
    wait_ack(2);
    results[R_COUNTER] = counter;

    begin_stage(3);
    results[R_DIV_BAD] += divider_errors(5);
    wait_ack(3);

    begin_stage(4);
    SYST_CVR = 0;
    SYST_RVR = 999;
    SYST_CSR = 7;
    while (ticks[0] < 100) {
        wfi();
    }
    SYST_CSR = 0;
    stop_ticks = 1;
    sev();
    wait_ack(4);
    results[R_TICKS0] = ticks[0];
    results[R_TICKS1] = ticks[1];

    begin_stage(5);
    wait_ack(5);
    NVIC_ICPR = 1u << IRQ_SOFT;
    NVIC_ISER = 1u << IRQ_SOFT;
    NVIC_ISPR = 1u << IRQ_SOFT; // pends it in core 0's NVIC only
    begin_stage(6);
    wait_ack(6);
    results[R_SOFT0] = soft_irqs[0];
    results[R_SOFT1] = soft_irqs[1];

    begin_stage(7);
    wait_ack(7);
    NVIC_ICER = 1u << IRQ_TIMER0;
    TIMER_INTE = 1u;
    TIMER_ALARM0 = TIMER_TIMERAWL + 20u;
    for (uint32_t spins = 0; timer_irqs[1] == 0 && spins < 1000000u; spins++) {
    }
    TIMER_INTE = 0;
    results[R_TIMER0] = timer_irqs[0];
    results[R_TIMER1] = timer_irqs[1];

    begin_stage(8);
    wait_ack(8);
    NVIC_ISER = 1u << IRQ_SIO_PROC1; // not wired to core 0: never taken here
    push(1);
    push(2);
    push(3);
    for (uint32_t spins = 0; fifo_sum[1] != 6u && spins < 1000000u; spins++) {
    }
    NVIC_ICER = 1u << IRQ_SIO_PROC1;
    results[R_FIFO_IRQ0] = fifo_irqs[0];
    results[R_FIFO_IRQ1] = fifo_irqs[1];
    results[R_FIFO_SUM1] = fifo_sum[1];
    begin_stage(9);
    wait_ack(9);

    // FIFO status bits, seen from core 0 while core 1 does not read
    uint32_t bits = 0;
    drain();
    FIFO_ST = 0xffu;
    if ((FIFO_ST & 0xfu) == ST_RDY) {
        bits |= 1u; // empty, room, no errors
    }
    for (uint32_t i = 0; i < 8; i++) {
        FIFO_WR = 100u + i;
    }
    if (!(FIFO_ST & ST_RDY)) {
        bits |= 2u; // full after 8
    }
    FIFO_WR = 999u;
    if (FIFO_ST & ST_WOF) {
        bits |= 4u; // written when full
    }
    FIFO_ST = ST_WOF;
    if (!(FIFO_ST & ST_WOF)) {
        bits |= 8u; // cleared by writing it
    }
    (void)FIFO_RD;
    if (FIFO_ST & ST_ROE) {
        bits |= 16u; // read when empty
    }
    FIFO_ST = 0xffu;
    if (!(FIFO_ST & ST_ROE)) {
        bits |= 32u;
    }
    results[R_FIFO_BITS] = bits;
    begin_stage(10);
    wait_ack(10);

    begin_stage(11);
    for (volatile uint32_t d = 0; d < 20000u; d++) { // core 1 sleeps in WFE meanwhile
    }
    wfe_flag = 1;
    sev();
    wait_ack(11);

    // multicore_reset_core1: hold core 1 in reset, release it: the ROM pushes a 0 to us
    begin_stage(12);
    PSM_FRCE_OFF |= PSM_PROC1;
    while (!(PSM_FRCE_OFF & PSM_PROC1)) {
    }
    drain();
    PSM_FRCE_OFF &= ~PSM_PROC1;
    results[R_RESET_ZERO] = pop() == 0 ? 1u : 2u;
    begin_stage(13);
    launch_core1(core1_again);
    wait_ack(13);

    results[R_MAGIC] = 0x44554f31u;
    __asm volatile ("bkpt #0x42");
    for (;;) {
    }
}

// Entered with SP from the vector table (the host starts core 0 here, without boot stage 2).
__attribute__((noreturn)) void reset_handler(void) {
    SCB_VTOR = 0x10000000u;
    for (uint32_t *p = (uint32_t *)0x20000000u; p < __bss_end; p++) {
        *p = 0;
    }
    core0_main();
    for (;;) {
    }
}

typedef void (*vector_t)(void);

__attribute__((section(".vectors"), used)) const vector_t vectors[48] = {
    (vector_t)__stack_top, reset_handler, isr_fault, isr_fault,
    [11] = isr_fault, [14] = isr_fault, [15] = isr_systick,
    [16 + IRQ_TIMER0] = isr_timer,
    [16 + IRQ_SIO_PROC0] = isr_fifo,
    [16 + IRQ_SIO_PROC1] = isr_fifo,
    [16 + IRQ_SOFT] = isr_soft,
};
