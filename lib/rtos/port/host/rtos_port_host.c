// Host port of the kernel: tasks are ucontexts switched on one host thread (with AddressSanitizer fiber
// annotations); interrupt masking is a flag, and a yield requested while masked or inside a simulated
// interrupt is performed when it becomes possible, as PendSV does on Cortex-M.
#define _XOPEN_SOURCE 700
#include <stdio.h>
#include <stdlib.h>
#include <ucontext.h>

#include "FreeRTOS.h"
#include "task.h"
#include "rtos_host.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/common_interface_defs.h>
#define ASAN_FIBERS 1
#else
#define ASAN_FIBERS 0
#endif

typedef struct {
    ucontext_t uc;
    void *fake_stack;
    const void *stack_bottom;
    size_t stack_size;
    TaskFunction_t fn;
    void *arg;
} host_ctx_t;

static host_ctx_t main_ctx;
static int irq_disabled;
static UBaseType_t critical_nesting;
static int in_isr;
static int switch_pending;
static int started;

uint64_t rtos_host_ticks_run;
uint64_t rtos_host_tick_limit = 2000000ULL;

static host_ctx_t *ctx_of(struct tskTaskControlBlock *t) {
    return (host_ctx_t *)t->sp;
}

static void switch_to(host_ctx_t *from, host_ctx_t *to) {
#if ASAN_FIBERS
    __sanitizer_start_switch_fiber(&from->fake_stack, to->stack_bottom, to->stack_size);
#endif
    swapcontext(&from->uc, &to->uc);
#if ASAN_FIBERS
    __sanitizer_finish_switch_fiber(from->fake_stack, NULL, NULL);
#endif
}

static void task_trampoline(void) {
#if ASAN_FIBERS
    const void *bottom;
    size_t size;
    __sanitizer_finish_switch_fiber(NULL, &bottom, &size);
    if (main_ctx.stack_bottom == NULL) {
        main_ctx.stack_bottom = bottom;
        main_ctx.stack_size = size;
    }
#endif
    host_ctx_t *ctx = ctx_of(rtos_current_tcb[0]);
    ctx->fn(ctx->arg);
    rtos_task_exit();
}

StackType_t *rtos_port_init_stack(StackType_t *stack_base, StackType_t *top, TaskFunction_t fn, void *arg) {
    host_ctx_t *ctx = (host_ctx_t *)(((uintptr_t)top - sizeof(host_ctx_t)) & ~(uintptr_t)15);
    if (getcontext(&ctx->uc) != 0) {
        abort();
    }
    ctx->uc.uc_stack.ss_sp = stack_base;
    ctx->uc.uc_stack.ss_size = (size_t)((char *)ctx - (char *)stack_base);
    ctx->uc.uc_link = NULL;
    ctx->fake_stack = NULL;
    ctx->stack_bottom = stack_base;
    ctx->stack_size = ctx->uc.uc_stack.ss_size;
    ctx->fn = fn;
    ctx->arg = arg;
    makecontext(&ctx->uc, task_trampoline, 0);
    return (StackType_t *)ctx;
}

UBaseType_t rtos_port_prepare_cores(void) {
    return 1;
}

void rtos_port_task_switched_in(BaseType_t core) {
    (void)core;
}

static void do_switch(void) {
    switch_pending = 0;
    struct tskTaskControlBlock *old = rtos_current_tcb[0];
    irq_disabled = 1;
    vTaskSwitchContext(0);
    irq_disabled = 0;
    struct tskTaskControlBlock *next = rtos_current_tcb[0];
    if (next != old) {
        switch_to(ctx_of(old), ctx_of(next));
    }
}

static int can_switch(void) {
    return started && !in_isr && !irq_disabled && critical_nesting == 0;
}

void rtos_host_yield(void) {
    if (!started) {
        return;
    }
    switch_pending = 1;
    if (can_switch()) {
        do_switch();
    }
}

void rtos_host_yield_from_isr(void) {
    switch_pending = 1;
}

void rtos_host_enter_critical(void) {
    irq_disabled = 1;
    critical_nesting++;
}

void rtos_host_exit_critical(void) {
    if (critical_nesting == 0) {
        fprintf(stderr, "rtos host: unbalanced taskEXIT_CRITICAL\n");
        abort();
    }
    if (--critical_nesting == 0) {
        irq_disabled = 0;
        if (switch_pending && can_switch()) {
            do_switch();
        }
    }
}

UBaseType_t rtos_host_set_mask(void) {
    UBaseType_t saved = (UBaseType_t)irq_disabled;
    irq_disabled = 1;
    return saved;
}

void rtos_host_clear_mask(UBaseType_t saved) {
    irq_disabled = (int)saved;
    if (!irq_disabled && switch_pending && can_switch()) {
        do_switch();
    }
}

void rtos_host_disable_interrupts(void) {
    irq_disabled = 1;
}

void rtos_host_enable_interrupts(void) {
    irq_disabled = 0;
    if (switch_pending && can_switch()) {
        do_switch();
    }
}

int rtos_host_in_isr(void) {
    return in_isr;
}

void rtos_host_isr(void (*fn)(void *), void *arg) {
    if (irq_disabled) {
        fprintf(stderr, "rtos host: interrupt raised while interrupts are masked\n");
        abort();
    }
    in_isr = 1;
    fn(arg);
    in_isr = 0;
    if (switch_pending && can_switch()) {
        do_switch();
    }
}

static void tick_isr(void *arg) {
    (void)arg;
    rtos_host_ticks_run++;
    if (xTaskIncrementTick()) {
        switch_pending = 1;
    }
}

void rtos_host_tick(void) {
    rtos_host_isr(tick_isr, NULL);
}

void rtos_host_run_ticks(uint32_t n) {
    while (n--) {
        rtos_host_tick();
    }
}

void rtos_port_idle_wait(void) {
    if (rtos_host_ticks_run > rtos_host_tick_limit) {
        fprintf(stderr, "rtos host: tick limit reached (all tasks blocked?)\n");
        abort();
    }
    rtos_host_tick();
}

BaseType_t xPortStartScheduler(void) {
    started = 1;
    irq_disabled = 0;
    critical_nesting = 0;
    switch_pending = 0;
    in_isr = 0;
    rtos_host_ticks_run = 0;
    main_ctx.stack_bottom = NULL;
    switch_to(&main_ctx, ctx_of(rtos_current_tcb[0]));
    // back from vPortEndScheduler
    started = 0;
    irq_disabled = 0;
    critical_nesting = 0;
    switch_pending = 0;
    return pdPASS;
}

void vPortEndScheduler(void) {
    irq_disabled = 1;
    switch_to(ctx_of(rtos_current_tcb[0]), &main_ctx);
    abort();
}
