// Queue, semaphore and mutex tests: timeouts to the tick, FIFO/front/overwrite/peek/reset, from-ISR calls,
// waiter ordering, priority inheritance and its undoing, recursive mutexes.
#include "tests.h"

static QueueHandle_t q;
static SemaphoreHandle_t m;
static TaskHandle_t low_holder;

static void delayed_sender(void *arg) {
    vTaskDelay((TickType_t)(uintptr_t)arg);
    int v = 77;
    xQueueSend(q, &v, 0);
}

void t_queue_timeout_exact(void *arg) {
    (void)arg;
    q = xQueueCreate(2, sizeof(int));
    int v = 0;
    TickType_t t0 = xTaskGetTickCount();
    CHECK(xQueueReceive(q, &v, 7) == errQUEUE_EMPTY);
    CHECK_EQ(xTaskGetTickCount(), (TickType_t)(t0 + 7)); // crosses the tick wrap
    CHECK(xQueueReceive(q, &v, 0) == errQUEUE_EMPTY);
    CHECK_EQ(xTaskGetTickCount(), (TickType_t)(t0 + 7));
    CHECK(xQueueSend(q, &v, 0) == pdPASS);
    CHECK(xQueueSend(q, &v, 0) == pdPASS);
    t0 = xTaskGetTickCount();
    CHECK(xQueueSend(q, &v, 5) == errQUEUE_FULL);
    CHECK_EQ(xTaskGetTickCount(), (TickType_t)(t0 + 5));
    xQueueReset(q);
    // data arriving before the timeout ends the wait at that tick
    xTaskCreate(delayed_sender, "S", TEST_STACK, (void *)3, MAIN_PRIO - 1, NULL);
    t0 = xTaskGetTickCount();
    CHECK(xQueueReceive(q, &v, 10) == pdPASS);
    CHECK_EQ(v, 77);
    CHECK_EQ(xTaskGetTickCount(), (TickType_t)(t0 + 3));
    vTaskDelay(1);
    vQueueDelete(q);
    test_done();
}

static void blocked_sender(void *arg) {
    int v = (int)(uintptr_t)arg;
    CHECK(xQueueSend(q, &v, portMAX_DELAY) == pdPASS);
    test_log_add(v);
}

void t_queue_semantics(void *arg) {
    (void)arg;
    int v;
    q = xQueueCreate(3, sizeof(int));
    CHECK_EQ(uxQueueGetQueueLength(q), 3);
    CHECK_EQ(uxQueueGetQueueItemSize(q), sizeof(int));
    v = 1;
    CHECK(xQueueSendToBack(q, &v, 0) == pdPASS);
    v = 2;
    CHECK(xQueueSend(q, &v, 0) == pdPASS);
    v = 0;
    CHECK(xQueueSendToFront(q, &v, 0) == pdPASS);
    CHECK_EQ(uxQueueMessagesWaiting(q), 3);
    CHECK_EQ(uxQueueSpacesAvailable(q), 0);
    v = 9;
    CHECK(xQueueSend(q, &v, 0) == errQUEUE_FULL);
    CHECK(xQueuePeek(q, &v, 0) == pdPASS);
    CHECK_EQ(v, 0);
    CHECK_EQ(uxQueueMessagesWaiting(q), 3);
    for (int i = 0; i < 3; i++) {
        CHECK(xQueueReceive(q, &v, 0) == pdPASS);
        CHECK_EQ(v, i);
    }
    CHECK(xQueueReceive(q, &v, 0) == errQUEUE_EMPTY);
    for (int i = 0; i < 10; i++) { // indices wrap around the storage
        CHECK(xQueueSend(q, &i, 0) == pdPASS);
        if (i % 3 == 2) {
            CHECK(xQueueSendToFront(q, &i, 0) == pdPASS);
            CHECK(xQueueReceive(q, &v, 0) == pdPASS);
            CHECK_EQ(v, i);
        }
        CHECK(xQueueReceive(q, &v, 0) == pdPASS);
        CHECK_EQ(v, i);
    }
    v = 5;
    xQueueSend(q, &v, 0);
    xQueueSend(q, &v, 0);
    CHECK(xQueueReset(q) == pdPASS);
    CHECK_EQ(uxQueueMessagesWaiting(q), 0);
    CHECK_EQ(uxQueueSpacesAvailable(q), 3);
    // a sender blocked on a full queue gets in as soon as there is room
    for (int i = 0; i < 3; i++) {
        xQueueSend(q, &i, 0);
    }
    xTaskCreate(blocked_sender, "S", TEST_STACK, (void *)42, MAIN_PRIO + 1, NULL);
    CHECK_EQ(test_log_len, 0);
    CHECK(xQueueReceive(q, &v, 0) == pdPASS);
    CHECK_EQ(test_log_len, 1); // it preempted us inside xQueueReceive
    for (int i = 1; i < 3; i++) {
        xQueueReceive(q, &v, 0);
        CHECK_EQ(v, i);
    }
    xQueueReceive(q, &v, 0);
    CHECK_EQ(v, 42);
    vQueueDelete(q);
    // overwrite on a one-item queue
    QueueHandle_t mbox = xQueueCreate(1, sizeof(int));
    v = 5;
    CHECK(xQueueOverwrite(mbox, &v) == pdPASS);
    v = 6;
    CHECK(xQueueOverwrite(mbox, &v) == pdPASS);
    CHECK_EQ(uxQueueMessagesWaiting(mbox), 1);
    CHECK(xQueuePeek(mbox, &v, 0) == pdPASS);
    CHECK_EQ(v, 6);
    CHECK(xQueueReceive(mbox, &v, 0) == pdPASS);
    CHECK_EQ(v, 6);
    vQueueAddToRegistry(mbox, "mbox");
    CHECK(pcQueueGetName(mbox) != NULL && pcQueueGetName(mbox)[0] == 'm');
    vQueueDelete(mbox);
    test_done();
}

static void isr_receiver(void *arg) {
    (void)arg;
    int v;
    CHECK(xQueueReceive(q, &v, portMAX_DELAY) == pdPASS);
    test_log_add(v);
}

static void isr_send(void *arg) {
    (void)arg;
    BaseType_t woken = pdFALSE;
    int v = 11;
    CHECK(xQueueIsQueueEmptyFromISR(q) == pdTRUE);
    CHECK(xQueueSendFromISR(q, &v, &woken) == pdPASS);
    CHECK(woken == pdTRUE);
    test_log_add(1); // the receiver has not run yet: we are in the interrupt
    portYIELD_FROM_ISR(woken);
}

static void isr_fill_and_drain(void *arg) {
    (void)arg;
    BaseType_t woken = pdFALSE;
    int v = 1;
    CHECK(xQueueSendToBackFromISR(q, &v, &woken) == pdPASS);
    v = 2;
    CHECK(xQueueSendToFrontFromISR(q, &v, &woken) == pdPASS);
    CHECK(xQueueIsQueueFullFromISR(q) == pdTRUE);
    CHECK(xQueueSendFromISR(q, &v, &woken) == errQUEUE_FULL);
    CHECK_EQ(uxQueueMessagesWaitingFromISR(q), 2);
    CHECK(xQueuePeekFromISR(q, &v) == pdPASS);
    CHECK_EQ(v, 2);
    CHECK(xQueueReceiveFromISR(q, &v, &woken) == pdPASS);
    CHECK_EQ(v, 2);
    CHECK(xQueueReceiveFromISR(q, &v, &woken) == pdPASS);
    CHECK_EQ(v, 1);
    CHECK(xQueueReceiveFromISR(q, &v, &woken) == pdFAIL);
    CHECK(woken == pdFALSE); // nobody was waiting
    CHECK(rtos_host_in_isr());
}

void t_queue_from_isr(void *arg) {
    (void)arg;
    q = xQueueCreate(2, sizeof(int));
    xTaskCreate(isr_receiver, "R", TEST_STACK, NULL, MAIN_PRIO + 1, NULL);
    rtos_host_isr(isr_send, NULL);
    test_log_add(2);
    CHECK_EQ(test_log_len, 3);
    CHECK_EQ(test_log[0], 1);
    CHECK_EQ(test_log[1], 11); // switched to the receiver when the interrupt returned
    CHECK_EQ(test_log[2], 2);
    rtos_host_isr(isr_fill_and_drain, NULL);
    vQueueDelete(q);
    test_done();
}

static void prio_receiver(void *arg) {
    int v;
    xQueueReceive(q, &v, portMAX_DELAY);
    test_log_add((int)(uintptr_t)arg);
}

void t_queue_waiter_priority_order(void *arg) {
    (void)arg;
    q = xQueueCreate(1, sizeof(int));
    // they start waiting lowest priority first; they are served by priority, then arrival
    xTaskCreate(prio_receiver, "R4", TEST_STACK, (void *)4, 1, NULL);
    vTaskDelay(1);
    xTaskCreate(prio_receiver, "R1", TEST_STACK, (void *)1, 2, NULL);
    vTaskDelay(1);
    xTaskCreate(prio_receiver, "R2", TEST_STACK, (void *)2, 3, NULL);
    vTaskDelay(1);
    xTaskCreate(prio_receiver, "R3", TEST_STACK, (void *)3, 3, NULL);
    vTaskDelay(1);
    for (int i = 0; i < 4; i++) {
        xQueueSend(q, &i, 0);
        vTaskDelay(1);
    }
    static const int expect[] = {2, 3, 1, 4};
    CHECK_EQ(test_log_len, 4);
    for (int i = 0; i < 4; i++) {
        CHECK_EQ(test_log[i], expect[i]);
    }
    vQueueDelete(q);
    test_done();
}

void t_semaphores(void *arg) {
    (void)arg;
    SemaphoreHandle_t b = xSemaphoreCreateBinary();
    CHECK(xSemaphoreTake(b, 0) == pdFAIL); // created empty
    CHECK(xSemaphoreGive(b) == pdPASS);
    CHECK(xSemaphoreGive(b) == pdFAIL); // binary: already given
    CHECK_EQ(uxSemaphoreGetCount(b), 1);
    CHECK(xSemaphoreTake(b, 0) == pdPASS);
    TickType_t t0 = xTaskGetTickCount();
    CHECK(xSemaphoreTake(b, 4) == pdFAIL);
    CHECK_EQ(xTaskGetTickCount(), (TickType_t)(t0 + 4));
    vSemaphoreDelete(b);
    SemaphoreHandle_t c = xSemaphoreCreateCounting(5, 2);
    CHECK_EQ(uxSemaphoreGetCount(c), 2);
    for (int i = 0; i < 3; i++) {
        CHECK(xSemaphoreGive(c) == pdPASS);
    }
    CHECK(xSemaphoreGive(c) == pdFAIL);
    CHECK_EQ(uxSemaphoreGetCount(c), 5);
    for (int i = 0; i < 5; i++) {
        CHECK(xSemaphoreTake(c, 0) == pdPASS);
    }
    CHECK(xSemaphoreTake(c, 0) == pdFAIL);
    vSemaphoreDelete(c);
    CHECK(xSemaphoreCreateCounting(2, 3) == NULL);
    SemaphoreHandle_t mx = xSemaphoreCreateMutex();
    CHECK_EQ(uxSemaphoreGetCount(mx), 1);
    CHECK(xSemaphoreTake(mx, 0) == pdPASS);
    CHECK(xSemaphoreGetMutexHolder(mx) == xTaskGetCurrentTaskHandle());
    CHECK(xSemaphoreTake(mx, 0) == pdFAIL); // not recursive
    CHECK(xSemaphoreGive(mx) == pdPASS);
    CHECK(xSemaphoreGetMutexHolder(mx) == NULL);
    vSemaphoreDelete(mx);
    test_done();
}

// ---- priority inheritance ----

static void logger_q(void *arg) {
    test_log_add((int)(uintptr_t)arg);
}

static void low_mutex_holder(void *arg) {
    (void)arg;
    xSemaphoreTake(m, portMAX_DELAY);
    test_log_add(10);
    ulTaskNotifyTake(pdTRUE, portMAX_DELAY); // hold the mutex until told
    test_log_add(11);
    xSemaphoreGive(m);
    test_log_add(12);
}

static void high_mutex_taker(void *arg) {
    TickType_t timeout = (TickType_t)(uintptr_t)arg;
    TickType_t t0 = xTaskGetTickCount();
    if (xSemaphoreTake(m, timeout) == pdPASS) {
        test_log_add(20);
        xSemaphoreGive(m);
    } else {
        test_log_add(-(int)(xTaskGetTickCount() - t0));
    }
}

void t_priority_inheritance(void *arg) {
    (void)arg;
    m = xSemaphoreCreateMutex();
    xTaskCreate(low_mutex_holder, "L", TEST_STACK, NULL, 1, &low_holder);
    vTaskDelay(1);
    CHECK(xSemaphoreGetMutexHolder(m) == low_holder);
    xTaskCreate(high_mutex_taker, "H", TEST_STACK, (void *)portMAX_DELAY, MAIN_PRIO + 1, NULL);
    // H blocked on the mutex: L inherits H's priority
    CHECK_EQ(uxTaskPriorityGet(low_holder), MAIN_PRIO + 1);
    CHECK_EQ(uxTaskBasePriorityGet(low_holder), 1);
    xTaskCreate(logger_q, "M", TEST_STACK, (void *)30, 3, NULL);
    xTaskNotifyGive(low_holder); // L (now above us) runs, gives the mutex, H takes it
    CHECK_EQ(uxTaskPriorityGet(low_holder), 1); // inheritance undone
    CHECK_EQ(test_log_len, 3);
    CHECK_EQ(test_log[0], 10);
    CHECK_EQ(test_log[1], 11);
    CHECK_EQ(test_log[2], 20);
    vTaskDelay(5);
    CHECK_EQ(test_log_len, 5);
    CHECK_EQ(test_log[3], 30); // M (3) ran before L (back to 1)
    CHECK_EQ(test_log[4], 12);
    vSemaphoreDelete(m);
    test_done();
}

void t_priority_inheritance_timeout(void *arg) {
    (void)arg;
    m = xSemaphoreCreateMutex();
    vTaskPrioritySet(NULL, 6);
    xTaskCreate(low_mutex_holder, "L", TEST_STACK, NULL, 1, &low_holder);
    vTaskDelay(1);
    xTaskCreate(high_mutex_taker, "H2", TEST_STACK, (void *)30, 3, NULL);
    xTaskCreate(high_mutex_taker, "H1", TEST_STACK, (void *)10, 5, NULL);
    TickType_t s = xTaskGetTickCount();
    vTaskDelay(1); // H1 then H2 block on the mutex at tick s
    CHECK_EQ(uxTaskPriorityGet(low_holder), 5);
    vTaskDelay(10); // H1 times out at s+10: L drops to the highest remaining waiter (H2, 3)
    CHECK_EQ(xTaskGetTickCount(), (TickType_t)(s + 11));
    CHECK_EQ(uxTaskPriorityGet(low_holder), 3);
    vTaskDelay(25); // H2 times out at s+30: L is back to its own priority
    CHECK_EQ(uxTaskPriorityGet(low_holder), 1);
    CHECK_EQ(test_log_len, 3);
    CHECK_EQ(test_log[0], 10);
    CHECK_EQ(test_log[1], -10);
    CHECK_EQ(test_log[2], -30);
    xTaskNotifyGive(low_holder);
    vTaskDelay(2);
    CHECK_EQ(test_log_len, 5);
    vTaskPrioritySet(NULL, MAIN_PRIO);
    vSemaphoreDelete(m);
    test_done();
}

static void recursive_taker(void *arg) {
    (void)arg;
    test_log_add(xSemaphoreTakeRecursive(m, 0) == pdPASS ? 1 : 0);
    xSemaphoreTakeRecursive(m, portMAX_DELAY);
    test_log_add(2);
    xSemaphoreGiveRecursive(m);
}

void t_recursive_mutex(void *arg) {
    (void)arg;
    m = xSemaphoreCreateRecursiveMutex();
    for (int i = 0; i < 3; i++) {
        CHECK(xSemaphoreTakeRecursive(m, 0) == pdPASS);
    }
    xTaskCreate(recursive_taker, "T", TEST_STACK, NULL, MAIN_PRIO + 1, NULL);
    CHECK_EQ(test_log_len, 1);
    CHECK_EQ(test_log[0], 0); // held by us
    CHECK(xSemaphoreGiveRecursive(m) == pdPASS);
    CHECK(xSemaphoreGiveRecursive(m) == pdPASS);
    CHECK_EQ(test_log_len, 1);
    CHECK(xSemaphoreGetMutexHolder(m) == xTaskGetCurrentTaskHandle());
    CHECK_EQ(uxTaskPriorityGet(NULL), MAIN_PRIO + 1); // inherited from T
    CHECK(xSemaphoreGiveRecursive(m) == pdPASS); // third give releases it: T runs now
    CHECK_EQ(uxTaskPriorityGet(NULL), MAIN_PRIO);
    CHECK_EQ(test_log_len, 2);
    CHECK_EQ(test_log[1], 2);
    CHECK(xSemaphoreGiveRecursive(m) == pdFAIL); // not the holder
    vTaskDelay(1);
    vSemaphoreDelete(m);
    test_done();
}
