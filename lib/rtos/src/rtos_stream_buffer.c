// Stream and message buffers: a ring of bytes with one waiting reader and one waiting writer.
// A reader blocks only on an empty buffer and is woken once the trigger level is reached; a message
// buffer stores each message behind its length and moves whole messages only.
#include <string.h>

#include "rtos_kernel.h"
#include "stream_buffer.h"

typedef configMESSAGE_BUFFER_LENGTH_TYPE msg_len_t;
#define HDR sizeof(msg_len_t)

static void init_buffer(struct StreamBufferDef_t *sb, uint8_t *storage, size_t capacity, size_t trigger,
    BaseType_t type, StreamBufferCallbackFunction_t send_cb, StreamBufferCallbackFunction_t receive_cb,
    uint8_t static_alloc) {
    memset(sb, 0, sizeof(*sb));
    sb->storage = storage;
    sb->size = capacity + 1;
    sb->trigger = trigger == 0 ? 1 : trigger;
    sb->is_message_buffer = type == sbTYPE_MESSAGE_BUFFER;
    sb->send_completed = send_cb;
    sb->receive_completed = receive_cb;
    sb->static_alloc = static_alloc;
}

static int valid_sizes(size_t capacity, size_t trigger, BaseType_t type) {
    return capacity > (type == sbTYPE_MESSAGE_BUFFER ? HDR : 0) && trigger <= capacity;
}

StreamBufferHandle_t xStreamBufferGenericCreate(size_t capacity, size_t trigger, BaseType_t type,
    StreamBufferCallbackFunction_t send_cb, StreamBufferCallbackFunction_t receive_cb) {
    if (!valid_sizes(capacity, trigger, type)) {
        return NULL;
    }
    struct StreamBufferDef_t *sb = pvPortMalloc(sizeof(*sb) + capacity + 1);
    if (sb != NULL) {
        init_buffer(sb, (uint8_t *)(sb + 1), capacity, trigger, type, send_cb, receive_cb, 0);
    }
    return sb;
}

StreamBufferHandle_t xStreamBufferGenericCreateStatic(size_t capacity, size_t trigger, BaseType_t type,
    uint8_t *const storage, StaticStreamBuffer_t *const buffer, StreamBufferCallbackFunction_t send_cb,
    StreamBufferCallbackFunction_t receive_cb) {
    if (storage == NULL || buffer == NULL || !valid_sizes(capacity, trigger, type)) {
        return NULL;
    }
    init_buffer(buffer, storage, capacity, trigger, type, send_cb, receive_cb, 1);
    return buffer;
}

void vStreamBufferDelete(StreamBufferHandle_t sb) {
    if (sb != NULL && !sb->static_alloc) {
        vPortFree(sb);
    }
}

static size_t used(const struct StreamBufferDef_t *sb) {
    return (sb->tail + sb->size - sb->head) % sb->size;
}

static size_t space(const struct StreamBufferDef_t *sb) {
    return sb->size - 1 - used(sb);
}

static void put(struct StreamBufferDef_t *sb, const uint8_t *src, size_t n) {
    size_t first = sb->size - sb->tail < n ? sb->size - sb->tail : n;
    memcpy(sb->storage + sb->tail, src, first);
    memcpy(sb->storage, src + first, n - first);
    sb->tail = (sb->tail + n) % sb->size;
}

static void get(struct StreamBufferDef_t *sb, uint8_t *dst, size_t n, int peek) {
    size_t first = sb->size - sb->head < n ? sb->size - sb->head : n;
    if (dst != NULL) {
        memcpy(dst, sb->storage + sb->head, first);
        memcpy(dst + first, sb->storage, n - first);
    }
    if (!peek) {
        sb->head = (sb->head + n) % sb->size;
    }
}

static size_t next_message_length(struct StreamBufferDef_t *sb) {
    msg_len_t len = 0;
    if (used(sb) >= HDR) {
        get(sb, (uint8_t *)&len, HDR, 1);
    }
    return len;
}

// Wake the reader once there is enough to read (kernel lock held). Returns whether to yield.
static BaseType_t data_written(struct StreamBufferDef_t *sb, BaseType_t in_isr) {
    BaseType_t yield = pdFALSE;
    if (sb->send_completed != NULL) {
        sb->send_completed(sb, in_isr, &yield);
    } else if (sb->waiting_reader != NULL && used(sb) >= (sb->is_message_buffer ? 1 : sb->trigger)) {
        yield = rtos_unblock(sb->waiting_reader);
        sb->waiting_reader = NULL;
    }
    return yield;
}

static BaseType_t data_read(struct StreamBufferDef_t *sb, BaseType_t in_isr) {
    BaseType_t yield = pdFALSE;
    if (sb->receive_completed != NULL) {
        sb->receive_completed(sb, in_isr, &yield);
    } else if (sb->waiting_writer != NULL) {
        yield = rtos_unblock(sb->waiting_writer);
        sb->waiting_writer = NULL;
    }
    return yield;
}

// Write what fits (a stream) or the whole message if it fits; kernel lock held.
static size_t write_locked(struct StreamBufferDef_t *sb, const void *data, size_t len) {
    if (sb->is_message_buffer) {
        if (space(sb) < len + HDR) {
            return 0;
        }
        msg_len_t hdr = (msg_len_t)len;
        put(sb, (const uint8_t *)&hdr, HDR);
        put(sb, data, len);
        return len;
    }
    size_t n = space(sb) < len ? space(sb) : len;
    put(sb, data, n);
    return n;
}

static size_t read_locked(struct StreamBufferDef_t *sb, void *buffer, size_t len) {
    if (sb->is_message_buffer) {
        if (used(sb) == 0) {
            return 0;
        }
        size_t n = next_message_length(sb);
        if (n > len) {
            return 0; // the caller's buffer is too small: the message stays
        }
        get(sb, NULL, HDR, 0);
        get(sb, buffer, n, 0);
        return n;
    }
    size_t n = used(sb) < len ? used(sb) : len;
    get(sb, buffer, n, 0);
    return n;
}

size_t xStreamBufferSend(StreamBufferHandle_t sb, const void *data, size_t len, TickType_t ticks) {
    TimeOut_t timeout;
    BaseType_t started = pdFALSE;
    size_t need = sb->is_message_buffer ? len + HDR : len;
    configASSERT(need < sb->size);
    for (;;) {
        taskENTER_CRITICAL();
        tcb_t *self = rtos_self();
        if (sb->waiting_writer == self) {
            sb->waiting_writer = NULL;
        }
        int give_up = ticks == 0 || (started && xTaskCheckForTimeOut(&timeout, &ticks));
        if (space(sb) >= need || give_up) {
            size_t n = write_locked(sb, data, len);
            if (n > 0 && data_written(sb, pdFALSE)) {
                portYIELD_WITHIN_API();
            }
            taskEXIT_CRITICAL();
            return n;
        }
        if (!started) {
            vTaskInternalSetTimeOutState(&timeout);
            started = pdTRUE;
        }
        configASSERT(sb->waiting_writer == NULL);
        sb->waiting_writer = self;
        rtos_block_current(NULL, ticks);
        portYIELD_WITHIN_API();
        taskEXIT_CRITICAL();
    }
}

size_t xStreamBufferReceive(StreamBufferHandle_t sb, void *buffer, size_t len, TickType_t ticks) {
    TimeOut_t timeout;
    BaseType_t started = pdFALSE;
    for (;;) {
        taskENTER_CRITICAL();
        tcb_t *self = rtos_self();
        if (sb->waiting_reader == self) {
            sb->waiting_reader = NULL;
        }
        int give_up = ticks == 0 || (started && xTaskCheckForTimeOut(&timeout, &ticks));
        if (used(sb) > 0 || give_up) {
            size_t n = read_locked(sb, buffer, len);
            if (n > 0 && data_read(sb, pdFALSE)) {
                portYIELD_WITHIN_API();
            }
            taskEXIT_CRITICAL();
            return n;
        }
        if (!started) {
            vTaskInternalSetTimeOutState(&timeout);
            started = pdTRUE;
        }
        configASSERT(sb->waiting_reader == NULL);
        sb->waiting_reader = self;
        rtos_block_current(NULL, ticks);
        portYIELD_WITHIN_API();
        taskEXIT_CRITICAL();
    }
}

size_t xStreamBufferSendFromISR(StreamBufferHandle_t sb, const void *data, size_t len, BaseType_t *const woken) {
    UBaseType_t saved = taskENTER_CRITICAL_FROM_ISR();
    size_t n = write_locked(sb, data, len);
    BaseType_t yield = n > 0 ? data_written(sb, pdTRUE) : pdFALSE;
    taskEXIT_CRITICAL_FROM_ISR(saved);
    if (yield && woken != NULL) {
        *woken = pdTRUE;
    }
    return n;
}

size_t xStreamBufferReceiveFromISR(StreamBufferHandle_t sb, void *buffer, size_t len, BaseType_t *const woken) {
    UBaseType_t saved = taskENTER_CRITICAL_FROM_ISR();
    size_t n = read_locked(sb, buffer, len);
    BaseType_t yield = n > 0 ? data_read(sb, pdTRUE) : pdFALSE;
    taskEXIT_CRITICAL_FROM_ISR(saved);
    if (yield && woken != NULL) {
        *woken = pdTRUE;
    }
    return n;
}

size_t xStreamBufferBytesAvailable(StreamBufferHandle_t sb) {
    taskENTER_CRITICAL();
    size_t n = used(sb);
    taskEXIT_CRITICAL();
    return n;
}

size_t xStreamBufferSpacesAvailable(StreamBufferHandle_t sb) {
    taskENTER_CRITICAL();
    size_t n = space(sb);
    taskEXIT_CRITICAL();
    return n;
}

BaseType_t xStreamBufferIsEmpty(StreamBufferHandle_t sb) {
    return xStreamBufferBytesAvailable(sb) == 0 ? pdTRUE : pdFALSE;
}

BaseType_t xStreamBufferIsFull(StreamBufferHandle_t sb) {
    return xStreamBufferSpacesAvailable(sb) <= (sb->is_message_buffer ? HDR : 0) ? pdTRUE : pdFALSE;
}

BaseType_t xStreamBufferReset(StreamBufferHandle_t sb) {
    BaseType_t ok = pdFAIL;
    taskENTER_CRITICAL();
    if (sb->waiting_reader == NULL && sb->waiting_writer == NULL) {
        sb->head = 0;
        sb->tail = 0;
        ok = pdPASS;
    }
    taskEXIT_CRITICAL();
    return ok;
}

BaseType_t xStreamBufferSetTriggerLevel(StreamBufferHandle_t sb, size_t trigger) {
    if (trigger > sb->size - 1) {
        return pdFALSE;
    }
    taskENTER_CRITICAL();
    sb->trigger = trigger == 0 ? 1 : trigger;
    taskEXIT_CRITICAL();
    return pdTRUE;
}

size_t xStreamBufferNextMessageLengthBytes(StreamBufferHandle_t sb) {
    if (!sb->is_message_buffer) {
        return 0;
    }
    taskENTER_CRITICAL();
    size_t n = next_message_length(sb);
    taskEXIT_CRITICAL();
    return n;
}

BaseType_t xStreamBufferSendCompletedFromISR(StreamBufferHandle_t sb, BaseType_t *woken) {
    BaseType_t had_reader;
    UBaseType_t saved = taskENTER_CRITICAL_FROM_ISR();
    had_reader = sb->waiting_reader != NULL;
    if (had_reader && rtos_unblock(sb->waiting_reader) && woken != NULL) {
        *woken = pdTRUE;
    }
    sb->waiting_reader = NULL;
    taskEXIT_CRITICAL_FROM_ISR(saved);
    return had_reader;
}

BaseType_t xStreamBufferReceiveCompletedFromISR(StreamBufferHandle_t sb, BaseType_t *woken) {
    BaseType_t had_writer;
    UBaseType_t saved = taskENTER_CRITICAL_FROM_ISR();
    had_writer = sb->waiting_writer != NULL;
    if (had_writer && rtos_unblock(sb->waiting_writer) && woken != NULL) {
        *woken = pdTRUE;
    }
    sb->waiting_writer = NULL;
    taskEXIT_CRITICAL_FROM_ISR(saved);
    return had_writer;
}
