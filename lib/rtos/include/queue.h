// Queues (FreeRTOS queue.h API). Semaphores and mutexes are queues too (semphr.h).
#ifndef QUEUE_H
#define QUEUE_H

#ifndef INC_FREERTOS_H
#error "include FreeRTOS.h before queue.h"
#endif

#include "task.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct QueueDefinition *QueueHandle_t;
typedef struct QueueDefinition *QueueSetHandle_t;
typedef struct QueueDefinition *QueueSetMemberHandle_t;

#define queueSEND_TO_BACK ((BaseType_t)0)
#define queueSEND_TO_FRONT ((BaseType_t)1)
#define queueOVERWRITE ((BaseType_t)2)

#define queueQUEUE_TYPE_BASE ((uint8_t)0U)
#define queueQUEUE_TYPE_SET ((uint8_t)0U)
#define queueQUEUE_TYPE_MUTEX ((uint8_t)1U)
#define queueQUEUE_TYPE_COUNTING_SEMAPHORE ((uint8_t)2U)
#define queueQUEUE_TYPE_BINARY_SEMAPHORE ((uint8_t)3U)
#define queueQUEUE_TYPE_RECURSIVE_MUTEX ((uint8_t)4U)

QueueHandle_t xQueueGenericCreate(const UBaseType_t uxQueueLength, const UBaseType_t uxItemSize, const uint8_t ucQueueType);
QueueHandle_t xQueueGenericCreateStatic(const UBaseType_t uxQueueLength, const UBaseType_t uxItemSize,
    uint8_t *pucQueueStorage, StaticQueue_t *pxStaticQueue, const uint8_t ucQueueType);
#define xQueueCreate(len, size) xQueueGenericCreate((len), (size), queueQUEUE_TYPE_BASE)
#define xQueueCreateStatic(len, size, storage, buf) \
    xQueueGenericCreateStatic((len), (size), (storage), (buf), queueQUEUE_TYPE_BASE)
void vQueueDelete(QueueHandle_t xQueue);

BaseType_t xQueueGenericSend(QueueHandle_t xQueue, const void *const pvItemToQueue, TickType_t xTicksToWait,
    const BaseType_t xCopyPosition);
BaseType_t xQueueGenericSendFromISR(QueueHandle_t xQueue, const void *const pvItemToQueue,
    BaseType_t *const pxHigherPriorityTaskWoken, const BaseType_t xCopyPosition);
#define xQueueSend(q, item, ticks) xQueueGenericSend((q), (item), (ticks), queueSEND_TO_BACK)
#define xQueueSendToBack(q, item, ticks) xQueueGenericSend((q), (item), (ticks), queueSEND_TO_BACK)
#define xQueueSendToFront(q, item, ticks) xQueueGenericSend((q), (item), (ticks), queueSEND_TO_FRONT)
#define xQueueOverwrite(q, item) xQueueGenericSend((q), (item), 0, queueOVERWRITE)
#define xQueueSendFromISR(q, item, w) xQueueGenericSendFromISR((q), (item), (w), queueSEND_TO_BACK)
#define xQueueSendToBackFromISR(q, item, w) xQueueGenericSendFromISR((q), (item), (w), queueSEND_TO_BACK)
#define xQueueSendToFrontFromISR(q, item, w) xQueueGenericSendFromISR((q), (item), (w), queueSEND_TO_FRONT)
#define xQueueOverwriteFromISR(q, item, w) xQueueGenericSendFromISR((q), (item), (w), queueOVERWRITE)

BaseType_t xQueueReceive(QueueHandle_t xQueue, void *const pvBuffer, TickType_t xTicksToWait);
BaseType_t xQueuePeek(QueueHandle_t xQueue, void *const pvBuffer, TickType_t xTicksToWait);
BaseType_t xQueueReceiveFromISR(QueueHandle_t xQueue, void *const pvBuffer, BaseType_t *const pxHigherPriorityTaskWoken);
BaseType_t xQueuePeekFromISR(QueueHandle_t xQueue, void *const pvBuffer);

UBaseType_t uxQueueMessagesWaiting(const QueueHandle_t xQueue);
UBaseType_t uxQueueMessagesWaitingFromISR(const QueueHandle_t xQueue);
UBaseType_t uxQueueSpacesAvailable(const QueueHandle_t xQueue);
BaseType_t xQueueIsQueueEmptyFromISR(const QueueHandle_t xQueue);
BaseType_t xQueueIsQueueFullFromISR(const QueueHandle_t xQueue);
UBaseType_t uxQueueGetQueueLength(QueueHandle_t xQueue);
UBaseType_t uxQueueGetQueueItemSize(QueueHandle_t xQueue);
BaseType_t xQueueGenericReset(QueueHandle_t xQueue, BaseType_t xNewQueue);
#define xQueueReset(q) xQueueGenericReset((q), pdFALSE)

void vQueueAddToRegistry(QueueHandle_t xQueue, const char *pcQueueName);
void vQueueUnregisterQueue(QueueHandle_t xQueue);
const char *pcQueueGetName(QueueHandle_t xQueue);

// Semaphore and mutex primitives used by the semphr.h macros.
QueueHandle_t xQueueCreateMutex(const uint8_t ucQueueType);
QueueHandle_t xQueueCreateMutexStatic(const uint8_t ucQueueType, StaticQueue_t *pxStaticQueue);
QueueHandle_t xQueueCreateCountingSemaphore(const UBaseType_t uxMaxCount, const UBaseType_t uxInitialCount);
QueueHandle_t xQueueCreateCountingSemaphoreStatic(const UBaseType_t uxMaxCount, const UBaseType_t uxInitialCount,
    StaticQueue_t *pxStaticQueue);
BaseType_t xQueueSemaphoreTake(QueueHandle_t xQueue, TickType_t xTicksToWait);
BaseType_t xQueueGiveFromISR(QueueHandle_t xQueue, BaseType_t *const pxHigherPriorityTaskWoken);
BaseType_t xQueueTakeMutexRecursive(QueueHandle_t xMutex, TickType_t xTicksToWait);
BaseType_t xQueueGiveMutexRecursive(QueueHandle_t xMutex);
TaskHandle_t xQueueGetMutexHolder(QueueHandle_t xSemaphore);
TaskHandle_t xQueueGetMutexHolderFromISR(QueueHandle_t xSemaphore);

#ifdef __cplusplus
}
#endif

#endif
