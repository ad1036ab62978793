// Queues, binary/counting semaphores, mutexes (with priority inheritance) and recursive mutexes.
// Items are copied inside the kernel critical section; waiters sit in priority order on two lists.
#include <string.h>

#include "rtos_kernel.h"
#include "queue.h"

static inline int is_mutex(const struct QueueDefinition *q) {
    return q->type == queueQUEUE_TYPE_MUTEX || q->type == queueQUEUE_TYPE_RECURSIVE_MUTEX;
}

static void init_queue(struct QueueDefinition *q, UBaseType_t length, UBaseType_t item_size, uint8_t *storage,
    uint8_t type, uint8_t static_alloc) {
    memset(q, 0, sizeof(*q));
    q->storage = storage;
    q->length = length;
    q->item_size = item_size;
    q->type = type;
    q->static_alloc = static_alloc;
    rtos_list_init(&q->send_waiters);
    rtos_list_init(&q->receive_waiters);
}

QueueHandle_t xQueueGenericCreate(const UBaseType_t length, const UBaseType_t item_size, const uint8_t type) {
    if (length == 0) {
        return NULL;
    }
    size_t bytes = (size_t)length * item_size;
    struct QueueDefinition *q = pvPortMalloc(sizeof(*q) + bytes);
    if (q != NULL) {
        init_queue(q, length, item_size, item_size ? (uint8_t *)(q + 1) : NULL, type, 0);
    }
    return q;
}

QueueHandle_t xQueueGenericCreateStatic(const UBaseType_t length, const UBaseType_t item_size, uint8_t *storage,
    StaticQueue_t *buffer, const uint8_t type) {
    if (length == 0 || buffer == NULL || (item_size != 0 && storage == NULL)) {
        return NULL;
    }
    init_queue(buffer, length, item_size, storage, type, 1);
    return buffer;
}

void vQueueDelete(QueueHandle_t q) {
    if (q != NULL && !q->static_alloc) {
        vPortFree(q);
    }
}

static void copy_in(struct QueueDefinition *q, const void *item, BaseType_t position) {
    if (q->item_size == 0) {
        q->count++;
        return;
    }
    if (position == queueOVERWRITE && q->count > 0) {
        memcpy(q->storage + q->read_index * q->item_size, item, q->item_size);
        return;
    }
    if (position == queueSEND_TO_FRONT) {
        q->read_index = (q->read_index + q->length - 1) % q->length;
        memcpy(q->storage + q->read_index * q->item_size, item, q->item_size);
    } else {
        memcpy(q->storage + q->write_index * q->item_size, item, q->item_size);
        q->write_index = (q->write_index + 1) % q->length;
    }
    q->count++;
}

static void copy_out(struct QueueDefinition *q, void *buffer, BaseType_t peek) {
    if (q->item_size != 0 && buffer != NULL) {
        memcpy(buffer, q->storage + q->read_index * q->item_size, q->item_size);
    }
    if (!peek) {
        if (q->item_size != 0) {
            q->read_index = (q->read_index + 1) % q->length;
        }
        q->count--;
    }
}

// Store an item (or give a semaphore/mutex) if there is room; kernel lock held.
static BaseType_t try_send(struct QueueDefinition *q, const void *item, BaseType_t position, BaseType_t *yield) {
    if (q->count >= q->length && !(position == queueOVERWRITE && q->length == 1)) {
        return pdFALSE;
    }
    if (is_mutex(q)) {
        configASSERT(q->holder == rtos_self());
        *yield |= rtos_priority_disinherit(q->holder);
        q->holder = NULL;
    }
    copy_in(q, item, position);
    *yield |= rtos_wake_first(&q->receive_waiters);
    return pdTRUE;
}

BaseType_t xQueueGenericSend(QueueHandle_t q, const void *const item, TickType_t ticks, const BaseType_t position) {
    TimeOut_t timeout;
    BaseType_t started = pdFALSE;
    configASSERT(q != NULL && (item != NULL || q->item_size == 0));
    configASSERT(position != queueOVERWRITE || q->length == 1);
    for (;;) {
        BaseType_t yield = pdFALSE;
        taskENTER_CRITICAL();
        if (try_send(q, item, position, &yield)) {
            if (yield) {
                portYIELD_WITHIN_API();
            }
            taskEXIT_CRITICAL();
            return pdPASS;
        }
        if (ticks == 0) {
            taskEXIT_CRITICAL();
            return errQUEUE_FULL;
        }
        if (!started) {
            vTaskInternalSetTimeOutState(&timeout);
            started = pdTRUE;
        } else if (xTaskCheckForTimeOut(&timeout, &ticks)) {
            taskEXIT_CRITICAL();
            return errQUEUE_FULL;
        }
        rtos_block_current(&q->send_waiters, ticks);
        portYIELD_WITHIN_API();
        taskEXIT_CRITICAL();
    }
}

BaseType_t xQueueGenericSendFromISR(QueueHandle_t q, const void *const item, BaseType_t *const woken,
    const BaseType_t position) {
    BaseType_t yield = pdFALSE;
    UBaseType_t saved = taskENTER_CRITICAL_FROM_ISR();
    BaseType_t ok = try_send(q, item, position, &yield);
    taskEXIT_CRITICAL_FROM_ISR(saved);
    if (yield && woken != NULL) {
        *woken = pdTRUE;
    }
    return ok ? pdPASS : errQUEUE_FULL;
}

BaseType_t xQueueGiveFromISR(QueueHandle_t q, BaseType_t *const woken) {
    return xQueueGenericSendFromISR(q, NULL, woken, queueSEND_TO_BACK);
}

// Take an item (or the semaphore/mutex); kernel lock held.
static BaseType_t try_receive(struct QueueDefinition *q, void *buffer, BaseType_t peek, BaseType_t *yield) {
    if (q->count == 0) {
        return pdFALSE;
    }
    copy_out(q, buffer, peek);
    if (peek) {
        // the item is still there: the next receiver may have it
        *yield |= rtos_wake_first(&q->receive_waiters);
    } else {
        if (is_mutex(q)) {
            tcb_t *self = rtos_self();
            q->holder = self;
            if (self != NULL) {
                self->mutexes_held++;
            }
        }
        *yield |= rtos_wake_first(&q->send_waiters);
    }
    return pdTRUE;
}

static BaseType_t receive(QueueHandle_t q, void *buffer, TickType_t ticks, BaseType_t peek) {
    TimeOut_t timeout;
    BaseType_t started = pdFALSE;
    BaseType_t inherited = pdFALSE;
    configASSERT(q != NULL);
    for (;;) {
        BaseType_t yield = pdFALSE;
        taskENTER_CRITICAL();
        if (try_receive(q, buffer, peek, &yield)) {
            if (yield) {
                portYIELD_WITHIN_API();
            }
            taskEXIT_CRITICAL();
            return pdPASS;
        }
        if (ticks == 0) {
            taskEXIT_CRITICAL();
            return errQUEUE_EMPTY;
        }
        if (!started) {
            vTaskInternalSetTimeOutState(&timeout);
            started = pdTRUE;
        } else if (xTaskCheckForTimeOut(&timeout, &ticks)) {
            if (inherited) {
                // give the holder back the priority it would have without us waiting
                rtos_priority_disinherit_after_timeout(q->holder, rtos_highest_waiter_priority(&q->receive_waiters));
            }
            taskEXIT_CRITICAL();
            return errQUEUE_EMPTY;
        }
        if (is_mutex(q)) {
            rtos_priority_inherit(q->holder);
            inherited = pdTRUE;
        }
        rtos_block_current(&q->receive_waiters, ticks);
        portYIELD_WITHIN_API();
        taskEXIT_CRITICAL();
    }
}

BaseType_t xQueueReceive(QueueHandle_t q, void *const buffer, TickType_t ticks) {
    configASSERT(buffer != NULL || q->item_size == 0);
    return receive(q, buffer, ticks, pdFALSE);
}

BaseType_t xQueuePeek(QueueHandle_t q, void *const buffer, TickType_t ticks) {
    configASSERT(buffer != NULL || q->item_size == 0);
    return receive(q, buffer, ticks, pdTRUE);
}

BaseType_t xQueueSemaphoreTake(QueueHandle_t q, TickType_t ticks) {
    configASSERT(q != NULL && q->item_size == 0);
    return receive(q, NULL, ticks, pdFALSE);
}

BaseType_t xQueueReceiveFromISR(QueueHandle_t q, void *const buffer, BaseType_t *const woken) {
    BaseType_t yield = pdFALSE;
    configASSERT(!is_mutex(q));
    UBaseType_t saved = taskENTER_CRITICAL_FROM_ISR();
    BaseType_t ok = try_receive(q, buffer, pdFALSE, &yield);
    taskEXIT_CRITICAL_FROM_ISR(saved);
    if (yield && woken != NULL) {
        *woken = pdTRUE;
    }
    return ok ? pdPASS : pdFAIL;
}

BaseType_t xQueuePeekFromISR(QueueHandle_t q, void *const buffer) {
    UBaseType_t saved = taskENTER_CRITICAL_FROM_ISR();
    BaseType_t ok = q->count > 0;
    if (ok) {
        copy_out(q, buffer, pdTRUE);
    }
    taskEXIT_CRITICAL_FROM_ISR(saved);
    return ok ? pdPASS : pdFAIL;
}

UBaseType_t uxQueueMessagesWaiting(const QueueHandle_t q) {
    taskENTER_CRITICAL();
    UBaseType_t n = q->count;
    taskEXIT_CRITICAL();
    return n;
}

UBaseType_t uxQueueMessagesWaitingFromISR(const QueueHandle_t q) {
    return q->count;
}

UBaseType_t uxQueueSpacesAvailable(const QueueHandle_t q) {
    taskENTER_CRITICAL();
    UBaseType_t n = q->length - q->count;
    taskEXIT_CRITICAL();
    return n;
}

BaseType_t xQueueIsQueueEmptyFromISR(const QueueHandle_t q) {
    return q->count == 0 ? pdTRUE : pdFALSE;
}

BaseType_t xQueueIsQueueFullFromISR(const QueueHandle_t q) {
    return q->count == q->length ? pdTRUE : pdFALSE;
}

UBaseType_t uxQueueGetQueueLength(QueueHandle_t q) {
    return q->length;
}

UBaseType_t uxQueueGetQueueItemSize(QueueHandle_t q) {
    return q->item_size;
}

BaseType_t xQueueGenericReset(QueueHandle_t q, BaseType_t new_queue) {
    configASSERT(q != NULL);
    taskENTER_CRITICAL();
    q->count = 0;
    q->read_index = 0;
    q->write_index = 0;
    if (new_queue) {
        rtos_list_init(&q->send_waiters);
        rtos_list_init(&q->receive_waiters);
    } else if (rtos_wake_first(&q->send_waiters)) {
        portYIELD_WITHIN_API();
    }
    taskEXIT_CRITICAL();
    return pdPASS;
}

void vQueueAddToRegistry(QueueHandle_t q, const char *name) {
    q->name = name;
}

void vQueueUnregisterQueue(QueueHandle_t q) {
    q->name = NULL;
}

const char *pcQueueGetName(QueueHandle_t q) {
    return q->name;
}

// ---- semaphores and mutexes ----

QueueHandle_t xQueueCreateMutex(const uint8_t type) {
    QueueHandle_t q = xQueueGenericCreate(1, 0, type);
    if (q != NULL) {
        q->count = 1;
    }
    return q;
}

QueueHandle_t xQueueCreateMutexStatic(const uint8_t type, StaticQueue_t *buffer) {
    QueueHandle_t q = xQueueGenericCreateStatic(1, 0, NULL, buffer, type);
    if (q != NULL) {
        q->count = 1;
    }
    return q;
}

QueueHandle_t xQueueCreateCountingSemaphore(const UBaseType_t max, const UBaseType_t initial) {
    if (initial > max) {
        return NULL;
    }
    QueueHandle_t q = xQueueGenericCreate(max, 0, queueQUEUE_TYPE_COUNTING_SEMAPHORE);
    if (q != NULL) {
        q->count = initial;
    }
    return q;
}

QueueHandle_t xQueueCreateCountingSemaphoreStatic(const UBaseType_t max, const UBaseType_t initial,
    StaticQueue_t *buffer) {
    if (initial > max) {
        return NULL;
    }
    QueueHandle_t q = xQueueGenericCreateStatic(max, 0, NULL, buffer, queueQUEUE_TYPE_COUNTING_SEMAPHORE);
    if (q != NULL) {
        q->count = initial;
    }
    return q;
}

BaseType_t xQueueTakeMutexRecursive(QueueHandle_t m, TickType_t ticks) {
    configASSERT(m != NULL && m->type == queueQUEUE_TYPE_RECURSIVE_MUTEX);
    if (m->holder == xTaskGetCurrentTaskHandle()) {
        m->recursion++;
        return pdPASS;
    }
    if (xQueueSemaphoreTake(m, ticks) != pdPASS) {
        return pdFAIL;
    }
    m->recursion = 1;
    return pdPASS;
}

BaseType_t xQueueGiveMutexRecursive(QueueHandle_t m) {
    configASSERT(m != NULL && m->type == queueQUEUE_TYPE_RECURSIVE_MUTEX);
    if (m->holder != xTaskGetCurrentTaskHandle()) {
        return pdFAIL;
    }
    if (--m->recursion == 0) {
        (void)xQueueGenericSend(m, NULL, 0, queueSEND_TO_BACK);
    }
    return pdPASS;
}

TaskHandle_t xQueueGetMutexHolder(QueueHandle_t q) {
    taskENTER_CRITICAL();
    TaskHandle_t holder = is_mutex(q) ? q->holder : NULL;
    taskEXIT_CRITICAL();
    return holder;
}

TaskHandle_t xQueueGetMutexHolderFromISR(QueueHandle_t q) {
    return is_mutex(q) ? q->holder : NULL;
}
