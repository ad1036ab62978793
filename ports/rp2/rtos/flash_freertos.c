// MicroPythonRT rp2 port, rtos.kernel=freertos: flash erase/program while the scheduler runs, on the real
// FreeRTOS-Kernel. The firmware links with -Wl,--wrap=flash_range_erase,--wrap=flash_range_program (as
// with our kernel, whose port provides the same wraps in lib/rtos/port/rp2040/rtos_flash_rp2040.c); here
// pico-sdk's flash_safe_execute parks the other core with its FreeRTOS SMP helper
// (PICO_FLASH_SAFE_EXECUTE_SUPPORT_FREERTOS_SMP) and runs the operation with interrupts off.

#include <stddef.h>
#include <stdint.h>
#include "pico/flash.h"
#include "pico/platform.h"

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
