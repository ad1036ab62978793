// Scheduler tests: delays and tick wrap-around, preemption, round robin, suspension, priorities,
// deletion, scheduler suspension, critical sections, task information.
#include <string.h>

#include "tests.h"

static SemaphoreHandle_t sem;

static void delayer(void *arg) {
    uintptr_t id = (uintptr_t)arg;
    static const TickType_t delays[] = {12, 3, 8, 3, 20};
    vTaskDelay(delays[id]);
    test_log_add((int)id);
}

void t_tick_wrap_delay(void *arg) {
    (void)arg;
    TickType_t t0 = xTaskGetTickCount();
    CHECK_EQ(t0, 0xfffffff0u);
    vTaskDelay(20);
    CHECK_EQ(xTaskGetTickCount(), (TickType_t)(t0 + 20));
    CHECK_EQ(xTaskGetTickCount(), 4);
    // a timeout measured across the wrap
    TimeOut_t to;
    TickType_t remaining = 30;
    vTaskSetTimeOutState(&to);
    vTaskDelay(10);
    CHECK(xTaskCheckForTimeOut(&to, &remaining) == pdFALSE);
    CHECK_EQ(remaining, 20);
    vTaskDelay(20);
    CHECK(xTaskCheckForTimeOut(&to, &remaining) == pdTRUE);
    test_done();
}

void t_delayed_list_order(void *arg) {
    (void)arg;
    TickType_t t0 = xTaskGetTickCount();
    for (uintptr_t i = 0; i < 5; i++) {
        CHECK(xTaskCreate(delayer, "d", TEST_STACK, (void *)i, MAIN_PRIO + 1, NULL) == pdPASS);
    }
    vTaskDelay(30);
    static const int order[] = {1, 3, 2, 0, 4};
    static const TickType_t at[] = {3, 3, 8, 12, 20};
    CHECK_EQ(test_log_len, 5);
    for (int i = 0; i < 5; i++) {
        CHECK_EQ(test_log[i], order[i]);
        CHECK_EQ(test_log_tick[i], (TickType_t)(t0 + at[i]));
    }
    test_done();
}

void t_delay_until(void *arg) {
    (void)arg;
    TickType_t start = xTaskGetTickCount();
    TickType_t prev = start;
    for (int i = 1; i <= 3; i++) {
        CHECK(xTaskDelayUntil(&prev, 10) == pdTRUE);
        CHECK_EQ(xTaskGetTickCount(), (TickType_t)(start + 10 * i));
    }
    rtos_host_run_ticks(25); // late by more than two periods
    CHECK_EQ(xTaskGetTickCount(), (TickType_t)(start + 55));
    CHECK(xTaskDelayUntil(&prev, 10) == pdFALSE);
    CHECK(xTaskDelayUntil(&prev, 10) == pdFALSE);
    CHECK(xTaskDelayUntil(&prev, 10) == pdTRUE);
    CHECK_EQ(xTaskGetTickCount(), (TickType_t)(start + 60));
    CHECK_EQ(prev, (TickType_t)(start + 60));
    test_done();
}

static void high_waiter(void *arg) {
    (void)arg;
    test_log_add(1);
    xSemaphoreTake(sem, portMAX_DELAY);
    test_log_add(3);
}

static void low_logger(void *arg) {
    test_log_add((int)(uintptr_t)arg);
}

void t_priority_preemption(void *arg) {
    (void)arg;
    sem = xSemaphoreCreateBinary();
    xTaskCreate(high_waiter, "high", TEST_STACK, NULL, MAIN_PRIO + 2, NULL);
    test_log_add(2); // the higher-priority task ran inside xTaskCreate
    xSemaphoreGive(sem);
    test_log_add(4); // and again inside xSemaphoreGive
    xTaskCreate(low_logger, "low", TEST_STACK, (void *)5, MAIN_PRIO - 2, NULL);
    test_log_add(6); // the lower-priority one waits until we block
    vTaskDelay(1);
    static const int expect[] = {1, 2, 3, 4, 6, 5};
    CHECK_EQ(test_log_len, 6);
    for (int i = 0; i < 6; i++) {
        CHECK_EQ(test_log[i], expect[i]);
    }
    vSemaphoreDelete(sem);
    test_done();
}

static void spinner(void *arg) {
    for (int i = 0; i < 3; i++) {
        test_log_add((int)(uintptr_t)arg);
        rtos_host_run_ticks(1);
    }
}

void t_round_robin_time_slicing(void *arg) {
    (void)arg;
    vTaskPrioritySet(NULL, MAIN_PRIO + 2);
    xTaskCreate(spinner, "A", TEST_STACK, (void *)1, MAIN_PRIO + 1, NULL);
    xTaskCreate(spinner, "B", TEST_STACK, (void *)2, MAIN_PRIO + 1, NULL);
    xTaskCreate(spinner, "lowC", TEST_STACK, (void *)9, MAIN_PRIO - 1, NULL);
    TickType_t t0 = xTaskGetTickCount();
    vTaskPrioritySet(NULL, MAIN_PRIO);
    // A and B alternate every tick; main and C (lower) do not run meanwhile
    CHECK_EQ(test_log_len, 6);
    for (int i = 0; i < 6; i++) {
        CHECK_EQ(test_log[i], (i % 2) ? 2 : 1);
        CHECK_EQ(test_log_tick[i], (TickType_t)(t0 + i));
    }
    vTaskDelay(5);
    CHECK_EQ(test_log[6], 9);
    test_done();
}

static void yielder(void *arg) {
    for (int i = 0; i < 3; i++) {
        test_log_add((int)(uintptr_t)arg);
        taskYIELD();
    }
}

void t_yield_same_priority(void *arg) {
    (void)arg;
    vTaskPrioritySet(NULL, MAIN_PRIO + 2);
    xTaskCreate(yielder, "A", TEST_STACK, (void *)1, MAIN_PRIO + 1, NULL);
    xTaskCreate(yielder, "B", TEST_STACK, (void *)2, MAIN_PRIO + 1, NULL);
    TickType_t t0 = xTaskGetTickCount();
    vTaskPrioritySet(NULL, MAIN_PRIO);
    CHECK_EQ(test_log_len, 6);
    for (int i = 0; i < 6; i++) {
        CHECK_EQ(test_log[i], (i % 2) ? 2 : 1);
        CHECK_EQ(test_log_tick[i], t0);
    }
    test_done();
}

static void notified_logger(void *arg) {
    (void)arg;
    uint32_t v = ulTaskNotifyTake(pdTRUE, portMAX_DELAY);
    test_log_add((int)v);
}

static void self_suspender(void *arg) {
    (void)arg;
    test_log_add(100);
    vTaskSuspend(NULL);
    test_log_add(101);
}

void t_suspend_resume_state(void *arg) {
    (void)arg;
    TaskHandle_t t, s;
    xTaskCreate(notified_logger, "T", TEST_STACK, NULL, MAIN_PRIO - 1, &t);
    CHECK(eTaskGetState(t) == eReady);
    CHECK(eTaskGetState(xTaskGetCurrentTaskHandle()) == eRunning);
    vTaskDelay(1);
    CHECK(eTaskGetState(t) == eBlocked);
    vTaskSuspend(t);
    CHECK(eTaskGetState(t) == eSuspended);
    xTaskNotifyGive(t);
    vTaskDelay(3);
    CHECK_EQ(test_log_len, 0); // suspended: not woken by the notification
    vTaskResume(t);
    CHECK(eTaskGetState(t) == eReady);
    vTaskDelay(1);
    CHECK_EQ(test_log_len, 1);
    CHECK_EQ(test_log[0], 1);
    xTaskCreate(self_suspender, "S", TEST_STACK, NULL, MAIN_PRIO + 1, &s);
    CHECK_EQ(test_log[1], 100);
    CHECK(eTaskGetState(s) == eSuspended);
    vTaskResume(s); // preempts us at once
    CHECK_EQ(test_log_len, 3);
    CHECK_EQ(test_log[2], 101);
    test_done();
}

void t_priority_set(void *arg) {
    (void)arg;
    TaskHandle_t l;
    xTaskCreate(low_logger, "L", TEST_STACK, (void *)7, MAIN_PRIO - 2, &l);
    CHECK_EQ(uxTaskPriorityGet(l), MAIN_PRIO - 2);
    CHECK_EQ(uxTaskPriorityGet(NULL), MAIN_PRIO);
    CHECK_EQ(test_log_len, 0);
    vTaskPrioritySet(l, MAIN_PRIO + 1); // now above us: runs before this call returns
    CHECK_EQ(test_log_len, 1);
    CHECK_EQ(test_log[0], 7);
    vTaskPrioritySet(NULL, configMAX_PRIORITIES + 5); // clamped
    CHECK_EQ(uxTaskPriorityGet(NULL), configMAX_PRIORITIES - 1);
    vTaskPrioritySet(NULL, MAIN_PRIO);
    test_done();
}

static void counter_task(void *arg) {
    (void)arg;
    ulTaskNotifyTake(pdTRUE, portMAX_DELAY);
}

static void returning_task(void *arg) {
    test_log_add((int)(uintptr_t)arg);
}

void t_task_delete(void *arg) {
    (void)arg;
    UBaseType_t base = uxTaskGetNumberOfTasks();
    CHECK_EQ(base, 3); // main, IDLE, Tmr Svc
    TaskHandle_t t;
    xTaskCreate(low_logger, "L", TEST_STACK, (void *)1, MAIN_PRIO - 1, &t);
    CHECK_EQ(uxTaskGetNumberOfTasks(), base + 1);
    vTaskDelete(t);
    CHECK_EQ(uxTaskGetNumberOfTasks(), base);
    vTaskDelay(2);
    CHECK_EQ(test_log_len, 0); // never ran
    // a task that returns is deleted; a blocked task can be deleted; many cycles leave no leak (ASan)
    for (int i = 0; i < 100; i++) {
        xTaskCreate(returning_task, "R", TEST_STACK, (void *)2, MAIN_PRIO + 1, NULL);
        xTaskCreate(counter_task, "C", TEST_STACK, NULL, MAIN_PRIO + 1, &t);
        vTaskDelete(t);
    }
    CHECK_EQ(test_log_len, 100);
    vTaskDelay(2); // the idle task frees what deleted itself
    CHECK_EQ(uxTaskGetNumberOfTasks(), base);
    CHECK(xTaskGetHandle("R") == NULL);
    test_done();
}

static void sem_logger(void *arg) {
    (void)arg;
    xSemaphoreTake(sem, portMAX_DELAY);
    test_log_add(50);
}

void t_scheduler_suspend_all(void *arg) {
    (void)arg;
    sem = xSemaphoreCreateBinary();
    xTaskCreate(sem_logger, "H", TEST_STACK, NULL, MAIN_PRIO + 1, NULL);
    CHECK(xTaskGetSchedulerState() == taskSCHEDULER_RUNNING);
    vTaskSuspendAll();
    vTaskSuspendAll();
    CHECK(xTaskGetSchedulerState() == taskSCHEDULER_SUSPENDED);
    xSemaphoreGive(sem);
    rtos_host_run_ticks(3); // ticks still count while suspended, but no switch happens
    test_log_add(1);
    CHECK(xTaskResumeAll() == pdFALSE); // still suspended once
    test_log_add(2);
    CHECK(xTaskResumeAll() == pdTRUE); // the pending switch happens here
    test_log_add(3);
    static const int expect[] = {1, 2, 50, 3};
    CHECK_EQ(test_log_len, 4);
    for (int i = 0; i < 4; i++) {
        CHECK_EQ(test_log[i], expect[i]);
    }
    vSemaphoreDelete(sem);
    test_done();
}

static void isr_critical(void *arg) {
    (void)arg;
    UBaseType_t s = taskENTER_CRITICAL_FROM_ISR();
    UBaseType_t s2 = taskENTER_CRITICAL_FROM_ISR();
    BaseType_t woken = pdFALSE;
    xSemaphoreGiveFromISR(sem, &woken);
    taskEXIT_CRITICAL_FROM_ISR(s2);
    taskEXIT_CRITICAL_FROM_ISR(s);
    test_log_add(20);
    CHECK(woken == pdTRUE);
    portYIELD_FROM_ISR(woken);
    test_log_add(21); // the switch waits for the end of the interrupt
}

void t_critical_nesting(void *arg) {
    (void)arg;
    sem = xSemaphoreCreateBinary();
    xTaskCreate(sem_logger, "H", TEST_STACK, NULL, MAIN_PRIO + 1, NULL);
    taskENTER_CRITICAL();
    taskENTER_CRITICAL();
    xSemaphoreGive(sem);
    test_log_add(1);
    taskEXIT_CRITICAL();
    test_log_add(2);
    taskEXIT_CRITICAL();
    test_log_add(3);
    xTaskCreate(sem_logger, "H2", TEST_STACK, NULL, MAIN_PRIO + 1, NULL);
    rtos_host_isr(isr_critical, NULL);
    test_log_add(4);
    static const int expect[] = {1, 2, 50, 3, 20, 21, 50, 4};
    CHECK_EQ(test_log_len, 8);
    for (int i = 0; i < 8; i++) {
        CHECK_EQ(test_log[i], expect[i]);
    }
    vSemaphoreDelete(sem);
    test_done();
}

static QueueHandle_t abort_q;

static void abortable(void *arg) {
    (void)arg;
    TickType_t t0 = xTaskGetTickCount();
    vTaskDelay(1000);
    test_log_add((int)(xTaskGetTickCount() - t0));
    int v;
    t0 = xTaskGetTickCount();
    BaseType_t r = xQueueReceive(abort_q, &v, 1000);
    test_log_add(r == pdPASS ? 1 : 0);
    test_log_add((int)(xTaskGetTickCount() - t0));
}

void t_abort_delay(void *arg) {
    (void)arg;
    TaskHandle_t t;
    abort_q = xQueueCreate(1, sizeof(int));
    xTaskCreate(abortable, "A", TEST_STACK, NULL, MAIN_PRIO + 1, &t);
    vTaskDelay(5);
    CHECK(xTaskAbortDelay(t) == pdPASS); // aborts vTaskDelay after 5 ticks
    CHECK_EQ(test_log_len, 1);
    CHECK_EQ(test_log[0], 5);
    vTaskDelay(3);
    CHECK(xTaskAbortDelay(t) == pdPASS); // aborts the queue wait: receive fails
    CHECK_EQ(test_log_len, 3);
    CHECK_EQ(test_log[1], 0);
    CHECK_EQ(test_log[2], 3);
    CHECK(xTaskAbortDelay(xTaskGetCurrentTaskHandle()) == pdFAIL);
    vQueueDelete(abort_q);
    test_done();
}

void t_idle_hook(void *arg) {
    (void)arg;
    vTaskDelay(10);
    CHECK(test_idle_hook_calls >= 10);
    CHECK(xTaskGetIdleTaskHandle() != NULL);
    CHECK(strcmp(pcTaskGetName(xTaskGetIdleTaskHandle()), "IDLE") == 0);
    test_done();
}

__attribute__((noinline)) static void use_stack(void) {
    volatile char big[40000];
    memset((char *)big, 1, sizeof big);
}

static void tls_task(void *arg) {
    static int mine;
    vTaskSetThreadLocalStoragePointer(NULL, 0, &mine);
    vTaskSetThreadLocalStoragePointer(NULL, 1, arg);
    UBaseType_t before = uxTaskGetStackHighWaterMark(NULL);
    use_stack();
    UBaseType_t after = uxTaskGetStackHighWaterMark(NULL);
    test_log_add(before > after + 40000 / sizeof(StackType_t) - 1);
    test_log_add(pvTaskGetThreadLocalStoragePointer(NULL, 0) == &mine);
    ulTaskNotifyTake(pdTRUE, portMAX_DELAY);
}

void t_tls_stack_system_state(void *arg) {
    (void)arg;
    static int main_slot;
    vTaskSetThreadLocalStoragePointer(NULL, 0, &main_slot);
    TaskHandle_t t;
    xTaskCreate(tls_task, "tls", TEST_STACK, (void *)0x1234, MAIN_PRIO + 1, &t);
    CHECK_EQ(test_log[0], 1);
    CHECK_EQ(test_log[1], 1);
    CHECK(pvTaskGetThreadLocalStoragePointer(NULL, 0) == &main_slot);
    CHECK(pvTaskGetThreadLocalStoragePointer(t, 1) == (void *)0x1234);
    CHECK(pvTaskGetThreadLocalStoragePointer(NULL, 5) == NULL);
    CHECK(uxTaskGetStackHighWaterMark(t) < TEST_STACK - 40000 / sizeof(StackType_t));
    TaskStatus_t st[8];
    uint32_t total = 0;
    vTaskDelay(3);
    UBaseType_t n = uxTaskGetSystemState(st, 8, &total);
    CHECK_EQ(n, 4);
    CHECK_EQ(n, uxTaskGetNumberOfTasks());
    CHECK_EQ(total, 3);
    CHECK(uxTaskGetSystemState(st, 2, NULL) == 0); // array too small
    n = uxTaskGetSystemState(st, 8, NULL);
    int seen = 0;
    for (UBaseType_t i = 0; i < n; i++) {
        if (strcmp(st[i].pcTaskName, "main") == 0) {
            CHECK(st[i].eCurrentState == eRunning);
            CHECK_EQ(st[i].uxCurrentPriority, MAIN_PRIO);
            seen |= 1;
        } else if (strcmp(st[i].pcTaskName, "IDLE") == 0) {
            CHECK(st[i].eCurrentState == eReady);
            CHECK(st[i].xHandle == xTaskGetIdleTaskHandle());
            CHECK(st[i].ulRunTimeCounter >= 3);
            seen |= 2;
        } else if (strcmp(st[i].pcTaskName, "Tmr Svc") == 0) {
            CHECK(st[i].eCurrentState == eBlocked);
            CHECK_EQ(st[i].uxCurrentPriority, configTIMER_TASK_PRIORITY);
            seen |= 4;
        } else if (strcmp(st[i].pcTaskName, "tls") == 0) {
            CHECK(st[i].eCurrentState == eBlocked);
            CHECK(st[i].xHandle == t);
            CHECK(st[i].usStackHighWaterMark > 0);
            seen |= 8;
        }
        CHECK(st[i].pxStackBase != NULL);
    }
    CHECK_EQ(seen, 15);
    CHECK(xTaskGetHandle("tls") == t);
    CHECK(xTaskGetHandle("Tmr Svc") == xTimerGetTimerDaemonTaskHandle());
    vTaskDelete(t);
    test_done();
}
