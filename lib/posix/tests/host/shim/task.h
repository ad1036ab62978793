// Host shim (see FreeRTOS.h): the task functions lib/posix calls, with FreeRTOS's names and semantics.
#ifndef POSIX_SHIM_TASK_H
#define POSIX_SHIM_TASK_H

#include "FreeRTOS.h"

typedef struct shim_task *TaskHandle_t;
typedef struct {
    TickType_t start;
} TimeOut_t;

void vTaskSuspendAll(void);
BaseType_t xTaskResumeAll(void);
TaskHandle_t xTaskGetCurrentTaskHandle(void);
TickType_t xTaskGetTickCount(void);
void vTaskSetTimeOutState(TimeOut_t *t);
BaseType_t xTaskCheckForTimeOut(TimeOut_t *t, TickType_t *ticks_to_wait);
BaseType_t xTaskNotifyGiveIndexed(TaskHandle_t task, UBaseType_t index);
uint32_t ulTaskNotifyTakeIndexed(UBaseType_t index, BaseType_t clear_on_exit, TickType_t ticks);
uint32_t ulTaskNotifyValueClearIndexed(TaskHandle_t task, UBaseType_t index, uint32_t bits);

// Test helpers, not FreeRTOS: how often the calling task has returned from a notification wait, and
// whether the scheduler lock is held by anyone.
unsigned shim_task_wakeups(void);
int shim_lock_held(void);

#endif
