// Host port of the kernel: tasks are ucontexts switched on one host thread (with AddressSanitizer fiber
// annotations). Interrupt masking is a per-core flag; a yield requested while masked or inside a simulated
// interrupt is performed when it becomes possible, as PendSV does on Cortex-M. Several cores are
// simulated by interleaving them in fixed time steps (see rtos_host.h), so SMP scheduling is deterministic.
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

#define NCORES configNUMBER_OF_CORES

typedef struct {
    ucontext_t uc;
    void *fake_stack;
    const void *stack_bottom;
    size_t stack_size;
    TaskFunction_t fn;
    void *arg;
} host_ctx_t;

static host_ctx_t main_ctx;
static int started;
static int cur_core;                 // the core whose task is executing
static UBaseType_t online = 1;
static int irq_disabled[NCORES];
static UBaseType_t critical_nesting[NCORES];
static int in_isr[NCORES];
static int switch_pending[NCORES];
static int step_done[NCORES];
static int task_lock_owner = -1;
static UBaseType_t task_lock_depth;

UBaseType_t rtos_host_cores = NCORES;
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
    host_ctx_t *ctx = ctx_of(rtos_current_tcb[cur_core]);
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
    online = rtos_host_cores >= 1 && rtos_host_cores <= NCORES ? rtos_host_cores : NCORES;
    return online;
}

void rtos_port_task_switched_in(BaseType_t core) {
    (void)core;
}

BaseType_t rtos_host_core_id(void) {
    return cur_core;
}

// Pick the next task for the executing core (as the PendSV handler does) and run it.
static void do_switch(void) {
    int c = cur_core;
    switch_pending[c] = 0;
    struct tskTaskControlBlock *old = rtos_current_tcb[c];
    irq_disabled[c] = 1;
    vTaskSwitchContext(c);
    irq_disabled[c] = 0;
    struct tskTaskControlBlock *next = rtos_current_tcb[c];
    if (next != old) {
        switch_to(ctx_of(old), ctx_of(next));
    }
}

// Hand the host thread from the executing task to core `to`, applying a switch pending there.
static void run_core(int to) {
    host_ctx_t *from = ctx_of(rtos_current_tcb[cur_core]);
    cur_core = to;
    if (switch_pending[to]) {
        switch_pending[to] = 0;
        irq_disabled[to] = 1;
        vTaskSwitchContext(to);
        irq_disabled[to] = 0;
    }
    host_ctx_t *target = ctx_of(rtos_current_tcb[to]);
    if (target != from) {
        switch_to(from, target);
    }
}

static int can_switch(void) {
    int c = cur_core;
    return started && !in_isr[c] && !irq_disabled[c] && critical_nesting[c] == 0;
}

void rtos_host_yield(void) {
    if (!started) {
        return;
    }
    switch_pending[cur_core] = 1;
    if (can_switch()) {
        do_switch();
    }
}

void rtos_host_yield_core(BaseType_t core) {
    if (core == cur_core) {
        rtos_host_yield();
    } else if (started) {
        switch_pending[core] = 1; // performed when that core runs next
    }
}

void rtos_host_yield_from_isr(void) {
    switch_pending[cur_core] = 1;
}

void rtos_host_enter_critical(void) {
    irq_disabled[cur_core] = 1;
    critical_nesting[cur_core]++;
}

void rtos_host_exit_critical(void) {
    int c = cur_core;
    if (critical_nesting[c] == 0) {
        fprintf(stderr, "rtos host: unbalanced taskEXIT_CRITICAL\n");
        abort();
    }
    if (--critical_nesting[c] == 0) {
        irq_disabled[c] = 0;
        if (switch_pending[c] && can_switch()) {
            do_switch();
        }
    }
}

UBaseType_t rtos_host_set_mask(void) {
    UBaseType_t saved = (UBaseType_t)irq_disabled[cur_core];
    irq_disabled[cur_core] = 1;
    return saved;
}

void rtos_host_clear_mask(UBaseType_t saved) {
    irq_disabled[cur_core] = (int)saved;
    if (!saved && switch_pending[cur_core] && can_switch()) {
        do_switch();
    }
}

void rtos_host_disable_interrupts(void) {
    irq_disabled[cur_core] = 1;
}

void rtos_host_enable_interrupts(void) {
    irq_disabled[cur_core] = 0;
    if (switch_pending[cur_core] && can_switch()) {
        do_switch();
    }
}

BaseType_t rtos_host_try_task_lock(void) {
    if (task_lock_owner == -1 || task_lock_owner == cur_core) {
        task_lock_owner = cur_core;
        task_lock_depth++;
        return pdTRUE;
    }
    return pdFALSE;
}

void rtos_host_release_task_lock(void) {
    if (--task_lock_depth == 0) {
        task_lock_owner = -1;
    }
}

void rtos_host_spin(void) {
    rtos_host_tick(); // spinning costs this core its share of the step
}

int rtos_host_in_isr(void) {
    return in_isr[cur_core];
}

void rtos_host_isr(void (*fn)(void *), void *arg) {
    int c = cur_core;
    if (irq_disabled[c]) {
        fprintf(stderr, "rtos host: interrupt raised while interrupts are masked\n");
        abort();
    }
    in_isr[c] = 1;
    fn(arg);
    in_isr[c] = 0;
    if (switch_pending[c] && can_switch()) {
        do_switch();
    }
}

void rtos_host_tick(void) {
    if (rtos_host_ticks_run > rtos_host_tick_limit) {
        fprintf(stderr, "rtos host: tick limit reached (all tasks blocked?)\n");
        abort();
    }
    if (irq_disabled[cur_core]) {
        fprintf(stderr, "rtos host: time passes while interrupts are masked\n");
        abort();
    }
    step_done[cur_core] = 1;
    for (UBaseType_t k = 0; k < online; k++) {
        if (!step_done[k]) {
            run_core((int)k); // back here once this core runs again, in the next step
            return;
        }
    }
    // every core has had its share: the tick interrupt (on core 0), then a new step from core 0
    for (UBaseType_t k = 0; k < online; k++) {
        step_done[k] = 0;
    }
    int caller = cur_core;
    cur_core = 0;
    in_isr[0] = 1;
    rtos_host_ticks_run++;
    if (xTaskIncrementTick()) {
        switch_pending[0] = 1;
    }
    in_isr[0] = 0;
    if (caller == 0) {
        if (switch_pending[0] && can_switch()) {
            do_switch();
        }
    } else {
        cur_core = caller;
        run_core(0);
    }
}

void rtos_host_run_ticks(uint32_t n) {
    while (n--) {
        rtos_host_tick();
    }
}

void rtos_port_idle_wait(void) {
    rtos_host_tick();
}

BaseType_t xPortStartScheduler(void) {
    started = 1;
    for (int k = 0; k < NCORES; k++) {
        irq_disabled[k] = 0;
        critical_nesting[k] = 0;
        switch_pending[k] = 0;
        in_isr[k] = 0;
        step_done[k] = 0;
    }
    task_lock_owner = -1;
    task_lock_depth = 0;
    cur_core = 0;
    rtos_host_ticks_run = 0;
    main_ctx.stack_bottom = NULL;
    switch_to(&main_ctx, ctx_of(rtos_current_tcb[0]));
    // back from vPortEndScheduler
    started = 0;
    cur_core = 0;
    for (int k = 0; k < NCORES; k++) {
        irq_disabled[k] = 0;
        critical_nesting[k] = 0;
        switch_pending[k] = 0;
    }
    return pdPASS;
}

void vPortEndScheduler(void) {
    irq_disabled[cur_core] = 1;
    switch_to(ctx_of(rtos_current_tcb[cur_core]), &main_ctx);
    abort();
}
