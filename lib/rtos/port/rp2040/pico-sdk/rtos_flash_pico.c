// RP2040 port of the kernel, with pico-sdk: the flash safety helper that pico-sdk's flash_safe_execute uses
// (pico_flash's weak get_flash_safety_helper hook, overridden here). Entering the safe zone takes this core's
// interrupts off and parks the other core in RAM with its interrupts off (rtos_rp2040_exclusive_enter), so
// flash can be erased or programmed while the scheduler runs on both cores; leaving it releases both.
// Kept out of port/rp2040/*.c, which builds without pico-sdk (tests/rp2040/smoke).

#include <stdbool.h>
#include <stdint.h>
#include "pico/flash.h"
#include "rtos_rp2040.h"

// in RAM: the helper runs around flash operations
#define RAM_FUNC __attribute__((noinline, section(".time_critical.rtos_flash")))

static bool rtos_flash_core_init_deinit(bool init) {
    (void)init;
    return true; // the other core is parked through its FIFO interrupt, which the port sets up itself
}

static RAM_FUNC int rtos_flash_enter(uint32_t timeout_ms) {
    (void)timeout_ms; // the other core answers a park request from its highest-priority interrupt
    rtos_rp2040_exclusive_enter();
    return PICO_OK;
}

static RAM_FUNC int rtos_flash_exit(uint32_t timeout_ms) {
    (void)timeout_ms;
    rtos_rp2040_exclusive_exit();
    return PICO_OK;
}

static flash_safety_helper_t rtos_flash_safety_helper = {
    .core_init_deinit = rtos_flash_core_init_deinit,
    .enter_safe_zone_timeout_ms = rtos_flash_enter,
    .exit_safe_zone_timeout_ms = rtos_flash_exit,
};

flash_safety_helper_t *get_flash_safety_helper(void) {
    return &rtos_flash_safety_helper;
}
