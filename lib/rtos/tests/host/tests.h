// The list of host tests: X(name, initial tick count).
#ifndef RTOS_TESTS_H
#define RTOS_TESTS_H

#include "harness.h"

#define RTOS_TESTS(X) \
    X(tick_wrap_delay, 0xfffffff0u) \
    X(delayed_list_order, 0xfffffff8u) \
    X(delay_until, 0xffffffe0u) \
    X(priority_preemption, 0) \
    X(round_robin_time_slicing, 0) \
    X(yield_same_priority, 0) \
    X(suspend_resume_state, 0) \
    X(priority_set, 0) \
    X(priority_inheritance, 0) \
    X(priority_inheritance_timeout, 0) \
    X(recursive_mutex, 0) \
    X(queue_timeout_exact, 0xfffffffdu) \
    X(queue_semantics, 0) \
    X(queue_from_isr, 0) \
    X(queue_waiter_priority_order, 0) \
    X(semaphores, 0) \
    X(event_group_and_or, 0) \
    X(event_group_sync, 0) \
    X(timers_order_and_period, 0xffffffecu) \
    X(timer_pend_function_call, 0) \
    X(notifications, 0) \
    X(notifications_indexed_and_isr, 0) \
    X(tls_stack_system_state, 0) \
    X(scheduler_suspend_all, 0) \
    X(critical_nesting, 0) \
    X(task_delete, 0) \
    X(abort_delay, 0) \
    X(static_objects, 0) \
    X(idle_hook, 0) \
    X(stream_buffer, 0xfffffffeu) \
    X(message_buffer, 0)

#define DECLARE_TEST(name, tick) void t_##name(void *arg);
RTOS_TESTS(DECLARE_TEST)

extern const test_case_t all_tests[];
extern int test_idle_hook_calls;

#endif
