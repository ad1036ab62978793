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

// Scheduling on two simulated cores (built only with configNUMBER_OF_CORES > 1): Y(name, cores online).
#define RTOS_SMP_TESTS(Y) \
    Y(smp_parallel_tasks_and_idles, 2) \
    Y(smp_affinity_migration, 2) \
    Y(smp_preempts_lowest_priority_core, 2) \
    Y(smp_cross_core_wake, 2) \
    Y(smp_preempted_task_moves_to_free_core, 2) \
    Y(smp_round_robin_three_tasks, 2) \
    Y(smp_delete_task_on_other_core, 2) \
    Y(smp_suspend_all_excludes_other_core, 2) \
    Y(smp_core1_absent_fallback, 1)

#define DECLARE_TEST(name, tick) void t_##name(void *arg);
RTOS_TESTS(DECLARE_TEST)
RTOS_SMP_TESTS(DECLARE_TEST)

extern const test_case_t all_tests[];
extern int test_idle_hook_calls;

#endif
