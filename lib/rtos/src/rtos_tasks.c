// Tasks and the scheduler: ready/delayed lists, selection, tick, delays, suspension, priorities,
// priority inheritance helpers, task information. Every list is changed only inside the kernel critical
// section (interrupts off on this core, plus the kernel spinlock on SMP ports).
#include <string.h>

#include "rtos_kernel.h"
#include "timers.h"

#if configUSE_PICOLIBC_TLS
#include <picotls.h>
#endif

_Static_assert(configNUMBER_OF_CORES >= 1 && configNUMBER_OF_CORES <= 2, "one or two cores");

#define STACK_FILL 0xa5U
#define PRIO_KEY(p) ((TickType_t)(configMAX_PRIORITIES - (p)))

tcb_t *volatile rtos_current_tcb[configNUMBER_OF_CORES];

static rtos_list_t ready_lists[configMAX_PRIORITIES];
static rtos_list_t delayed_list;   // blocked with a timeout, ordered by wake tick relative to the tick count
static rtos_list_t forever_list;   // blocked without a timeout
static rtos_list_t suspended_list;
static rtos_list_t terminating_list; // deleted while running; freed by the idle task
static rtos_list_t all_tasks;
static uint8_t lists_ready;

static volatile TickType_t tick_count;
static volatile BaseType_t overflow_count;
static volatile BaseType_t scheduler_running;
static volatile UBaseType_t suspend_depth[configNUMBER_OF_CORES];
static volatile BaseType_t yield_pending[configNUMBER_OF_CORES];
static UBaseType_t cores_online = 1;
static UBaseType_t task_counter;
static volatile UBaseType_t num_tasks;
static tcb_t *idle_tasks[configNUMBER_OF_CORES];

static void kernel_init(void) {
    if (lists_ready) {
        return;
    }
    for (UBaseType_t p = 0; p < configMAX_PRIORITIES; p++) {
        rtos_list_init(&ready_lists[p]);
    }
    rtos_list_init(&delayed_list);
    rtos_list_init(&forever_list);
    rtos_list_init(&suspended_list);
    rtos_list_init(&terminating_list);
    rtos_list_init(&all_tasks);
    lists_ready = 1;
}

tcb_t *rtos_self(void) {
    return rtos_current_tcb[portGET_CORE_ID()];
}

BaseType_t rtos_scheduler_running(void) {
    return scheduler_running;
}

static inline int can_run_on(const tcb_t *t, UBaseType_t core) {
    return cores_online == 1 || (t->affinity & ((UBaseType_t)1 << core)) != 0;
}

static inline int is_ready(const tcb_t *t) {
    return t->state_node.container == &ready_lists[t->priority];
}

// A task became ready (or got a higher priority): ask the core running the lowest-priority task it may
// preempt to reschedule. Returns pdTRUE when that core is the calling one.
static BaseType_t preempt_check(tcb_t *t) {
    if (!scheduler_running || !configUSE_PREEMPTION || t->running_on != -1) {
        return pdFALSE;
    }
    BaseType_t self = portGET_CORE_ID();
    BaseType_t target = -1;
    UBaseType_t lowest = t->priority;
    for (UBaseType_t k = 0; k < cores_online; k++) {
        tcb_t *cur = rtos_current_tcb[k];
        if (cur == NULL || !can_run_on(t, k) || cur->priority >= t->priority) {
            continue;
        }
        // the core running the lowest priority; on a tie, prefer the calling core
        if (target == -1 || cur->priority < lowest || (cur->priority == lowest && (BaseType_t)k == self)) {
            lowest = cur->priority;
            target = (BaseType_t)k;
        }
    }
    if (target == -1) {
        return pdFALSE;
    }
    if (target == self) {
        return pdTRUE;
    }
    portYIELD_CORE(target);
    return pdFALSE;
}

static void add_ready(tcb_t *t) {
    rtos_list_insert_tail(&ready_lists[t->priority], &t->state_node);
}

// ---- selection and context switch (called by the port with interrupts off / kernel lock held) ----

static tcb_t *select_task(BaseType_t core) {
    tcb_t *cur = rtos_current_tcb[core];
    for (BaseType_t p = configMAX_PRIORITIES - 1; p >= 0; p--) {
        rtos_list_t *list = &ready_lists[p];
        rtos_node_t *fallback = NULL;
        for (rtos_node_t *n = list->end.next; n != &list->end; n = n->next) {
            tcb_t *t = n->owner;
            if ((t->running_on == -1 || t->running_on == core) && can_run_on(t, (UBaseType_t)core)) {
                if (t == cur && fallback == NULL) {
                    // a switch away from a task that stays ready (yield, time slice) goes to a peer
                    // of the same priority when there is one, wherever it sits in the list
                    fallback = n;
                    continue;
                }
                // round robin: the chosen task goes behind its peers
                rtos_list_remove(n);
                rtos_list_insert_tail(list, n);
                return t;
            }
        }
        if (fallback != NULL) {
            rtos_list_remove(fallback);
            rtos_list_insert_tail(list, fallback);
            return fallback->owner;
        }
    }
    return NULL;
}

static void check_stack(tcb_t *t) {
    #if configCHECK_FOR_STACK_OVERFLOW > 0
    // the lowest 16 bytes of the stack must still hold the fill pattern
    const uint32_t fill = STACK_FILL * 0x01010101u;
    if (t != NULL && !t->deleted) {
        const uint32_t *p = (const uint32_t *)(void *)t->stack_base;
        if ((p[0] ^ fill) | (p[1] ^ fill) | (p[2] ^ fill) | (p[3] ^ fill)) {
            vApplicationStackOverflowHook(t, t->name);
        }
    }
    #else
    (void)t;
    #endif
}

void vTaskSwitchContext(BaseType_t core) {
    if (suspend_depth[core] != 0) {
        yield_pending[core] = pdTRUE;
        return;
    }
    yield_pending[core] = pdFALSE;
    tcb_t *old = rtos_current_tcb[core];
    check_stack(old);
    tcb_t *next = select_task(core);
    configASSERT(next != NULL);
    if (old != NULL) {
        old->running_on = -1;
    }
    next->running_on = core;
    rtos_current_tcb[core] = next;
    rtos_port_task_switched_in(core);
    traceTASK_SWITCHED_IN();
    if (old != NULL && old != next && configNUMBER_OF_CORES > 1 && is_ready(old)) {
        // the preempted task may still run on another core
        (void)preempt_check(old);
    }
}

// ---- tick ----

// Time slicing: is another task of cur's priority waiting that could run on this core?
static int has_waiting_peer(rtos_list_t *list, const tcb_t *cur, UBaseType_t core) {
    for (rtos_node_t *n = list->end.next; n != &list->end; n = n->next) {
        const tcb_t *t = n->owner;
        if (t != cur && t->running_on == -1 && can_run_on(t, core)) {
            return 1;
        }
    }
    return 0;
}

BaseType_t xTaskIncrementTick(void) {
    UBaseType_t saved = taskENTER_CRITICAL_FROM_ISR();
    BaseType_t self = portGET_CORE_ID();
    BaseType_t switch_needed = pdFALSE;
    if (scheduler_running) {
        TickType_t now = ++tick_count;
        if (now == 0) {
            overflow_count++;
        }
        for (;;) {
            rtos_node_t *n = rtos_list_first(&delayed_list);
            if (n == NULL || n->key != now) {
                break;
            }
            if (rtos_unblock(n->owner)) {
                switch_needed = pdTRUE;
            }
        }
        for (UBaseType_t k = 0; k < cores_online; k++) {
            tcb_t *cur = rtos_current_tcb[k];
            if (cur == NULL) {
                continue;
            }
            cur->run_ticks++;
            if (configUSE_PREEMPTION && configUSE_TIME_SLICING && is_ready(cur)
                && has_waiting_peer(&ready_lists[cur->priority], cur, k)) {
                if ((BaseType_t)k == self) {
                    switch_needed = pdTRUE;
                } else {
                    portYIELD_CORE(k);
                }
            }
        }
        if (yield_pending[self]) {
            switch_needed = pdTRUE;
        }
    }
    taskEXIT_CRITICAL_FROM_ISR(saved);
    #if configUSE_TICK_HOOK
    vApplicationTickHook();
    #endif
    return switch_needed;
}

TickType_t xTaskGetTickCount(void) {
    return tick_count;
}

TickType_t xTaskGetTickCountFromISR(void) {
    return tick_count;
}

void vTaskStepTick(TickType_t ticks) {
    taskENTER_CRITICAL();
    tick_count += ticks;
    taskEXIT_CRITICAL();
}

BaseType_t xTaskCatchUpTicks(TickType_t ticks) {
    BaseType_t yield = pdFALSE;
    while (ticks--) {
        yield |= xTaskIncrementTick();
    }
    if (yield) {
        portYIELD_WITHIN_API();
    }
    return yield;
}

// ---- blocking and waking (kernel lock held) ----

void rtos_block_current(rtos_list_t *event_list, TickType_t ticks) {
    tcb_t *self = rtos_self();
    configASSERT(self != NULL && ticks != 0);
    configASSERT(suspend_depth[portGET_CORE_ID()] == 0);
    rtos_list_remove(&self->state_node);
    self->delay_aborted = 0;
    if (event_list != NULL) {
        self->event_node.key = PRIO_KEY(self->priority);
        rtos_list_insert_ordered(event_list, &self->event_node, 0);
    }
    if (ticks == portMAX_DELAY) {
        rtos_list_insert_tail(&forever_list, &self->state_node);
    } else {
        self->state_node.key = tick_count + ticks;
        rtos_list_insert_ordered(&delayed_list, &self->state_node, tick_count);
    }
}

BaseType_t rtos_task_is_waiting(const tcb_t *t) {
    return t->state_node.container == &delayed_list || t->state_node.container == &forever_list;
}

BaseType_t rtos_unblock(tcb_t *t) {
    if (!rtos_task_is_waiting(t)) {
        return pdFALSE;
    }
    rtos_list_remove(&t->event_node);
    rtos_list_remove(&t->state_node);
    add_ready(t);
    return preempt_check(t);
}

BaseType_t rtos_wake_first(rtos_list_t *event_list) {
    rtos_node_t *n = rtos_list_first(event_list);
    return n != NULL ? rtos_unblock(n->owner) : pdFALSE;
}

BaseType_t rtos_wake_all(rtos_list_t *event_list) {
    BaseType_t yield = pdFALSE;
    rtos_node_t *n;
    while ((n = rtos_list_first(event_list)) != NULL) {
        tcb_t *t = n->owner;
        rtos_list_remove(n);
        yield |= rtos_unblock(t);
    }
    return yield;
}

// Change a task's effective priority, keeping lists ordered. Returns pdTRUE if the calling core should yield.
static BaseType_t change_priority(tcb_t *t, UBaseType_t prio) {
    UBaseType_t old = t->priority;
    if (old == prio) {
        return pdFALSE;
    }
    int was_ready = is_ready(t);
    if (was_ready) {
        rtos_list_remove(&t->state_node);
    }
    t->priority = prio;
    if (t->event_node.container != NULL) {
        rtos_list_t *list = t->event_node.container;
        rtos_list_remove(&t->event_node);
        t->event_node.key = PRIO_KEY(prio);
        rtos_list_insert_ordered(list, &t->event_node, 0);
    }
    if (!was_ready) {
        return pdFALSE;
    }
    add_ready(t);
    if (t->running_on != -1) {
        if (prio < old && scheduler_running) {
            if (t->running_on == portGET_CORE_ID()) {
                return pdTRUE;
            }
            portYIELD_CORE(t->running_on);
        }
        return pdFALSE;
    }
    return prio > old ? preempt_check(t) : pdFALSE;
}

void rtos_priority_inherit(tcb_t *holder) {
    tcb_t *self = rtos_self();
    if (holder != NULL && self != NULL && holder->priority < self->priority) {
        (void)change_priority(holder, self->priority);
    }
}

BaseType_t rtos_priority_disinherit(tcb_t *holder) {
    if (holder == NULL) {
        return pdFALSE;
    }
    configASSERT(holder->mutexes_held > 0);
    holder->mutexes_held--;
    if (holder->priority != holder->base_priority && holder->mutexes_held == 0) {
        return change_priority(holder, holder->base_priority);
    }
    return pdFALSE;
}

void rtos_priority_disinherit_after_timeout(tcb_t *holder, UBaseType_t highest_waiter_priority) {
    if (holder == NULL) {
        return;
    }
    UBaseType_t prio = holder->base_priority > highest_waiter_priority ? holder->base_priority : highest_waiter_priority;
    if (holder->priority != prio && holder->mutexes_held == 1) {
        (void)change_priority(holder, prio);
    }
}

UBaseType_t rtos_highest_waiter_priority(rtos_list_t *event_list) {
    rtos_node_t *n = rtos_list_first(event_list);
    return n != NULL ? ((tcb_t *)n->owner)->priority : tskIDLE_PRIORITY;
}

// ---- creation and deletion ----

void rtos_task_exit(void) {
    vTaskDelete(NULL);
    for (;;) {
    }
}

static void free_task(tcb_t *t) {
    if (!(t->static_alloc & 2)) {
        vPortFree(t->stack_base);
    }
    if (!(t->static_alloc & 1)) {
        vPortFree(t);
    }
}

static void init_task(tcb_t *t, StackType_t *stack, TaskFunction_t fn, const char *name, configSTACK_DEPTH_TYPE depth,
    void *arg, UBaseType_t prio, UBaseType_t affinity, uint8_t static_alloc) {
    memset(t, 0, sizeof(*t));
    memset(stack, STACK_FILL, (size_t)depth * sizeof(StackType_t));
    t->stack_base = stack;
    t->stack_depth = depth;
    t->static_alloc = static_alloc;
    if (name != NULL) {
        size_t i = 0;
        for (; i < configMAX_TASK_NAME_LEN - 1 && name[i] != '\0'; i++) {
            t->name[i] = name[i];
        }
        t->name[i] = '\0';
    }
    if (prio >= configMAX_PRIORITIES) {
        prio = configMAX_PRIORITIES - 1;
    }
    t->priority = prio;
    t->base_priority = prio;
    t->affinity = affinity;
    t->running_on = -1;
    rtos_node_init(&t->state_node, t);
    rtos_node_init(&t->event_node, t);
    rtos_node_init(&t->all_node, t);
    StackType_t *top = stack + depth;
    #if configUSE_PICOLIBC_TLS
    size_t tls_words = (_tls_size() + sizeof(StackType_t) - 1) / sizeof(StackType_t);
    top -= tls_words;
    top = (StackType_t *)((uintptr_t)top & ~(uintptr_t)(_tls_align() > 8 ? _tls_align() - 1 : 7));
    _init_tls(top);
    t->libc_tls = top;
    #endif
    top = (StackType_t *)((uintptr_t)top & ~(uintptr_t)(portBYTE_ALIGNMENT - 1));
    t->sp = rtos_port_init_stack(stack, top, fn, arg);

    taskENTER_CRITICAL();
    kernel_init();
    t->number = ++task_counter;
    rtos_list_insert_tail(&all_tasks, &t->all_node);
    num_tasks++;
    add_ready(t);
    if (preempt_check(t)) {
        portYIELD_WITHIN_API();
    }
    taskEXIT_CRITICAL();
}

TaskHandle_t xTaskCreateStaticAffinitySet(TaskFunction_t fn, const char *const name, const configSTACK_DEPTH_TYPE depth,
    void *const arg, UBaseType_t prio, StackType_t *const stack, StaticTask_t *const tcb, UBaseType_t affinity) {
    if (stack == NULL || tcb == NULL) {
        return NULL;
    }
    init_task(tcb, stack, fn, name, depth, arg, prio, affinity, 3);
    return tcb;
}

TaskHandle_t xTaskCreateStatic(TaskFunction_t fn, const char *const name, const configSTACK_DEPTH_TYPE depth,
    void *const arg, UBaseType_t prio, StackType_t *const stack, StaticTask_t *const tcb) {
    return xTaskCreateStaticAffinitySet(fn, name, depth, arg, prio, stack, tcb, tskNO_AFFINITY);
}

static void reap_terminated(void);

BaseType_t xTaskCreateAffinitySet(TaskFunction_t fn, const char *const name, const configSTACK_DEPTH_TYPE depth,
    void *const arg, UBaseType_t prio, UBaseType_t affinity, TaskHandle_t *const created) {
    // tasks that deleted themselves are freed here too, not only by the idle task: a program that
    // keeps the CPU busy while creating short-lived tasks must not run out of memory
    if (scheduler_running) {
        reap_terminated();
    }
    tcb_t *t = pvPortMalloc(sizeof(tcb_t));
    StackType_t *stack = t != NULL ? pvPortMalloc((size_t)depth * sizeof(StackType_t)) : NULL;
    if (stack == NULL) {
        vPortFree(t);
        return errCOULD_NOT_ALLOCATE_REQUIRED_MEMORY;
    }
    init_task(t, stack, fn, name, depth, arg, prio, affinity, 0);
    if (created != NULL) {
        *created = t;
    }
    return pdPASS;
}

BaseType_t xTaskCreate(TaskFunction_t fn, const char *const name, const configSTACK_DEPTH_TYPE depth,
    void *const arg, UBaseType_t prio, TaskHandle_t *const created) {
    return xTaskCreateAffinitySet(fn, name, depth, arg, prio, tskNO_AFFINITY, created);
}

void vTaskDelete(TaskHandle_t handle) {
    tcb_t *free_now = NULL;
    taskENTER_CRITICAL();
    tcb_t *t = handle != NULL ? handle : rtos_self();
    rtos_list_remove(&t->state_node);
    rtos_list_remove(&t->event_node);
    rtos_list_remove(&t->all_node);
    num_tasks--;
    t->deleted = 1;
    if (t->running_on != -1 && scheduler_running) {
        rtos_list_insert_tail(&terminating_list, &t->state_node);
        if (t->running_on == portGET_CORE_ID()) {
            portYIELD_WITHIN_API();
        } else {
            portYIELD_CORE(t->running_on);
        }
    } else {
        free_now = t;
    }
    taskEXIT_CRITICAL();
    if (free_now != NULL) {
        free_task(free_now);
    }
}

static void reap_terminated(void) {
    for (;;) {
        tcb_t *victim = NULL;
        taskENTER_CRITICAL();
        for (rtos_node_t *n = terminating_list.end.next; n != &terminating_list.end; n = n->next) {
            tcb_t *t = n->owner;
            if (t->running_on == -1) {
                rtos_list_remove(n);
                victim = t;
                break;
            }
        }
        taskEXIT_CRITICAL();
        if (victim == NULL) {
            return;
        }
        free_task(victim);
    }
}

// ---- delays ----

void vTaskDelay(const TickType_t ticks) {
    if (ticks == 0) {
        taskYIELD();
        return;
    }
    taskENTER_CRITICAL();
    rtos_block_current(NULL, ticks);
    portYIELD_WITHIN_API();
    taskEXIT_CRITICAL();
}

BaseType_t xTaskDelayUntil(TickType_t *const previous, const TickType_t increment) {
    BaseType_t delayed = pdFALSE;
    configASSERT(previous != NULL && increment > 0);
    taskENTER_CRITICAL();
    TickType_t elapsed = tick_count - *previous;
    *previous += increment;
    if (elapsed < increment) {
        rtos_block_current(NULL, increment - elapsed);
        portYIELD_WITHIN_API();
        delayed = pdTRUE;
    }
    taskEXIT_CRITICAL();
    return delayed;
}

BaseType_t xTaskAbortDelay(TaskHandle_t t) {
    BaseType_t result = pdFAIL;
    taskENTER_CRITICAL();
    if (rtos_task_is_waiting(t)) {
        if (rtos_unblock(t)) {
            portYIELD_WITHIN_API();
        }
        t->delay_aborted = 1;
        result = pdPASS;
    }
    taskEXIT_CRITICAL();
    return result;
}

void vTaskInternalSetTimeOutState(TimeOut_t *const timeout) {
    timeout->xOverflowCount = overflow_count;
    timeout->xTimeOnEntering = tick_count;
}

void vTaskSetTimeOutState(TimeOut_t *const timeout) {
    taskENTER_CRITICAL();
    vTaskInternalSetTimeOutState(timeout);
    taskEXIT_CRITICAL();
}

BaseType_t xTaskCheckForTimeOut(TimeOut_t *const timeout, TickType_t *const remaining) {
    BaseType_t expired;
    taskENTER_CRITICAL();
    tcb_t *self = rtos_self();
    if (self != NULL && self->delay_aborted) {
        self->delay_aborted = 0;
        expired = pdTRUE;
    } else if (*remaining == portMAX_DELAY) {
        expired = pdFALSE;
    } else {
        TickType_t elapsed = tick_count - timeout->xTimeOnEntering;
        if (elapsed < *remaining) {
            *remaining -= elapsed;
            vTaskInternalSetTimeOutState(timeout);
            expired = pdFALSE;
        } else {
            *remaining = 0;
            expired = pdTRUE;
        }
    }
    taskEXIT_CRITICAL();
    return expired;
}

// ---- priorities, suspension, affinity ----

UBaseType_t uxTaskPriorityGet(const TaskHandle_t handle) {
    taskENTER_CRITICAL();
    UBaseType_t p = (handle != NULL ? handle : rtos_self())->priority;
    taskEXIT_CRITICAL();
    return p;
}

UBaseType_t uxTaskPriorityGetFromISR(const TaskHandle_t handle) {
    UBaseType_t saved = taskENTER_CRITICAL_FROM_ISR();
    UBaseType_t p = (handle != NULL ? handle : rtos_self())->priority;
    taskEXIT_CRITICAL_FROM_ISR(saved);
    return p;
}

UBaseType_t uxTaskBasePriorityGet(const TaskHandle_t handle) {
    taskENTER_CRITICAL();
    UBaseType_t p = (handle != NULL ? handle : rtos_self())->base_priority;
    taskEXIT_CRITICAL();
    return p;
}

void vTaskPrioritySet(TaskHandle_t handle, UBaseType_t prio) {
    if (prio >= configMAX_PRIORITIES) {
        prio = configMAX_PRIORITIES - 1;
    }
    taskENTER_CRITICAL();
    tcb_t *t = handle != NULL ? handle : rtos_self();
    // while a task holds an inherited priority, only a higher new priority takes effect at once
    UBaseType_t effective = (t->priority == t->base_priority || prio > t->priority) ? prio : t->priority;
    t->base_priority = prio;
    if (change_priority(t, effective)) {
        portYIELD_WITHIN_API();
    }
    taskEXIT_CRITICAL();
}

void vTaskSuspend(TaskHandle_t handle) {
    taskENTER_CRITICAL();
    tcb_t *t = handle != NULL ? handle : rtos_self();
    rtos_list_remove(&t->state_node);
    rtos_list_remove(&t->event_node);
    for (UBaseType_t i = 0; i < configTASK_NOTIFICATION_ARRAY_ENTRIES; i++) {
        if (t->notify_state[i] == 1) {
            t->notify_state[i] = 0;
        }
    }
    rtos_list_insert_tail(&suspended_list, &t->state_node);
    if (t->running_on != -1 && scheduler_running) {
        if (t->running_on == portGET_CORE_ID()) {
            portYIELD_WITHIN_API();
        } else {
            portYIELD_CORE(t->running_on);
        }
    }
    taskEXIT_CRITICAL();
}

static BaseType_t resume_locked(tcb_t *t) {
    if (t == NULL || t->state_node.container != &suspended_list) {
        return pdFALSE;
    }
    rtos_list_remove(&t->state_node);
    add_ready(t);
    return preempt_check(t);
}

void vTaskResume(TaskHandle_t handle) {
    taskENTER_CRITICAL();
    if (resume_locked(handle)) {
        portYIELD_WITHIN_API();
    }
    taskEXIT_CRITICAL();
}

BaseType_t xTaskResumeFromISR(TaskHandle_t handle) {
    UBaseType_t saved = taskENTER_CRITICAL_FROM_ISR();
    BaseType_t yield = resume_locked(handle);
    taskEXIT_CRITICAL_FROM_ISR(saved);
    return yield;
}

void vTaskCoreAffinitySet(const TaskHandle_t handle, UBaseType_t mask) {
    taskENTER_CRITICAL();
    tcb_t *t = handle != NULL ? handle : rtos_self();
    t->affinity = mask;
    if (t->running_on != -1 && scheduler_running && !can_run_on(t, (UBaseType_t)t->running_on)) {
        if (t->running_on == portGET_CORE_ID()) {
            portYIELD_WITHIN_API();
        } else {
            portYIELD_CORE(t->running_on);
        }
    } else if (is_ready(t) && preempt_check(t)) {
        portYIELD_WITHIN_API();
    }
    taskEXIT_CRITICAL();
}

UBaseType_t vTaskCoreAffinityGet(ConstTaskHandle_t handle) {
    taskENTER_CRITICAL();
    UBaseType_t mask = (handle != NULL ? handle : rtos_self())->affinity;
    taskEXIT_CRITICAL();
    return mask;
}

// ---- scheduler ----

static void idle_task(void *arg) {
    (void)arg;
    for (;;) {
        reap_terminated();
        if (configIDLE_SHOULD_YIELD && ready_lists[tskIDLE_PRIORITY].count > cores_online) {
            taskYIELD();
            continue;
        }
        #if configUSE_IDLE_HOOK
        vApplicationIdleHook();
        #endif
        rtos_port_idle_wait();
    }
}

static void kernel_teardown(void) {
    rtos_node_t *n;
    while ((n = rtos_list_first(&all_tasks)) != NULL) {
        tcb_t *t = n->owner;
        rtos_list_remove(n);
        rtos_list_remove(&t->state_node);
        rtos_list_remove(&t->event_node);
        free_task(t);
    }
    while ((n = rtos_list_first(&terminating_list)) != NULL) {
        rtos_list_remove(n);
        free_task(n->owner);
    }
    rtos_timers_reset();
    for (UBaseType_t k = 0; k < configNUMBER_OF_CORES; k++) {
        rtos_current_tcb[k] = NULL;
        idle_tasks[k] = NULL;
        suspend_depth[k] = 0;
        yield_pending[k] = pdFALSE;
    }
    scheduler_running = pdFALSE;
    num_tasks = 0;
    task_counter = 0;
    overflow_count = 0;
    tick_count = configINITIAL_TICK_COUNT;
    lists_ready = 0;
}

void vTaskStartScheduler(void) {
    static const char *const idle_names[] = {configIDLE_TASK_NAME, configIDLE_TASK_NAME "1"};
    kernel_init();
    cores_online = rtos_port_prepare_cores();
    for (UBaseType_t k = 0; k < cores_online; k++) {
        if (xTaskCreateAffinitySet(idle_task, idle_names[k & 1], configMINIMAL_STACK_SIZE, NULL, tskIDLE_PRIORITY,
            (UBaseType_t)1 << k, &idle_tasks[k]) != pdPASS) {
            return;
        }
    }
    #if configUSE_TIMERS
    if (xTimerCreateTimerTask() != pdPASS) {
        return;
    }
    #endif
    portDISABLE_INTERRUPTS();
    tick_count = configINITIAL_TICK_COUNT;
    overflow_count = 0;
    for (UBaseType_t k = 0; k < cores_online; k++) {
        vTaskSwitchContext((BaseType_t)k);
    }
    scheduler_running = pdTRUE;
    (void)xPortStartScheduler();
    // Only ports that implement vTaskEndScheduler (the host port) get here.
    kernel_teardown();
}

void vTaskEndScheduler(void) {
    vPortEndScheduler();
}

void vTaskSuspendAll(void) {
    for (;;) {
        UBaseType_t saved = portSET_INTERRUPT_MASK();
        BaseType_t core = portGET_CORE_ID();
        if (suspend_depth[core] != 0 || portTRY_TASK_LOCK()) {
            suspend_depth[core]++;
            portCLEAR_INTERRUPT_MASK(saved);
            return;
        }
        portCLEAR_INTERRUPT_MASK(saved);
        portSPIN_WAIT(); // another core has the scheduler suspended
    }
}

BaseType_t xTaskResumeAll(void) {
    BaseType_t yielded = pdFALSE;
    UBaseType_t saved = portSET_INTERRUPT_MASK();
    BaseType_t core = portGET_CORE_ID();
    configASSERT(suspend_depth[core] != 0);
    if (--suspend_depth[core] == 0) {
        portRELEASE_TASK_LOCK();
        if (yield_pending[core] && scheduler_running) {
            yielded = pdTRUE;
            portYIELD_WITHIN_API();
        }
    }
    portCLEAR_INTERRUPT_MASK(saved);
    return yielded;
}

BaseType_t xTaskGetSchedulerState(void) {
    if (!scheduler_running) {
        return taskSCHEDULER_NOT_STARTED;
    }
    UBaseType_t saved = portSET_INTERRUPT_MASK();
    BaseType_t suspended = suspend_depth[portGET_CORE_ID()] != 0;
    portCLEAR_INTERRUPT_MASK(saved);
    return suspended ? taskSCHEDULER_SUSPENDED : taskSCHEDULER_RUNNING;
}

// ---- information ----

UBaseType_t uxTaskGetNumberOfTasks(void) {
    return num_tasks;
}

char *pcTaskGetName(TaskHandle_t handle) {
    taskENTER_CRITICAL();
    tcb_t *t = handle != NULL ? handle : rtos_self();
    taskEXIT_CRITICAL();
    return t->name;
}

TaskHandle_t xTaskGetHandle(const char *name) {
    tcb_t *found = NULL;
    taskENTER_CRITICAL();
    for (rtos_node_t *n = all_tasks.end.next; lists_ready && n != &all_tasks.end; n = n->next) {
        tcb_t *t = n->owner;
        if (strncmp(t->name, name, configMAX_TASK_NAME_LEN - 1) == 0) {
            found = t;
            break;
        }
    }
    taskEXIT_CRITICAL();
    return found;
}

TaskHandle_t xTaskGetCurrentTaskHandle(void) {
    UBaseType_t saved = portSET_INTERRUPT_MASK();
    tcb_t *t = rtos_self();
    portCLEAR_INTERRUPT_MASK(saved);
    return t;
}

TaskHandle_t xTaskGetCurrentTaskHandleForCore(BaseType_t core) {
    return (core >= 0 && core < configNUMBER_OF_CORES) ? rtos_current_tcb[core] : NULL;
}

TaskHandle_t xTaskGetIdleTaskHandle(void) {
    return idle_tasks[0];
}

TaskHandle_t xTaskGetIdleTaskHandleForCore(BaseType_t core) {
    return (core >= 0 && core < configNUMBER_OF_CORES) ? idle_tasks[core] : NULL;
}

BaseType_t xTaskGetCoreID(TaskHandle_t handle) {
    return (handle != NULL ? handle : xTaskGetCurrentTaskHandle())->running_on;
}

portNO_SANITIZE static configSTACK_DEPTH_TYPE stack_free_words(const tcb_t *t) {
    const uint8_t *p = (const uint8_t *)t->stack_base;
    size_t bytes = (size_t)t->stack_depth * sizeof(StackType_t);
    size_t n = 0;
    while (n < bytes && p[n] == STACK_FILL) {
        n++;
    }
    return (configSTACK_DEPTH_TYPE)(n / sizeof(StackType_t));
}

UBaseType_t uxTaskGetStackHighWaterMark(TaskHandle_t handle) {
    return (UBaseType_t)stack_free_words(handle != NULL ? handle : xTaskGetCurrentTaskHandle());
}

configSTACK_DEPTH_TYPE uxTaskGetStackHighWaterMark2(TaskHandle_t handle) {
    return stack_free_words(handle != NULL ? handle : xTaskGetCurrentTaskHandle());
}

static eTaskState state_locked(const tcb_t *t) {
    const rtos_list_t *c = t->state_node.container;
    if (t->deleted) {
        return eDeleted;
    }
    if (c == &delayed_list || c == &forever_list) {
        return eBlocked;
    }
    if (c == &suspended_list) {
        return eSuspended;
    }
    if (c == &ready_lists[t->priority]) {
        return t->running_on != -1 ? eRunning : eReady;
    }
    return eInvalid;
}

eTaskState eTaskGetState(TaskHandle_t handle) {
    taskENTER_CRITICAL();
    eTaskState s = state_locked(handle);
    taskEXIT_CRITICAL();
    return s;
}

static void fill_status(tcb_t *t, TaskStatus_t *s, BaseType_t stack, eTaskState state) {
    s->xHandle = t;
    s->pcTaskName = t->name;
    s->xTaskNumber = t->number;
    s->eCurrentState = state == eInvalid ? state_locked(t) : state;
    s->uxCurrentPriority = t->priority;
    s->uxBasePriority = t->base_priority;
    s->ulRunTimeCounter = t->run_ticks;
    s->pxStackBase = t->stack_base;
    s->usStackHighWaterMark = stack ? stack_free_words(t) : 0;
    s->uxCoreAffinityMask = t->affinity;
}

void vTaskGetInfo(TaskHandle_t handle, TaskStatus_t *status, BaseType_t free_stack, eTaskState state) {
    taskENTER_CRITICAL();
    fill_status(handle != NULL ? handle : rtos_self(), status, free_stack, state);
    taskEXIT_CRITICAL();
}

UBaseType_t uxTaskGetSystemState(TaskStatus_t *const array, const UBaseType_t size, uint32_t *const total) {
    UBaseType_t n = 0;
    taskENTER_CRITICAL();
    if (size >= num_tasks) {
        for (rtos_node_t *node = all_tasks.end.next; lists_ready && node != &all_tasks.end; node = node->next) {
            fill_status(node->owner, &array[n++], pdTRUE, eInvalid);
        }
    }
    if (total != NULL) {
        *total = tick_count - (TickType_t)configINITIAL_TICK_COUNT;
    }
    taskEXIT_CRITICAL();
    return n;
}

UBaseType_t uxTaskGetTaskNumber(TaskHandle_t handle) {
    return handle != NULL ? handle->number : 0;
}

void vTaskSetTaskNumber(TaskHandle_t handle, const UBaseType_t number) {
    if (handle != NULL) {
        handle->number = number;
    }
}

void vTaskSetThreadLocalStoragePointer(TaskHandle_t handle, BaseType_t index, void *value) {
    if (index >= 0 && index < configNUM_THREAD_LOCAL_STORAGE_POINTERS) {
        (handle != NULL ? handle : xTaskGetCurrentTaskHandle())->tls[index] = value;
    }
}

void *pvTaskGetThreadLocalStoragePointer(TaskHandle_t handle, BaseType_t index) {
    if (index >= 0 && index < configNUM_THREAD_LOCAL_STORAGE_POINTERS) {
        return (handle != NULL ? handle : xTaskGetCurrentTaskHandle())->tls[index];
    }
    return NULL;
}
