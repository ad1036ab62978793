// lib/posix: the layer's lock, waiting on task notifications, the block hooks.
#include "posix_internal.h"

static const posix_block_hooks_t *block_hooks;

void posix_lock(void) {
    vTaskSuspendAll();
}

void posix_unlock(void) {
    (void)xTaskResumeAll();
}

void posix_set_block_hooks(const posix_block_hooks_t *hooks) {
    block_hooks = hooks;
}

void posix_waiter_link(posix_file_t *f, posix_waiter_t *w) {
    w->task = xTaskGetCurrentTaskHandle();
    w->next = f->waiters;
    f->waiters = w;
}

void posix_waiter_unlink(posix_file_t *f, posix_waiter_t *w) {
    for (posix_waiter_t **p = &f->waiters; *p != NULL; p = &(*p)->next) {
        if (*p == w) {
            *p = w->next;
            return;
        }
    }
}

void posix_file_notify_locked(posix_file_t *f) {
    for (posix_waiter_t *w = f->waiters; w != NULL; w = w->next) {
        xTaskNotifyGiveIndexed(w->task, POSIX_NOTIFY_INDEX);
    }
}

void posix_file_notify(posix_file_t *f) {
    posix_lock();
    posix_file_notify_locked(f);
    posix_unlock();
}

int *posix_errno(void) {
    return &errno;
}

void posix_wake_task(void *task) {
    xTaskNotifyGiveIndexed((TaskHandle_t)task, POSIX_NOTIFY_INDEX);
}

void posix_deadline_init(posix_deadline_t *d, TickType_t ticks) {
    vTaskSetTimeOutState(&d->start);
    d->ticks = ticks;
}

void posix_wait_arm(void) {
    (void)ulTaskNotifyValueClearIndexed(NULL, POSIX_NOTIFY_INDEX, UINT32_MAX);
}

int posix_wait_block(posix_deadline_t *d) {
    // xTaskCheckForTimeOut counts down d->ticks to what is left (and handles the tick count wrapping).
    if (d->ticks != portMAX_DELAY && xTaskCheckForTimeOut(&d->start, &d->ticks) != pdFALSE) {
        return -ETIMEDOUT;
    }
    bool give_up = block_hooks != NULL && block_hooks->block_begin != NULL && block_hooks->block_begin();
    if (!give_up) {
        (void)ulTaskNotifyTakeIndexed(POSIX_NOTIFY_INDEX, pdTRUE, d->ticks);
    }
    if (block_hooks != NULL && block_hooks->block_end != NULL && block_hooks->block_end()) {
        give_up = true;
    }
    return give_up ? -EINTR : 0;
}
