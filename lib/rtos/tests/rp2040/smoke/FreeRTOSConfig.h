// Configuration of the bare-metal RP2040 smoke program (runs in rp2040js, one core).
#ifndef FREERTOS_CONFIG_H
#define FREERTOS_CONFIG_H

#define configNUMBER_OF_CORES 2
#define configCPU_CLOCK_HZ 125000000UL
#define configTICK_RATE_HZ 1000
#define configMAX_PRIORITIES 8
#define configMINIMAL_STACK_SIZE 256
#define configTASK_NOTIFICATION_ARRAY_ENTRIES 2
#define configNUM_THREAD_LOCAL_STORAGE_POINTERS 1
#define configCHECK_FOR_STACK_OVERFLOW 2
#define configUSE_IDLE_HOOK 1
#define configUSE_PICOLIBC_TLS 1
#define configTIMER_TASK_PRIORITY 6
#define configTIMER_TASK_STACK_DEPTH 384

void smoke_assert_failed(int line);
#define configASSERT(x) do { if (!(x)) { smoke_assert_failed(__LINE__); } } while (0)

#endif
