// MicroPythonRT rp2 port: random bits from the ring oscillator (seeds `random`, feeds os.urandom).

#include "py/mphal.h"
#include "hardware/structs/rosc.h"

// Shift in one ROSC random bit per step, folded through a CRC-8 style feedback to whiten it.
uint8_t rosc_random_u8(size_t cycles) {
    static uint8_t state;
    for (size_t i = 0; i < cycles; ++i) {
        uint8_t feedback = (state & 0x80) ? 0xd5 : 0;
        state = (uint8_t)(((state << 1) | (rosc_hw->randombit & 1)) ^ feedback);
        mp_hal_delay_us_fast(1);
    }
    return state;
}

uint32_t rosc_random_u32(void) {
    uint32_t value = 0;
    for (int i = 0; i < 4; ++i) {
        value = (value << 8) | rosc_random_u8(32);
    }
    return value;
}
