// Software timers run by the timer service (daemon) task (FreeRTOS timers.h API).
#ifndef TIMERS_H
#define TIMERS_H

#ifndef INC_FREERTOS_H
#error "include FreeRTOS.h before timers.h"
#endif

#include "task.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tmrTimerControl *TimerHandle_t;
typedef void (*PendedFunction_t)(void *, uint32_t);

#define tmrCOMMAND_EXECUTE_CALLBACK_FROM_ISR ((BaseType_t)-2)
#define tmrCOMMAND_EXECUTE_CALLBACK ((BaseType_t)-1)
#define tmrCOMMAND_START_DONT_TRACE ((BaseType_t)0)
#define tmrCOMMAND_START ((BaseType_t)1)
#define tmrCOMMAND_RESET ((BaseType_t)2)
#define tmrCOMMAND_STOP ((BaseType_t)3)
#define tmrCOMMAND_CHANGE_PERIOD ((BaseType_t)4)
#define tmrCOMMAND_DELETE ((BaseType_t)5)
#define tmrFIRST_FROM_ISR_COMMAND ((BaseType_t)6)
#define tmrCOMMAND_START_FROM_ISR ((BaseType_t)6)
#define tmrCOMMAND_RESET_FROM_ISR ((BaseType_t)7)
#define tmrCOMMAND_STOP_FROM_ISR ((BaseType_t)8)
#define tmrCOMMAND_CHANGE_PERIOD_FROM_ISR ((BaseType_t)9)

TimerHandle_t xTimerCreate(const char *const pcTimerName, const TickType_t xTimerPeriodInTicks,
    const BaseType_t xAutoReload, void *const pvTimerID, TimerCallbackFunction_t pxCallbackFunction);
TimerHandle_t xTimerCreateStatic(const char *const pcTimerName, const TickType_t xTimerPeriodInTicks,
    const BaseType_t xAutoReload, void *const pvTimerID, TimerCallbackFunction_t pxCallbackFunction,
    StaticTimer_t *pxTimerBuffer);

BaseType_t xTimerGenericCommandFromTask(TimerHandle_t xTimer, const BaseType_t xCommandID,
    const TickType_t xOptionalValue, BaseType_t *const pxHigherPriorityTaskWoken, const TickType_t xTicksToWait);
BaseType_t xTimerGenericCommandFromISR(TimerHandle_t xTimer, const BaseType_t xCommandID,
    const TickType_t xOptionalValue, BaseType_t *const pxHigherPriorityTaskWoken, const TickType_t xTicksToWait);

#define xTimerStart(t, ticks) xTimerGenericCommandFromTask((t), tmrCOMMAND_START, xTaskGetTickCount(), NULL, (ticks))
#define xTimerStop(t, ticks) xTimerGenericCommandFromTask((t), tmrCOMMAND_STOP, 0U, NULL, (ticks))
#define xTimerChangePeriod(t, period, ticks) \
    xTimerGenericCommandFromTask((t), tmrCOMMAND_CHANGE_PERIOD, (period), NULL, (ticks))
#define xTimerDelete(t, ticks) xTimerGenericCommandFromTask((t), tmrCOMMAND_DELETE, 0U, NULL, (ticks))
#define xTimerReset(t, ticks) xTimerGenericCommandFromTask((t), tmrCOMMAND_RESET, xTaskGetTickCount(), NULL, (ticks))
#define xTimerStartFromISR(t, w) \
    xTimerGenericCommandFromISR((t), tmrCOMMAND_START_FROM_ISR, xTaskGetTickCountFromISR(), (w), 0U)
#define xTimerStopFromISR(t, w) xTimerGenericCommandFromISR((t), tmrCOMMAND_STOP_FROM_ISR, 0, (w), 0U)
#define xTimerChangePeriodFromISR(t, period, w) \
    xTimerGenericCommandFromISR((t), tmrCOMMAND_CHANGE_PERIOD_FROM_ISR, (period), (w), 0U)
#define xTimerResetFromISR(t, w) \
    xTimerGenericCommandFromISR((t), tmrCOMMAND_RESET_FROM_ISR, xTaskGetTickCountFromISR(), (w), 0U)

BaseType_t xTimerIsTimerActive(TimerHandle_t xTimer);
void *pvTimerGetTimerID(const TimerHandle_t xTimer);
void vTimerSetTimerID(TimerHandle_t xTimer, void *pvNewID);
const char *pcTimerGetName(TimerHandle_t xTimer);
TickType_t xTimerGetPeriod(TimerHandle_t xTimer);
TickType_t xTimerGetExpiryTime(TimerHandle_t xTimer);
void vTimerSetReloadMode(TimerHandle_t xTimer, const BaseType_t xAutoReload);
BaseType_t xTimerGetReloadMode(TimerHandle_t xTimer);
UBaseType_t uxTimerGetReloadMode(TimerHandle_t xTimer);
TaskHandle_t xTimerGetTimerDaemonTaskHandle(void);
BaseType_t xTimerPendFunctionCall(PendedFunction_t xFunctionToPend, void *pvParameter1, uint32_t ulParameter2,
    TickType_t xTicksToWait);
BaseType_t xTimerPendFunctionCallFromISR(PendedFunction_t xFunctionToPend, void *pvParameter1, uint32_t ulParameter2,
    BaseType_t *pxHigherPriorityTaskWoken);

// Used by vTaskStartScheduler.
BaseType_t xTimerCreateTimerTask(void);

#ifdef __cplusplus
}
#endif

#endif
