// Binary and counting semaphores, mutexes, recursive mutexes (FreeRTOS semphr.h API).
#ifndef SEMAPHORE_H
#define SEMAPHORE_H

#ifndef INC_FREERTOS_H
#error "include FreeRTOS.h before semphr.h"
#endif

#include "queue.h"

typedef QueueHandle_t SemaphoreHandle_t;

#define semBINARY_SEMAPHORE_QUEUE_LENGTH ((uint8_t)1U)
#define semSEMAPHORE_QUEUE_ITEM_LENGTH ((uint8_t)0U)
#define semGIVE_BLOCK_TIME ((TickType_t)0U)

#define xSemaphoreCreateBinary() \
    xQueueGenericCreate(semBINARY_SEMAPHORE_QUEUE_LENGTH, semSEMAPHORE_QUEUE_ITEM_LENGTH, queueQUEUE_TYPE_BINARY_SEMAPHORE)
#define xSemaphoreCreateBinaryStatic(buf) \
    xQueueGenericCreateStatic(semBINARY_SEMAPHORE_QUEUE_LENGTH, semSEMAPHORE_QUEUE_ITEM_LENGTH, NULL, (buf), \
    queueQUEUE_TYPE_BINARY_SEMAPHORE)
#define xSemaphoreCreateCounting(max, init) xQueueCreateCountingSemaphore((max), (init))
#define xSemaphoreCreateCountingStatic(max, init, buf) xQueueCreateCountingSemaphoreStatic((max), (init), (buf))
#define xSemaphoreCreateMutex() xQueueCreateMutex(queueQUEUE_TYPE_MUTEX)
#define xSemaphoreCreateMutexStatic(buf) xQueueCreateMutexStatic(queueQUEUE_TYPE_MUTEX, (buf))
#define xSemaphoreCreateRecursiveMutex() xQueueCreateMutex(queueQUEUE_TYPE_RECURSIVE_MUTEX)
#define xSemaphoreCreateRecursiveMutexStatic(buf) xQueueCreateMutexStatic(queueQUEUE_TYPE_RECURSIVE_MUTEX, (buf))
#define vSemaphoreDelete(s) vQueueDelete((QueueHandle_t)(s))

#define xSemaphoreTake(s, ticks) xQueueSemaphoreTake((s), (ticks))
#define xSemaphoreGive(s) xQueueGenericSend((QueueHandle_t)(s), NULL, semGIVE_BLOCK_TIME, queueSEND_TO_BACK)
#define xSemaphoreTakeRecursive(m, ticks) xQueueTakeMutexRecursive((m), (ticks))
#define xSemaphoreGiveRecursive(m) xQueueGiveMutexRecursive((m))
#define xSemaphoreGiveFromISR(s, w) xQueueGiveFromISR((QueueHandle_t)(s), (w))
#define xSemaphoreTakeFromISR(s, w) xQueueReceiveFromISR((QueueHandle_t)(s), NULL, (w))
#define xSemaphoreGetMutexHolder(s) xQueueGetMutexHolder((s))
#define xSemaphoreGetMutexHolderFromISR(s) xQueueGetMutexHolderFromISR((s))
#define uxSemaphoreGetCount(s) uxQueueMessagesWaiting((QueueHandle_t)(s))
#define uxSemaphoreGetCountFromISR(s) uxQueueMessagesWaitingFromISR((QueueHandle_t)(s))

#endif
