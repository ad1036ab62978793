// RP2040 port of the kernel: flash erase/program while the scheduler runs. The firmware links with
// -Wl,--wrap=flash_range_erase,--wrap=flash_range_program, so every caller of pico-sdk's flash functions
// (littlefs, the module installer) gets this: the other core parked in RAM with its interrupts off, this
// core's interrupts off, and the flash operation itself run from RAM (rtos_rp2040_run_exclusive).

#include <stddef.h>
#include <stdint.h>
#include "FreeRTOS.h"
#include "rtos_rp2040.h"

// in RAM: flash is not readable while it is erased or programmed
#define RAM_FUNC __attribute__((noinline, section(".time_critical.rtos_flash")))

void __real_flash_range_erase(uint32_t flash_offs, size_t count);
void __real_flash_range_program(uint32_t flash_offs, const uint8_t *data, size_t count);

typedef struct {
    uint32_t offset;
    const uint8_t *data;
    size_t count;
} flash_op_t;

static RAM_FUNC void flash_erase_exclusive(void *arg) {
    flash_op_t *op = arg;
    __real_flash_range_erase(op->offset, op->count);
}

static RAM_FUNC void flash_program_exclusive(void *arg) {
    flash_op_t *op = arg;
    __real_flash_range_program(op->offset, op->data, op->count);
}

void __wrap_flash_range_erase(uint32_t flash_offs, size_t count) {
    flash_op_t op = { flash_offs, NULL, count };
    rtos_rp2040_run_exclusive(flash_erase_exclusive, &op);
}

void __wrap_flash_range_program(uint32_t flash_offs, const uint8_t *data, size_t count) {
    flash_op_t op = { flash_offs, data, count };
    rtos_rp2040_run_exclusive(flash_program_exclusive, &op);
}
