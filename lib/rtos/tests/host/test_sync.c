// Event groups, software timers, task notifications and statically allocated objects.
#include <string.h>

#include "tests.h"

static EventGroupHandle_t g;

static void any_waiter(void *arg) {
    (void)arg;
    EventBits_t r = xEventGroupWaitBits(g, 0x6, pdTRUE, pdFALSE, portMAX_DELAY);
    test_log_add((int)r);
}

static void all_waiter(void *arg) {
    (void)arg;
    EventBits_t r = xEventGroupWaitBits(g, 0x6, pdFALSE, pdTRUE, portMAX_DELAY);
    test_log_add(100 + (int)r);
}

static void isr_set_bits(void *arg) {
    BaseType_t woken = pdFALSE;
    CHECK(xEventGroupSetBitsFromISR(g, (EventBits_t)(uintptr_t)arg, &woken) == pdPASS);
    CHECK_EQ(xEventGroupGetBitsFromISR(g) & (EventBits_t)(uintptr_t)arg, (EventBits_t)(uintptr_t)arg);
    portYIELD_FROM_ISR(woken);
}

void t_event_group_and_or(void *arg) {
    (void)arg;
    g = xEventGroupCreate();
    CHECK_EQ(xEventGroupSetBits(g, 0x1), 0x1);
    CHECK_EQ(xEventGroupWaitBits(g, 0x3, pdFALSE, pdTRUE, 0), 0x1); // not all set: current value
    CHECK_EQ(xEventGroupWaitBits(g, 0x3, pdFALSE, pdFALSE, 0), 0x1); // any: satisfied
    xTaskCreate(any_waiter, "any", TEST_STACK, NULL, MAIN_PRIO + 1, NULL);
    xTaskCreate(all_waiter, "all", TEST_STACK, NULL, MAIN_PRIO + 1, NULL);
    CHECK_EQ(test_log_len, 0);
    xEventGroupSetBits(g, 0x2); // wakes "any" (value 0x3), which clears 0x6 on exit
    CHECK_EQ(test_log_len, 1);
    CHECK_EQ(test_log[0], 0x3);
    CHECK_EQ(xEventGroupGetBits(g), 0x1);
    xEventGroupSetBits(g, 0x4); // "all" still needs 0x2
    CHECK_EQ(test_log_len, 1);
    rtos_host_isr(isr_set_bits, (void *)0x2);
    CHECK_EQ(test_log_len, 2);
    CHECK_EQ(test_log[1], 100 + 0x7);
    CHECK_EQ(xEventGroupGetBits(g), 0x7); // no clear on exit
    // timeout: returns the bits at the time, exactly when due
    TickType_t t0 = xTaskGetTickCount();
    CHECK_EQ(xEventGroupWaitBits(g, 0x10, pdTRUE, pdTRUE, 5), 0x7);
    CHECK_EQ(xTaskGetTickCount(), (TickType_t)(t0 + 5));
    CHECK_EQ(xEventGroupClearBits(g, 0x3), 0x7);
    CHECK_EQ(xEventGroupGetBits(g), 0x4);
    CHECK_EQ(xEventGroupWaitBits(g, 0x4, pdTRUE, pdTRUE, 0), 0x4); // clear on exit when satisfied at once
    CHECK_EQ(xEventGroupGetBits(g), 0);
    CHECK_EQ(xEventGroupClearBitsFromISR(g, 0), 0);
    // several waiters released by one set
    xTaskCreate(any_waiter, "any1", TEST_STACK, NULL, MAIN_PRIO + 1, NULL);
    xTaskCreate(any_waiter, "any2", TEST_STACK, NULL, MAIN_PRIO + 1, NULL);
    xEventGroupSetBits(g, 0x4);
    CHECK_EQ(test_log_len, 4);
    CHECK_EQ(test_log[2], 0x4);
    CHECK_EQ(test_log[3], 0x4);
    CHECK_EQ(xEventGroupGetBits(g), 0);
    // deleting the group releases its waiters with 0
    xTaskCreate(any_waiter, "any3", TEST_STACK, NULL, MAIN_PRIO + 1, NULL);
    vEventGroupDelete(g);
    CHECK_EQ(test_log_len, 5);
    CHECK_EQ(test_log[4], 0);
    test_done();
}

static void syncer(void *arg) {
    EventBits_t bit = (EventBits_t)(uintptr_t)arg;
    EventBits_t r = xEventGroupSync(g, bit, 0x7, portMAX_DELAY);
    test_log_add((int)r);
}

void t_event_group_sync(void *arg) {
    (void)arg;
    g = xEventGroupCreate();
    xTaskCreate(syncer, "s1", TEST_STACK, (void *)0x1, MAIN_PRIO + 1, NULL);
    xTaskCreate(syncer, "s2", TEST_STACK, (void *)0x2, MAIN_PRIO + 1, NULL);
    CHECK_EQ(test_log_len, 0);
    CHECK_EQ(xEventGroupGetBits(g), 0x3);
    EventBits_t r = xEventGroupSync(g, 0x4, 0x7, 10); // the last to arrive does not block
    test_log_add((int)r);
    CHECK_EQ(test_log_len, 3);
    for (int i = 0; i < 3; i++) {
        CHECK_EQ(test_log[i], 0x7);
    }
    CHECK_EQ(xEventGroupGetBits(g), 0); // the sync bits are cleared
    TickType_t t0 = xTaskGetTickCount();
    CHECK_EQ(xEventGroupSync(g, 0x1, 0x3, 4), 0x1); // times out
    CHECK_EQ(xTaskGetTickCount(), (TickType_t)(t0 + 4));
    vEventGroupDelete(g);
    test_done();
}

// ---- timers ----

static void timer_cb(TimerHandle_t t) {
    test_log_add((int)(uintptr_t)pvTimerGetTimerID(t));
}

static int pended_ok;

static void pended(void *p1, uint32_t p2) {
    pended_ok = (p1 == &pended_ok && p2 == 42 && xTaskGetCurrentTaskHandle() == xTimerGetTimerDaemonTaskHandle());
}

void t_timers_order_and_period(void *arg) {
    (void)arg;
    TimerHandle_t a = xTimerCreate("A", 30, pdFALSE, (void *)1, timer_cb);
    TimerHandle_t b = xTimerCreate("B", 10, pdFALSE, (void *)2, timer_cb);
    TimerHandle_t c = xTimerCreate("C", 20, pdFALSE, (void *)3, timer_cb);
    CHECK(strcmp(pcTimerGetName(a), "A") == 0);
    CHECK_EQ(xTimerGetPeriod(c), 20);
    CHECK(xTimerGetReloadMode(a) == pdFALSE);
    CHECK(xTimerIsTimerActive(a) == pdFALSE);
    TickType_t t0 = xTaskGetTickCount();
    xTimerStart(a, 0);
    xTimerStart(b, 0);
    xTimerStart(c, 0);
    CHECK(xTimerIsTimerActive(a) == pdTRUE);
    CHECK_EQ(xTimerGetExpiryTime(a), (TickType_t)(t0 + 30));
    vTaskDelay(40); // the tick count wraps meanwhile
    static const int order[] = {2, 3, 1};
    static const TickType_t at[] = {10, 20, 30};
    CHECK_EQ(test_log_len, 3);
    for (int i = 0; i < 3; i++) {
        CHECK_EQ(test_log[i], order[i]);
        CHECK_EQ(test_log_tick[i], (TickType_t)(t0 + at[i]));
    }
    CHECK(xTimerIsTimerActive(a) == pdFALSE);
    // auto-reload every 7 ticks, then stopped
    test_log_len = 0;
    TimerHandle_t p = xTimerCreate("P", 7, pdTRUE, (void *)4, timer_cb);
    TickType_t t1 = xTaskGetTickCount();
    xTimerStart(p, 0);
    vTaskDelay(30);
    CHECK_EQ(test_log_len, 4);
    for (int i = 0; i < 4; i++) {
        CHECK_EQ(test_log_tick[i], (TickType_t)(t1 + 7 * (i + 1)));
    }
    xTimerStop(p, 0);
    CHECK(xTimerIsTimerActive(p) == pdFALSE);
    vTaskDelay(20);
    CHECK_EQ(test_log_len, 4);
    // change period: counts from the change
    test_log_len = 0;
    TickType_t t2 = xTaskGetTickCount();
    xTimerStart(p, 0);
    vTaskDelay(5);
    xTimerChangePeriod(p, 3, 0);
    CHECK_EQ(xTimerGetPeriod(p), 3);
    vTaskDelay(7);
    CHECK_EQ(test_log_len, 2);
    CHECK_EQ(test_log_tick[0], (TickType_t)(t2 + 8));
    CHECK_EQ(test_log_tick[1], (TickType_t)(t2 + 11));
    vTimerSetReloadMode(p, pdFALSE);
    CHECK(uxTimerGetReloadMode(p) == 0);
    vTaskDelay(10);
    CHECK_EQ(test_log_len, 3); // fired once more, then stopped being one-shot
    CHECK(xTimerIsTimerActive(p) == pdFALSE);
    // reset restarts the period
    test_log_len = 0;
    TickType_t t3 = xTaskGetTickCount();
    xTimerStart(b, 0);
    vTaskDelay(6);
    xTimerReset(b, 0);
    vTaskDelay(20);
    CHECK_EQ(test_log_len, 1);
    CHECK_EQ(test_log_tick[0], (TickType_t)(t3 + 16));
    vTimerSetTimerID(b, (void *)9);
    CHECK(pvTimerGetTimerID(b) == (void *)9);
    xTimerDelete(a, 0);
    xTimerDelete(b, 0);
    xTimerDelete(c, 0);
    xTimerDelete(p, 0);
    vTaskDelay(1);
    test_done();
}

static TimerHandle_t isr_timer;

static void isr_start_timer(void *arg) {
    (void)arg;
    BaseType_t woken = pdFALSE;
    CHECK(xTimerStartFromISR(isr_timer, &woken) == pdPASS);
    CHECK(xTimerPendFunctionCallFromISR(pended, &pended_ok, 42, &woken) == pdPASS);
    CHECK(woken == pdTRUE); // the timer task outranks us
    portYIELD_FROM_ISR(woken);
}

void t_timer_pend_function_call(void *arg) {
    (void)arg;
    pended_ok = 0;
    CHECK(xTimerPendFunctionCall(pended, &pended_ok, 42, 0) == pdPASS);
    CHECK_EQ(pended_ok, 1); // the timer task has higher priority: ran already
    pended_ok = 0;
    StaticTimer_t buf;
    isr_timer = xTimerCreateStatic("S", 5, pdFALSE, (void *)7, timer_cb, &buf);
    TickType_t t0 = xTaskGetTickCount();
    rtos_host_isr(isr_start_timer, NULL);
    CHECK_EQ(pended_ok, 1);
    vTaskDelay(10);
    CHECK_EQ(test_log_len, 1);
    CHECK_EQ(test_log[0], 7);
    CHECK_EQ(test_log_tick[0], (TickType_t)(t0 + 5));
    xTimerDelete(isr_timer, 0);
    test_done();
}

// ---- notifications ----

static void taker(void *arg) {
    (void)arg;
    for (int i = 0; i < 3; i++) {
        test_log_add((int)ulTaskNotifyTake(pdFALSE, portMAX_DELAY));
    }
    test_log_add((int)ulTaskNotifyTake(pdTRUE, 0));
}

static void bit_waiter(void *arg) {
    (void)arg;
    uint32_t v = 0;
    BaseType_t r = xTaskNotifyWait(0, 0xffffffffu, &v, portMAX_DELAY);
    test_log_add(r == pdTRUE ? (int)v : -1);
    r = xTaskNotifyWait(0, 0, &v, 8);
    test_log_add(r == pdTRUE ? (int)v : -1);
}

void t_notifications(void *arg) {
    (void)arg;
    TaskHandle_t t;
    xTaskCreate(taker, "T", TEST_STACK, NULL, MAIN_PRIO - 1, &t);
    for (int i = 0; i < 3; i++) {
        xTaskNotifyGive(t);
    }
    vTaskDelay(1);
    static const int expect[] = {3, 2, 1, 0};
    CHECK_EQ(test_log_len, 4);
    for (int i = 0; i < 4; i++) {
        CHECK_EQ(test_log[i], expect[i]);
    }
    test_log_len = 0;
    xTaskCreate(bit_waiter, "W", TEST_STACK, NULL, MAIN_PRIO + 1, &t);
    xTaskNotify(t, 0x1, eSetBits);
    CHECK_EQ(test_log_len, 1);
    CHECK_EQ(test_log[0], 1);
    TickType_t t0 = xTaskGetTickCount();
    vTaskDelay(10); // the second wait times out after exactly 8 ticks, value cleared on exit before
    CHECK_EQ(test_log_len, 2);
    CHECK_EQ(test_log[1], -1);
    CHECK_EQ(test_log_tick[1], (TickType_t)(t0 + 8));
    // actions on a task that is not waiting
    TaskHandle_t self = xTaskGetCurrentTaskHandle();
    uint32_t prev = 99;
    CHECK(xTaskNotify(self, 5, eSetValueWithoutOverwrite) == pdPASS);
    CHECK(xTaskNotify(self, 6, eSetValueWithoutOverwrite) == pdFAIL); // still pending
    CHECK(xTaskNotifyAndQuery(self, 7, eNoAction, &prev) == pdPASS);
    CHECK_EQ(prev, 5);
    CHECK(xTaskNotify(self, 8, eSetValueWithOverwrite) == pdPASS);
    CHECK(xTaskNotifyAndQuery(self, 0, eIncrement, &prev) == pdPASS);
    CHECK_EQ(prev, 8);
    uint32_t v = 0;
    CHECK(xTaskNotifyWait(0, 0, &v, 0) == pdTRUE);
    CHECK_EQ(v, 9);
    CHECK(xTaskNotifyStateClear(self) == pdFALSE);
    CHECK_EQ(ulTaskNotifyValueClear(self, 0x1), 9);
    CHECK_EQ(ulTaskNotifyValueClear(self, 0), 8);
    t0 = xTaskGetTickCount();
    CHECK_EQ(ulTaskNotifyTake(pdTRUE, 6), 8); // value pending: no wait
    CHECK_EQ(ulTaskNotifyTake(pdTRUE, 6), 0);
    CHECK_EQ(xTaskGetTickCount(), (TickType_t)(t0 + 6));
    test_done();
}

static void index0_waiter(void *arg) {
    (void)arg;
    test_log_add((int)ulTaskNotifyTakeIndexed(0, pdTRUE, portMAX_DELAY));
    test_log_add((int)ulTaskNotifyTakeIndexed(1, pdTRUE, 0));
    test_log_add((int)ulTaskNotifyTakeIndexed(2, pdTRUE, portMAX_DELAY));
}

static TaskHandle_t isr_target;

static void isr_notify(void *arg) {
    BaseType_t woken = pdFALSE;
    if (arg == NULL) {
        vTaskNotifyGiveIndexedFromISR(isr_target, 2, &woken);
    } else {
        uint32_t prev = 0;
        CHECK(xTaskNotifyAndQueryIndexedFromISR(isr_target, 1, 0x10, eSetBits, &prev, &woken) == pdPASS);
    }
    test_log_add(woken ? 1000 : 2000);
    portYIELD_FROM_ISR(woken);
}

void t_notifications_indexed_and_isr(void *arg) {
    (void)arg;
    xTaskCreate(index0_waiter, "I", TEST_STACK, NULL, MAIN_PRIO + 1, &isr_target);
    xTaskNotifyGiveIndexed(isr_target, 1); // another index: does not wake it
    xTaskNotifyGiveIndexed(isr_target, 1);
    CHECK_EQ(test_log_len, 0);
    xTaskNotifyGiveIndexed(isr_target, 0);
    CHECK_EQ(test_log_len, 2);
    CHECK_EQ(test_log[0], 1);
    CHECK_EQ(test_log[1], 2);
    rtos_host_isr(isr_notify, (void *)1); // index 1 is not waited on: no switch
    rtos_host_isr(isr_notify, NULL);      // index 2 is: switch at the end of the interrupt
    static const int expect[] = {2000, 1000, 1};
    CHECK_EQ(test_log_len, 5);
    for (int i = 0; i < 3; i++) {
        CHECK_EQ(test_log[2 + i], expect[i]);
    }
    test_done();
}

// ---- static allocation ----

static StackType_t static_stack[TEST_STACK];
static StaticTask_t static_tcb;

static void static_task(void *arg) {
    QueueHandle_t sq = arg;
    int v;
    xQueueReceive(sq, &v, portMAX_DELAY);
    test_log_add(v);
}

void t_static_objects(void *arg) {
    (void)arg;
    static StaticQueue_t qbuf;
    static uint8_t qstore[4 * sizeof(int)];
    static StaticSemaphore_t sbuf, mbuf, cbuf, rbuf;
    static StaticEventGroup_t gbuf;
    QueueHandle_t sq = xQueueCreateStatic(4, sizeof(int), qstore, &qbuf);
    CHECK(sq == (QueueHandle_t)&qbuf);
    TaskHandle_t t = xTaskCreateStatic(static_task, "static", TEST_STACK, sq, MAIN_PRIO + 1, static_stack, &static_tcb);
    CHECK(t == &static_tcb);
    int v = 123;
    xQueueSend(sq, &v, 0);
    CHECK_EQ(test_log_len, 1);
    CHECK_EQ(test_log[0], 123);
    SemaphoreHandle_t b = xSemaphoreCreateBinaryStatic(&sbuf);
    CHECK(xSemaphoreGive(b) == pdPASS && xSemaphoreTake(b, 0) == pdPASS);
    SemaphoreHandle_t mx = xSemaphoreCreateMutexStatic(&mbuf);
    CHECK(xSemaphoreTake(mx, 0) == pdPASS && xSemaphoreGive(mx) == pdPASS);
    SemaphoreHandle_t c = xSemaphoreCreateCountingStatic(3, 3, &cbuf);
    CHECK_EQ(uxSemaphoreGetCount(c), 3);
    SemaphoreHandle_t r = xSemaphoreCreateRecursiveMutexStatic(&rbuf);
    CHECK(xSemaphoreTakeRecursive(r, 0) == pdPASS && xSemaphoreTakeRecursive(r, 0) == pdPASS);
    CHECK(xSemaphoreGiveRecursive(r) == pdPASS && xSemaphoreGiveRecursive(r) == pdPASS);
    EventGroupHandle_t eg = xEventGroupCreateStatic(&gbuf);
    CHECK_EQ(xEventGroupSetBits(eg, 0x8), 0x8);
    vEventGroupDelete(eg);
    vSemaphoreDelete(b);
    vSemaphoreDelete(mx);
    vSemaphoreDelete(c);
    vSemaphoreDelete(r);
    vQueueDelete(sq);
    vTaskDelay(2);
    test_done();
}
