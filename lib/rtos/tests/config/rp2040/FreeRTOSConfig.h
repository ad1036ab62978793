// Example RP2040 configuration used to compile-check the kernel for the target. The firmware's own
// FreeRTOSConfig.h comes from the build's template.
#ifndef FREERTOS_CONFIG_H
#define FREERTOS_CONFIG_H

#define configNUMBER_OF_CORES 2
#define configCPU_CLOCK_HZ 125000000UL
#define configTICK_RATE_HZ 1000
#define configMAX_PRIORITIES 8
#define configMINIMAL_STACK_SIZE 256
#define configMAX_TASK_NAME_LEN 16
#define configUSE_PREEMPTION 1
#define configUSE_TIME_SLICING 1
#define configTASK_NOTIFICATION_ARRAY_ENTRIES 3
#define configNUM_THREAD_LOCAL_STORAGE_POINTERS 4
#define configCHECK_FOR_STACK_OVERFLOW 2
#define configUSE_PICOLIBC_TLS 1
#define configTIMER_TASK_PRIORITY (configMAX_PRIORITIES - 1)
#define configTIMER_TASK_STACK_DEPTH 512

void rtos_assert_failed(const char *file, int line);
#define configASSERT(x) do { if (!(x)) { rtos_assert_failed(__FILE__, __LINE__); } } while (0)

#endif
