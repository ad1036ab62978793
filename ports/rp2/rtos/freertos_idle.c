// MicroPythonRT rp2 port, rtos.kernel=freertos: the idle tasks wait for an interrupt (WFI) instead of spinning,
// as lib/rtos's idle task does. With configNUMBER_OF_CORES 2 the FreeRTOS-Kernel has one idle task per core:
// the first runs the idle hook, the other the passive idle hook. A core waiting here wakes for its interrupts:
// the tick (core 0), USB, timers, and the other core's FIFO message asking it to reschedule.

#include "FreeRTOS.h"
#include "task.h"
#include "hardware/sync.h"

void vApplicationIdleHook(void) {
    __wfi();
}

void vApplicationPassiveIdleHook(void) {
    __wfi();
}
