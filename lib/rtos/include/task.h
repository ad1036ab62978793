// Tasks, the scheduler, task notifications (FreeRTOS task.h API).
#ifndef INC_TASK_H
#define INC_TASK_H

#ifndef INC_FREERTOS_H
#error "include FreeRTOS.h before task.h"
#endif

#ifdef __cplusplus
extern "C" {
#endif

#define tskKERNEL_VERSION_NUMBER "mprt-rtos 1.0 (FreeRTOS API V11)"
#define tskIDLE_PRIORITY ((UBaseType_t)0U)

typedef struct tskTaskControlBlock *TaskHandle_t;
typedef const struct tskTaskControlBlock *ConstTaskHandle_t;
typedef BaseType_t (*TaskHookFunction_t)(void *);

typedef enum {
    eRunning = 0,
    eReady,
    eBlocked,
    eSuspended,
    eDeleted,
    eInvalid
} eTaskState;

typedef enum {
    eNoAction = 0,
    eSetBits,
    eIncrement,
    eSetValueWithOverwrite,
    eSetValueWithoutOverwrite
} eNotifyAction;

typedef enum {
    eAbortSleep = 0,
    eStandardSleep,
    eNoTasksWaitingTimeout
} eSleepModeStatus;

typedef struct xTIME_OUT {
    BaseType_t xOverflowCount;
    TickType_t xTimeOnEntering;
} TimeOut_t;

typedef struct xTASK_STATUS {
    TaskHandle_t xHandle;
    const char *pcTaskName;
    UBaseType_t xTaskNumber;
    eTaskState eCurrentState;
    UBaseType_t uxCurrentPriority;
    UBaseType_t uxBasePriority;
    uint32_t ulRunTimeCounter;
    StackType_t *pxStackBase;
    configSTACK_DEPTH_TYPE usStackHighWaterMark;
    UBaseType_t uxCoreAffinityMask;
} TaskStatus_t;

#define taskSCHEDULER_SUSPENDED ((BaseType_t)0)
#define taskSCHEDULER_NOT_STARTED ((BaseType_t)1)
#define taskSCHEDULER_RUNNING ((BaseType_t)2)

#define tskDEFAULT_INDEX_TO_NOTIFY 0

#define taskYIELD() portYIELD()
#define taskENTER_CRITICAL() portENTER_CRITICAL()
#define taskEXIT_CRITICAL() portEXIT_CRITICAL()
#define taskENTER_CRITICAL_FROM_ISR() portSET_INTERRUPT_MASK_FROM_ISR()
#define taskEXIT_CRITICAL_FROM_ISR(x) portCLEAR_INTERRUPT_MASK_FROM_ISR(x)
#define taskDISABLE_INTERRUPTS() portDISABLE_INTERRUPTS()
#define taskENABLE_INTERRUPTS() portENABLE_INTERRUPTS()

// ---- task creation and control ----
BaseType_t xTaskCreate(TaskFunction_t pxTaskCode, const char *const pcName, const configSTACK_DEPTH_TYPE uxStackDepth,
    void *const pvParameters, UBaseType_t uxPriority, TaskHandle_t *const pxCreatedTask);
TaskHandle_t xTaskCreateStatic(TaskFunction_t pxTaskCode, const char *const pcName, const configSTACK_DEPTH_TYPE uxStackDepth,
    void *const pvParameters, UBaseType_t uxPriority, StackType_t *const puxStackBuffer, StaticTask_t *const pxTaskBuffer);
BaseType_t xTaskCreateAffinitySet(TaskFunction_t pxTaskCode, const char *const pcName, const configSTACK_DEPTH_TYPE uxStackDepth,
    void *const pvParameters, UBaseType_t uxPriority, UBaseType_t uxCoreAffinityMask, TaskHandle_t *const pxCreatedTask);
TaskHandle_t xTaskCreateStaticAffinitySet(TaskFunction_t pxTaskCode, const char *const pcName,
    const configSTACK_DEPTH_TYPE uxStackDepth, void *const pvParameters, UBaseType_t uxPriority,
    StackType_t *const puxStackBuffer, StaticTask_t *const pxTaskBuffer, UBaseType_t uxCoreAffinityMask);
void vTaskDelete(TaskHandle_t xTaskToDelete);

void vTaskDelay(const TickType_t xTicksToDelay);
BaseType_t xTaskDelayUntil(TickType_t *const pxPreviousWakeTime, const TickType_t xTimeIncrement);
#define vTaskDelayUntil(prev, inc) do { (void)xTaskDelayUntil((prev), (inc)); } while (0)
BaseType_t xTaskAbortDelay(TaskHandle_t xTask);

UBaseType_t uxTaskPriorityGet(const TaskHandle_t xTask);
UBaseType_t uxTaskPriorityGetFromISR(const TaskHandle_t xTask);
UBaseType_t uxTaskBasePriorityGet(const TaskHandle_t xTask);
void vTaskPrioritySet(TaskHandle_t xTask, UBaseType_t uxNewPriority);
eTaskState eTaskGetState(TaskHandle_t xTask);
void vTaskSuspend(TaskHandle_t xTaskToSuspend);
void vTaskResume(TaskHandle_t xTaskToResume);
BaseType_t xTaskResumeFromISR(TaskHandle_t xTaskToResume);

void vTaskCoreAffinitySet(const TaskHandle_t xTask, UBaseType_t uxCoreAffinityMask);
UBaseType_t vTaskCoreAffinityGet(ConstTaskHandle_t xTask);

// ---- scheduler ----
void vTaskStartScheduler(void);
void vTaskEndScheduler(void);
void vTaskSuspendAll(void);
BaseType_t xTaskResumeAll(void);
BaseType_t xTaskGetSchedulerState(void);
void vTaskStepTick(TickType_t xTicksToJump);
BaseType_t xTaskCatchUpTicks(TickType_t xTicksToCatchUp);

// ---- information ----
TickType_t xTaskGetTickCount(void);
TickType_t xTaskGetTickCountFromISR(void);
UBaseType_t uxTaskGetNumberOfTasks(void);
char *pcTaskGetName(TaskHandle_t xTaskToQuery);
TaskHandle_t xTaskGetHandle(const char *pcNameToQuery);
TaskHandle_t xTaskGetCurrentTaskHandle(void);
TaskHandle_t xTaskGetCurrentTaskHandleForCore(BaseType_t xCoreID);
TaskHandle_t xTaskGetIdleTaskHandle(void);
TaskHandle_t xTaskGetIdleTaskHandleForCore(BaseType_t xCoreID);
UBaseType_t uxTaskGetStackHighWaterMark(TaskHandle_t xTask);
configSTACK_DEPTH_TYPE uxTaskGetStackHighWaterMark2(TaskHandle_t xTask);
UBaseType_t uxTaskGetSystemState(TaskStatus_t *const pxTaskStatusArray, const UBaseType_t uxArraySize,
    uint32_t *const pulTotalRunTime);
void vTaskGetInfo(TaskHandle_t xTask, TaskStatus_t *pxTaskStatus, BaseType_t xGetFreeStackSpace, eTaskState eState);
UBaseType_t uxTaskGetTaskNumber(TaskHandle_t xTask);
void vTaskSetTaskNumber(TaskHandle_t xTask, const UBaseType_t uxHandle);
BaseType_t xTaskGetCoreID(TaskHandle_t xTask); // core the task runs on, or -1 (our extension)

void vTaskSetThreadLocalStoragePointer(TaskHandle_t xTaskToSet, BaseType_t xIndex, void *pvValue);
void *pvTaskGetThreadLocalStoragePointer(TaskHandle_t xTaskToQuery, BaseType_t xIndex);

void vTaskSetTimeOutState(TimeOut_t *const pxTimeOut);
void vTaskInternalSetTimeOutState(TimeOut_t *const pxTimeOut);
BaseType_t xTaskCheckForTimeOut(TimeOut_t *const pxTimeOut, TickType_t *const pxTicksToWait);

// ---- task notifications ----
BaseType_t xTaskGenericNotify(TaskHandle_t xTaskToNotify, UBaseType_t uxIndexToNotify, uint32_t ulValue,
    eNotifyAction eAction, uint32_t *pulPreviousNotificationValue);
BaseType_t xTaskGenericNotifyFromISR(TaskHandle_t xTaskToNotify, UBaseType_t uxIndexToNotify, uint32_t ulValue,
    eNotifyAction eAction, uint32_t *pulPreviousNotificationValue, BaseType_t *pxHigherPriorityTaskWoken);
void vTaskGenericNotifyGiveFromISR(TaskHandle_t xTaskToNotify, UBaseType_t uxIndexToNotify,
    BaseType_t *pxHigherPriorityTaskWoken);
BaseType_t xTaskGenericNotifyWait(UBaseType_t uxIndexToWaitOn, uint32_t ulBitsToClearOnEntry, uint32_t ulBitsToClearOnExit,
    uint32_t *pulNotificationValue, TickType_t xTicksToWait);
uint32_t ulTaskGenericNotifyTake(UBaseType_t uxIndexToWaitOn, BaseType_t xClearCountOnExit, TickType_t xTicksToWait);
BaseType_t xTaskGenericNotifyStateClear(TaskHandle_t xTask, UBaseType_t uxIndexToClear);
uint32_t ulTaskGenericNotifyValueClear(TaskHandle_t xTask, UBaseType_t uxIndexToClear, uint32_t ulBitsToClear);

#define xTaskNotify(t, v, a) xTaskGenericNotify((t), tskDEFAULT_INDEX_TO_NOTIFY, (v), (a), NULL)
#define xTaskNotifyIndexed(t, i, v, a) xTaskGenericNotify((t), (i), (v), (a), NULL)
#define xTaskNotifyAndQuery(t, v, a, prev) xTaskGenericNotify((t), tskDEFAULT_INDEX_TO_NOTIFY, (v), (a), (prev))
#define xTaskNotifyAndQueryIndexed(t, i, v, a, prev) xTaskGenericNotify((t), (i), (v), (a), (prev))
#define xTaskNotifyFromISR(t, v, a, w) xTaskGenericNotifyFromISR((t), tskDEFAULT_INDEX_TO_NOTIFY, (v), (a), NULL, (w))
#define xTaskNotifyIndexedFromISR(t, i, v, a, w) xTaskGenericNotifyFromISR((t), (i), (v), (a), NULL, (w))
#define xTaskNotifyAndQueryFromISR(t, v, a, prev, w) \
    xTaskGenericNotifyFromISR((t), tskDEFAULT_INDEX_TO_NOTIFY, (v), (a), (prev), (w))
#define xTaskNotifyAndQueryIndexedFromISR(t, i, v, a, prev, w) xTaskGenericNotifyFromISR((t), (i), (v), (a), (prev), (w))
#define xTaskNotifyGive(t) xTaskGenericNotify((t), tskDEFAULT_INDEX_TO_NOTIFY, 0, eIncrement, NULL)
#define xTaskNotifyGiveIndexed(t, i) xTaskGenericNotify((t), (i), 0, eIncrement, NULL)
#define vTaskNotifyGiveFromISR(t, w) vTaskGenericNotifyGiveFromISR((t), tskDEFAULT_INDEX_TO_NOTIFY, (w))
#define vTaskNotifyGiveIndexedFromISR(t, i, w) vTaskGenericNotifyGiveFromISR((t), (i), (w))
#define xTaskNotifyWait(en, ex, v, ticks) xTaskGenericNotifyWait(tskDEFAULT_INDEX_TO_NOTIFY, (en), (ex), (v), (ticks))
#define xTaskNotifyWaitIndexed(i, en, ex, v, ticks) xTaskGenericNotifyWait((i), (en), (ex), (v), (ticks))
#define ulTaskNotifyTake(clear, ticks) ulTaskGenericNotifyTake(tskDEFAULT_INDEX_TO_NOTIFY, (clear), (ticks))
#define ulTaskNotifyTakeIndexed(i, clear, ticks) ulTaskGenericNotifyTake((i), (clear), (ticks))
#define xTaskNotifyStateClear(t) xTaskGenericNotifyStateClear((t), tskDEFAULT_INDEX_TO_NOTIFY)
#define xTaskNotifyStateClearIndexed(t, i) xTaskGenericNotifyStateClear((t), (i))
#define ulTaskNotifyValueClear(t, bits) ulTaskGenericNotifyValueClear((t), tskDEFAULT_INDEX_TO_NOTIFY, (bits))
#define ulTaskNotifyValueClearIndexed(t, i, bits) ulTaskGenericNotifyValueClear((t), (i), (bits))

// ---- application hooks (defined by the application when enabled in FreeRTOSConfig.h) ----
void vApplicationIdleHook(void);
void vApplicationTickHook(void);
void vApplicationMallocFailedHook(void);
void vApplicationStackOverflowHook(TaskHandle_t xTask, char *pcTaskName);

#ifdef __cplusplus
}
#endif

#endif
