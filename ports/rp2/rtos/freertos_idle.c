// MicroPythonRT rp2 port, rtos.kernel=freertos: the idle tasks wait for an interrupt (WFI) instead of spinning,
// as lib/rtos's idle task does. With configNUMBER_OF_CORES 2 the FreeRTOS-Kernel has one idle task per core:
// the first runs the idle hook, the other the passive idle hook. A core waiting here wakes for its interrupts:
// the tick (core 0), USB, timers, and the other core's FIFO message asking it to reschedule.
//
// The FreeRTOS-Kernel's idle tasks may run on either core; as on lib/rtos, each is pinned to its own core
// (IDLE0 to core 0, IDLE1 to core 1), done once by the first idle hook call.

#include <stdbool.h>
#include "FreeRTOS.h"
#include "task.h"
#include "hardware/sync.h"

static volatile bool idle_pinned;

void vApplicationIdleHook(void) {
    if (!idle_pinned) {
        idle_pinned = true;
        for (BaseType_t core = 0; core < configNUMBER_OF_CORES; core++) {
            vTaskCoreAffinitySet(xTaskGetIdleTaskHandleForCore(core), 1u << core);
        }
    }
    __wfi();
}

void vApplicationPassiveIdleHook(void) {
    __wfi();
}
