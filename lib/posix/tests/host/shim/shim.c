// Host shim of the kernel calls lib/posix uses (tests only): see FreeRTOS.h.
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <errno.h>
#include "task.h"

struct shim_task {
    pthread_mutex_t mutex;
    pthread_cond_t cond;
    uint32_t value[configTASK_NOTIFICATION_ARRAY_ENTRIES];
    unsigned wakeups;
    int ready;
};

static pthread_mutex_t sched_lock = PTHREAD_ERRORCHECK_MUTEX_INITIALIZER_NP;
static volatile int sched_held;
static __thread struct shim_task self;
static __thread int self_holds_lock;

void vTaskSuspendAll(void) {
    int r = pthread_mutex_lock(&sched_lock);
    assert(r == 0); // EDEADLK: the layer's lock is not recursive
    (void)r;
    assert(!sched_held);
    sched_held = 1;
    self_holds_lock = 1;
}

BaseType_t xTaskResumeAll(void) {
    assert(sched_held);
    sched_held = 0;
    self_holds_lock = 0;
    pthread_mutex_unlock(&sched_lock);
    return pdFALSE;
}

int shim_lock_held(void) {
    return sched_held;
}

TaskHandle_t xTaskGetCurrentTaskHandle(void) {
    if (!self.ready) {
        pthread_condattr_t a;
        pthread_condattr_init(&a);
        pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
        pthread_cond_init(&self.cond, &a);
        pthread_condattr_destroy(&a);
        pthread_mutex_init(&self.mutex, NULL);
        self.ready = 1;
    }
    return &self;
}

TickType_t xTaskGetTickCount(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (TickType_t)((uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u);
}

void vTaskSetTimeOutState(TimeOut_t *t) {
    t->start = xTaskGetTickCount();
}

BaseType_t xTaskCheckForTimeOut(TimeOut_t *t, TickType_t *ticks_to_wait) {
    if (*ticks_to_wait == portMAX_DELAY) {
        return pdFALSE;
    }
    TickType_t now = xTaskGetTickCount();
    TickType_t elapsed = now - t->start;
    if (elapsed < *ticks_to_wait) {
        *ticks_to_wait -= elapsed;
        t->start = now;
        return pdFALSE;
    }
    *ticks_to_wait = 0;
    return pdTRUE;
}

BaseType_t xTaskNotifyGiveIndexed(TaskHandle_t task, UBaseType_t index) {
    assert(task != NULL && task->ready && index < configTASK_NOTIFICATION_ARRAY_ENTRIES);
    pthread_mutex_lock(&task->mutex);
    task->value[index]++;
    pthread_cond_broadcast(&task->cond);
    pthread_mutex_unlock(&task->mutex);
    return pdTRUE;
}

uint32_t ulTaskNotifyTakeIndexed(UBaseType_t index, BaseType_t clear_on_exit, TickType_t ticks) {
    struct shim_task *t = xTaskGetCurrentTaskHandle();
    // A task never blocks holding the scheduler lock.
    assert(!self_holds_lock);
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += ticks / 1000;
    until.tv_nsec += (long)(ticks % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&t->mutex);
    while (t->value[index] == 0 && ticks != 0) {
        int r = ticks == portMAX_DELAY ? pthread_cond_wait(&t->cond, &t->mutex)
            : pthread_cond_timedwait(&t->cond, &t->mutex, &until);
        if (r == ETIMEDOUT) {
            break;
        }
    }
    uint32_t v = t->value[index];
    if (v != 0) {
        t->value[index] = clear_on_exit ? 0 : v - 1;
    }
    t->wakeups++;
    pthread_mutex_unlock(&t->mutex);
    return v;
}

uint32_t ulTaskNotifyValueClearIndexed(TaskHandle_t task, UBaseType_t index, uint32_t bits) {
    struct shim_task *t = task != NULL ? task : xTaskGetCurrentTaskHandle();
    pthread_mutex_lock(&t->mutex);
    uint32_t v = t->value[index];
    t->value[index] &= ~bits;
    pthread_mutex_unlock(&t->mutex);
    return v;
}

unsigned shim_task_wakeups(void) {
    return xTaskGetCurrentTaskHandle()->wakeups;
}
