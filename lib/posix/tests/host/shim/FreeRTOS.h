// Host shim of the FreeRTOS API calls lib/posix uses, on pthreads (tests only): each host thread is a
// "task"; the scheduler lock is one global mutex; task notifications are a counter per index with a
// condition variable; ticks are milliseconds of CLOCK_MONOTONIC.
#ifndef POSIX_SHIM_FREERTOS_H
#define POSIX_SHIM_FREERTOS_H

#include <stdint.h>
#include <assert.h>

typedef uint32_t TickType_t;
typedef long BaseType_t;
typedef unsigned long UBaseType_t;

#define pdFALSE ((BaseType_t)0)
#define pdTRUE ((BaseType_t)1)
#define portMAX_DELAY ((TickType_t)0xffffffffu)
#define configTICK_RATE_HZ (1000)
#define configTASK_NOTIFICATION_ARRAY_ENTRIES (3)
#define pdMS_TO_TICKS(ms) ((TickType_t)(ms))
#define configASSERT(x) assert(x)

#endif
