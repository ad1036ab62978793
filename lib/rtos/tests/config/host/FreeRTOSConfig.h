// Kernel configuration for the host unit tests (the firmware's comes from the build's template).
#ifndef FREERTOS_CONFIG_H
#define FREERTOS_CONFIG_H

#include <stdint.h>

extern uint32_t rtos_test_initial_tick;
void rtos_test_assert_failed(const char *file, int line, const char *expr);
void rtos_test_idle_hook_count(void);

#define configTICK_RATE_HZ 1000
#define configMAX_PRIORITIES 8
#define configMINIMAL_STACK_SIZE 16384
#define configMAX_TASK_NAME_LEN 16
#define configUSE_PREEMPTION 1
#define configUSE_TIME_SLICING 1
#define configTASK_NOTIFICATION_ARRAY_ENTRIES 3
#define configNUM_THREAD_LOCAL_STORAGE_POINTERS 2
#define configCHECK_FOR_STACK_OVERFLOW 2
#define configUSE_IDLE_HOOK 1
#define configUSE_TICK_HOOK 0
#define configTIMER_TASK_PRIORITY 7
#define configTIMER_QUEUE_LENGTH 8
#define configINITIAL_TICK_COUNT rtos_test_initial_tick
#define configASSERT(x) do { if (!(x)) { rtos_test_assert_failed(__FILE__, __LINE__, #x); } } while (0)

#endif
