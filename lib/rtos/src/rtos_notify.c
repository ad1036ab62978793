// Direct-to-task notifications, including the indexed (array) form.
#include "rtos_kernel.h"

#define NOT_WAITING 0
#define WAITING 1
#define RECEIVED 2

static BaseType_t notify_locked(tcb_t *t, UBaseType_t index, uint32_t value, eNotifyAction action,
    uint32_t *previous, BaseType_t *yield) {
    BaseType_t result = pdPASS;
    configASSERT(index < configTASK_NOTIFICATION_ARRAY_ENTRIES);
    if (previous != NULL) {
        *previous = t->notify_value[index];
    }
    uint8_t old_state = t->notify_state[index];
    t->notify_state[index] = RECEIVED;
    switch (action) {
        case eSetBits:
            t->notify_value[index] |= value;
            break;
        case eIncrement:
            t->notify_value[index]++;
            break;
        case eSetValueWithOverwrite:
            t->notify_value[index] = value;
            break;
        case eSetValueWithoutOverwrite:
            if (old_state != RECEIVED) {
                t->notify_value[index] = value;
            } else {
                result = pdFAIL;
            }
            break;
        case eNoAction:
        default:
            break;
    }
    if (old_state == WAITING) {
        *yield = rtos_unblock(t);
    }
    return result;
}

BaseType_t xTaskGenericNotify(TaskHandle_t task, UBaseType_t index, uint32_t value, eNotifyAction action,
    uint32_t *previous) {
    BaseType_t yield = pdFALSE;
    taskENTER_CRITICAL();
    BaseType_t result = notify_locked(task, index, value, action, previous, &yield);
    if (yield) {
        portYIELD_WITHIN_API();
    }
    taskEXIT_CRITICAL();
    return result;
}

BaseType_t xTaskGenericNotifyFromISR(TaskHandle_t task, UBaseType_t index, uint32_t value, eNotifyAction action,
    uint32_t *previous, BaseType_t *woken) {
    BaseType_t yield = pdFALSE;
    UBaseType_t saved = taskENTER_CRITICAL_FROM_ISR();
    BaseType_t result = notify_locked(task, index, value, action, previous, &yield);
    taskEXIT_CRITICAL_FROM_ISR(saved);
    if (yield && woken != NULL) {
        *woken = pdTRUE;
    }
    return result;
}

void vTaskGenericNotifyGiveFromISR(TaskHandle_t task, UBaseType_t index, BaseType_t *woken) {
    (void)xTaskGenericNotifyFromISR(task, index, 0, eIncrement, NULL, woken);
}

BaseType_t xTaskGenericNotifyWait(UBaseType_t index, uint32_t clear_on_entry, uint32_t clear_on_exit,
    uint32_t *value_out, TickType_t ticks) {
    configASSERT(index < configTASK_NOTIFICATION_ARRAY_ENTRIES);
    taskENTER_CRITICAL();
    tcb_t *self = rtos_self();
    if (self->notify_state[index] != RECEIVED) {
        self->notify_value[index] &= ~clear_on_entry;
        self->notify_state[index] = WAITING;
        if (ticks > 0) {
            rtos_block_current(NULL, ticks);
            portYIELD_WITHIN_API();
        }
    }
    taskEXIT_CRITICAL();

    BaseType_t result;
    taskENTER_CRITICAL();
    if (value_out != NULL) {
        *value_out = self->notify_value[index];
    }
    if (self->notify_state[index] != RECEIVED) {
        result = pdFALSE;
    } else {
        self->notify_value[index] &= ~clear_on_exit;
        result = pdTRUE;
    }
    self->notify_state[index] = NOT_WAITING;
    taskEXIT_CRITICAL();
    return result;
}

uint32_t ulTaskGenericNotifyTake(UBaseType_t index, BaseType_t clear_on_exit, TickType_t ticks) {
    configASSERT(index < configTASK_NOTIFICATION_ARRAY_ENTRIES);
    taskENTER_CRITICAL();
    tcb_t *self = rtos_self();
    if (self->notify_value[index] == 0) {
        self->notify_state[index] = WAITING;
        if (ticks > 0) {
            rtos_block_current(NULL, ticks);
            portYIELD_WITHIN_API();
        }
    }
    taskEXIT_CRITICAL();

    taskENTER_CRITICAL();
    uint32_t value = self->notify_value[index];
    if (value != 0) {
        self->notify_value[index] = clear_on_exit ? 0 : value - 1;
    }
    self->notify_state[index] = NOT_WAITING;
    taskEXIT_CRITICAL();
    return value;
}

BaseType_t xTaskGenericNotifyStateClear(TaskHandle_t task, UBaseType_t index) {
    BaseType_t result = pdFAIL;
    taskENTER_CRITICAL();
    tcb_t *t = task != NULL ? task : rtos_self();
    if (t->notify_state[index] == RECEIVED) {
        t->notify_state[index] = NOT_WAITING;
        result = pdPASS;
    }
    taskEXIT_CRITICAL();
    return result;
}

uint32_t ulTaskGenericNotifyValueClear(TaskHandle_t task, UBaseType_t index, uint32_t bits) {
    taskENTER_CRITICAL();
    tcb_t *t = task != NULL ? task : rtos_self();
    uint32_t value = t->notify_value[index];
    t->notify_value[index] &= ~bits;
    taskEXIT_CRITICAL();
    return value;
}
