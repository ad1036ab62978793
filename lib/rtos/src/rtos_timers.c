// Software timers: a command queue feeds the timer service task, which keeps the active timers in a list
// ordered by expiry tick (relative to the tick at which the list was last processed) and runs callbacks.
#include <string.h>

#include "rtos_kernel.h"
#include "queue.h"
#include "timers.h"

#define TIMER_ACTIVE 1U
#define TIMER_AUTO_RELOAD 2U
#define TIMER_STATIC 4U

typedef struct {
    BaseType_t command;
    TickType_t value;
    TimerHandle_t timer;
    PendedFunction_t function;
    void *param1;
    uint32_t param2;
} timer_command_t;

static QueueHandle_t command_queue;
static TaskHandle_t timer_task;
static rtos_list_t active_timers;
static TickType_t last_processed;

static BaseType_t ensure_queue(void) {
    if (command_queue == NULL) {
        taskENTER_CRITICAL();
        if (command_queue == NULL) {
            rtos_list_init(&active_timers);
            last_processed = xTaskGetTickCount();
            command_queue = xQueueCreate(configTIMER_QUEUE_LENGTH, sizeof(timer_command_t));
        }
        taskEXIT_CRITICAL();
    }
    return command_queue != NULL;
}

void rtos_timers_reset(void) {
    if (command_queue != NULL) {
        vQueueDelete(command_queue);
    }
    command_queue = NULL;
    timer_task = NULL;
}

static void init_timer(struct tmrTimerControl *t, const char *name, TickType_t period, BaseType_t auto_reload,
    void *id, TimerCallbackFunction_t callback, uint8_t flags) {
    memset(t, 0, sizeof(*t));
    rtos_node_init(&t->node, t);
    t->name = name;
    t->period = period;
    t->id = id;
    t->callback = callback;
    t->flags = flags | (auto_reload ? TIMER_AUTO_RELOAD : 0);
}

TimerHandle_t xTimerCreate(const char *const name, const TickType_t period, const BaseType_t auto_reload,
    void *const id, TimerCallbackFunction_t callback) {
    if (period == 0 || !ensure_queue()) {
        return NULL;
    }
    struct tmrTimerControl *t = pvPortMalloc(sizeof(*t));
    if (t != NULL) {
        init_timer(t, name, period, auto_reload, id, callback, 0);
    }
    return t;
}

TimerHandle_t xTimerCreateStatic(const char *const name, const TickType_t period, const BaseType_t auto_reload,
    void *const id, TimerCallbackFunction_t callback, StaticTimer_t *buffer) {
    if (period == 0 || buffer == NULL || !ensure_queue()) {
        return NULL;
    }
    init_timer(buffer, name, period, auto_reload, id, callback, TIMER_STATIC);
    return buffer;
}

// ---- inside the timer task ----

static void insert_active(struct tmrTimerControl *t, TickType_t expiry) {
    rtos_list_remove(&t->node);
    t->node.key = expiry;
    rtos_list_insert_ordered(&active_timers, &t->node, last_processed);
    t->flags |= TIMER_ACTIVE;
}

static void process_expired(TickType_t now) {
    for (;;) {
        rtos_node_t *n = rtos_list_first(&active_timers);
        if (n == NULL || (TickType_t)(n->key - last_processed) > (TickType_t)(now - last_processed)) {
            break;
        }
        struct tmrTimerControl *t = n->owner;
        rtos_list_remove(n);
        if (t->flags & TIMER_AUTO_RELOAD) {
            // reload from the expiry time, not from now, so the period does not drift; a timer that fell
            // behind by several periods fires once per period
            insert_active(t, n->key + t->period);
        } else {
            t->flags &= ~TIMER_ACTIVE;
        }
        t->callback(t);
    }
    last_processed = now;
}

// Start a timer whose period counts from issued; fire at once if that is already past.
static void start_from(struct tmrTimerControl *t, TickType_t issued) {
    TickType_t now = xTaskGetTickCount();
    TickType_t expiry = issued + t->period;
    while ((TickType_t)(now - issued) >= t->period) {
        if (!(t->flags & TIMER_AUTO_RELOAD)) {
            rtos_list_remove(&t->node);
            t->flags &= ~TIMER_ACTIVE;
            t->callback(t);
            return;
        }
        t->callback(t);
        issued = expiry;
        expiry += t->period;
    }
    insert_active(t, expiry);
}

static void run_command(const timer_command_t *c) {
    struct tmrTimerControl *t = c->timer;
    switch (c->command) {
        case tmrCOMMAND_EXECUTE_CALLBACK:
        case tmrCOMMAND_EXECUTE_CALLBACK_FROM_ISR:
            c->function(c->param1, c->param2);
            break;
        case tmrCOMMAND_START:
        case tmrCOMMAND_START_FROM_ISR:
        case tmrCOMMAND_RESET:
        case tmrCOMMAND_RESET_FROM_ISR:
        case tmrCOMMAND_START_DONT_TRACE:
            start_from(t, c->value);
            break;
        case tmrCOMMAND_STOP:
        case tmrCOMMAND_STOP_FROM_ISR:
            rtos_list_remove(&t->node);
            t->flags &= ~TIMER_ACTIVE;
            break;
        case tmrCOMMAND_CHANGE_PERIOD:
        case tmrCOMMAND_CHANGE_PERIOD_FROM_ISR:
            t->period = c->value;
            start_from(t, xTaskGetTickCount());
            break;
        case tmrCOMMAND_DELETE:
            rtos_list_remove(&t->node);
            t->flags &= ~TIMER_ACTIVE;
            if (!(t->flags & TIMER_STATIC)) {
                vPortFree(t);
            }
            break;
        default:
            break;
    }
}

static void timer_task_main(void *arg) {
    (void)arg;
    for (;;) {
        TickType_t now = xTaskGetTickCount();
        process_expired(now);
        TickType_t wait = portMAX_DELAY;
        rtos_node_t *n = rtos_list_first(&active_timers);
        if (n != NULL) {
            wait = n->key - now;
        }
        timer_command_t c;
        if (xQueueReceive(command_queue, &c, wait) == pdPASS) {
            // timers due before the command was processed fire first
            process_expired(xTaskGetTickCount());
            do {
                run_command(&c);
            } while (xQueueReceive(command_queue, &c, 0) == pdPASS);
        }
    }
}

BaseType_t xTimerCreateTimerTask(void) {
    if (!ensure_queue()) {
        return pdFAIL;
    }
    return xTaskCreate(timer_task_main, configTIMER_SERVICE_TASK_NAME, configTIMER_TASK_STACK_DEPTH, NULL, configTIMER_TASK_PRIORITY,
        &timer_task);
}

// ---- commands ----

BaseType_t xTimerGenericCommandFromTask(TimerHandle_t timer, const BaseType_t command, const TickType_t value,
    BaseType_t *const woken, const TickType_t ticks) {
    (void)woken;
    if (!ensure_queue()) {
        return pdFAIL;
    }
    timer_command_t c = {.command = command, .value = value, .timer = timer};
    TickType_t wait = xTaskGetSchedulerState() == taskSCHEDULER_RUNNING ? ticks : 0;
    return xQueueSend(command_queue, &c, wait);
}

BaseType_t xTimerGenericCommandFromISR(TimerHandle_t timer, const BaseType_t command, const TickType_t value,
    BaseType_t *const woken, const TickType_t ticks) {
    (void)ticks;
    if (command_queue == NULL) {
        return pdFAIL;
    }
    timer_command_t c = {.command = command, .value = value, .timer = timer};
    return xQueueSendFromISR(command_queue, &c, woken);
}

BaseType_t xTimerPendFunctionCall(PendedFunction_t fn, void *param1, uint32_t param2, TickType_t ticks) {
    if (!ensure_queue()) {
        return pdFAIL;
    }
    timer_command_t c = {.command = tmrCOMMAND_EXECUTE_CALLBACK, .function = fn, .param1 = param1, .param2 = param2};
    return xQueueSend(command_queue, &c, ticks);
}

BaseType_t xTimerPendFunctionCallFromISR(PendedFunction_t fn, void *param1, uint32_t param2, BaseType_t *woken) {
    if (command_queue == NULL) {
        return pdFAIL;
    }
    timer_command_t c = {.command = tmrCOMMAND_EXECUTE_CALLBACK_FROM_ISR, .function = fn, .param1 = param1,
                         .param2 = param2};
    return xQueueSendFromISR(command_queue, &c, woken);
}

// ---- queries ----

BaseType_t xTimerIsTimerActive(TimerHandle_t t) {
    taskENTER_CRITICAL();
    BaseType_t active = (t->flags & TIMER_ACTIVE) != 0;
    taskEXIT_CRITICAL();
    return active;
}

void *pvTimerGetTimerID(const TimerHandle_t t) {
    taskENTER_CRITICAL();
    void *id = t->id;
    taskEXIT_CRITICAL();
    return id;
}

void vTimerSetTimerID(TimerHandle_t t, void *id) {
    taskENTER_CRITICAL();
    t->id = id;
    taskEXIT_CRITICAL();
}

const char *pcTimerGetName(TimerHandle_t t) {
    return t->name;
}

TickType_t xTimerGetPeriod(TimerHandle_t t) {
    return t->period;
}

TickType_t xTimerGetExpiryTime(TimerHandle_t t) {
    return t->node.key;
}

void vTimerSetReloadMode(TimerHandle_t t, const BaseType_t auto_reload) {
    taskENTER_CRITICAL();
    if (auto_reload) {
        t->flags |= TIMER_AUTO_RELOAD;
    } else {
        t->flags &= ~TIMER_AUTO_RELOAD;
    }
    taskEXIT_CRITICAL();
}

BaseType_t xTimerGetReloadMode(TimerHandle_t t) {
    return (t->flags & TIMER_AUTO_RELOAD) ? pdTRUE : pdFALSE;
}

UBaseType_t uxTimerGetReloadMode(TimerHandle_t t) {
    return (UBaseType_t)xTimerGetReloadMode(t);
}

TaskHandle_t xTimerGetTimerDaemonTaskHandle(void) {
    return timer_task;
}
