// MicroPythonRT rp2 port: flash erase/program while the scheduler runs, on any kernel. The firmware links with
// -Wl,--wrap=flash_range_erase,--wrap=flash_range_program, so every caller of pico-sdk's flash functions
// (littlefs, the module installer) comes here, and each operation runs from RAM through pico-sdk's
// flash_safe_execute. The kernel provides what makes that safe, through pico_flash's get_flash_safety_helper
// hook: pico-sdk's own FreeRTOS SMP helper on the FreeRTOS-Kernel (PICO_FLASH_SAFE_EXECUTE_SUPPORT_FREERTOS_SMP),
// lib/rtos/port/rp2040/pico-sdk/rtos_flash_pico.c on our kernel. Both run the operation with this core's
// interrupts off and the other core kept out of flash.

#include <stddef.h>
#include <stdint.h>
#include "pico/flash.h"
#include "pico/platform.h"
#include "FreeRTOS.h"
#include "task.h"

void __real_flash_range_erase(uint32_t flash_offs, size_t count);
void __real_flash_range_program(uint32_t flash_offs, const uint8_t *data, size_t count);

typedef struct {
    uint32_t offset;
    const uint8_t *data;
    size_t count;
} flash_op_t;

static void __no_inline_not_in_flash_func(flash_erase_safe)(void *arg) {
    flash_op_t *op = arg;
    __real_flash_range_erase(op->offset, op->count);
}

static void __no_inline_not_in_flash_func(flash_program_safe)(void *arg) {
    flash_op_t *op = arg;
    __real_flash_range_program(op->offset, op->data, op->count);
}

static void flash_run_safe(void (*fn)(void *), flash_op_t *op) {
    int ret = flash_safe_execute(fn, op, UINT32_MAX);
    // pico-sdk's FreeRTOS SMP helper creates a task on the other core for every operation, freed later by
    // an idle task: back-to-back operations (a putenv programs page after page) can find the C heap full
    // of tasks not freed yet. Let the idle tasks run, then try again.
    for (int tries = 0; ret == PICO_ERROR_INSUFFICIENT_RESOURCES && tries < 100
         && xTaskGetSchedulerState() == taskSCHEDULER_RUNNING; tries++) {
        vTaskDelay(1);
        ret = flash_safe_execute(fn, op, UINT32_MAX);
    }
    if (ret != PICO_OK) {
        panic("flash_safe_execute failed: %d", ret);
    }
}

void __wrap_flash_range_erase(uint32_t flash_offs, size_t count) {
    flash_op_t op = { flash_offs, NULL, count };
    flash_run_safe(flash_erase_safe, &op);
}

void __wrap_flash_range_program(uint32_t flash_offs, const uint8_t *data, size_t count) {
    flash_op_t op = { flash_offs, data, count };
    flash_run_safe(flash_program_safe, &op);
}
