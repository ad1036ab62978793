// Private interface between the files of the kernel core. Not for application code.
#ifndef RTOS_KERNEL_H
#define RTOS_KERNEL_H

#include "FreeRTOS.h"
#include "task.h"

typedef struct tskTaskControlBlock tcb_t;

// ---- lists (rtos_list.c) ----
void rtos_list_init(rtos_list_t *list);
void rtos_node_init(rtos_node_t *node, void *owner);
void rtos_list_insert_tail(rtos_list_t *list, rtos_node_t *node);
// Insert ordered by ascending (key - base) modulo the tick range; equal keys keep FIFO order.
void rtos_list_insert_ordered(rtos_list_t *list, rtos_node_t *node, TickType_t base);
void rtos_list_remove(rtos_node_t *node);
static inline rtos_node_t *rtos_list_first(rtos_list_t *list) {
    return list->count ? list->end.next : NULL;
}
static inline int rtos_list_empty(const rtos_list_t *list) {
    return list->count == 0;
}

// ---- scheduler services for the objects (rtos_tasks.c); all need the kernel lock (critical section) ----
#define RTOS_WAIT_FOREVER portMAX_DELAY
tcb_t *rtos_self(void);
// Block the current task: on event_list (priority ordered, may be NULL) for at most ticks ticks. The caller
// then requests a yield and leaves the critical section, which switches away.
void rtos_block_current(rtos_list_t *event_list, TickType_t ticks);
// Same, but event_list keeps arrival order (event groups).
void rtos_block_current_unordered(rtos_list_t *event_list, TickType_t ticks);
// Make a blocked task ready (removing it from its event list and timeout). Returns pdTRUE if the calling
// core should yield; other cores are asked to yield directly.
BaseType_t rtos_unblock(tcb_t *task);
// Unblock the highest-priority waiter of an event list, if any.
BaseType_t rtos_wake_first(rtos_list_t *event_list);
// Unblock every waiter of an event list; returns whether the calling core should yield.
BaseType_t rtos_wake_all(rtos_list_t *event_list);
BaseType_t rtos_task_is_waiting(const tcb_t *task);
// Mutex priority inheritance.
void rtos_priority_inherit(tcb_t *holder);
BaseType_t rtos_priority_disinherit(tcb_t *holder);
void rtos_priority_disinherit_after_timeout(tcb_t *holder, UBaseType_t highest_waiter_priority);
UBaseType_t rtos_highest_waiter_priority(rtos_list_t *event_list);
BaseType_t rtos_scheduler_running(void);

// ---- kernel-internal entry points of other files ----
void rtos_timers_reset(void);

#endif
