// MicroPythonRT rp2 port: the hardware abstraction MicroPython and the rp2 drivers call.
//
// Console I/O is not implemented here: it goes through the small interface in mp_console.h.

#ifndef MPRT_RP2_MPHALPORT_H
#define MPRT_RP2_MPHALPORT_H

#include "py/mpconfig.h"
#include "py/ringbuf.h"
#include "pico/time.h"
#include "hardware/clocks.h"
#include "hardware/gpio.h"
#include "hardware/structs/systick.h"
#include "pendsv.h"

#define SYSTICK_MAX (0xffffff)

// Critical sections: with threads on core 1 they must also exclude the other core.
#if MICROPY_PY_THREAD
uint32_t mp_thread_begin_atomic_section(void);
void mp_thread_end_atomic_section(uint32_t state);
#define MICROPY_BEGIN_ATOMIC_SECTION()     mp_thread_begin_atomic_section()
#define MICROPY_END_ATOMIC_SECTION(state)  mp_thread_end_atomic_section(state)
#else
#define MICROPY_BEGIN_ATOMIC_SECTION()     save_and_disable_interrupts()
#define MICROPY_END_ATOMIC_SECTION(state)  restore_interrupts(state)
#endif

#define MICROPY_PY_PENDSV_ENTER   pendsv_suspend()
#define MICROPY_PY_PENDSV_EXIT    pendsv_resume()

#define MICROPY_PY_LWIP_ENTER   lwip_lock_acquire();
#define MICROPY_PY_LWIP_REENTER lwip_lock_acquire();
#define MICROPY_PY_LWIP_EXIT    lwip_lock_release();

#if MPRT_RTOS
// rtos.kernel=builtin: waiting blocks the calling thread on the kernel (GIL released) until it is
// woken (console input, Ctrl-C, scheduled callbacks) or the timeout passes; the idle task WFIs.
void mprt_rtos_event_wait(int32_t timeout_ms);
void mprt_rtos_wake_main_from_isr(void);
#define MICROPY_INTERNAL_WFE(TIMEOUT_MS) mprt_rtos_event_wait(TIMEOUT_MS)
#else
// Sleep until an event or interrupt; with a timeout, a soft timer makes sure one arrives.
void mp_hal_wfe_or_timeout(uint32_t timeout_ms);
#define MICROPY_INTERNAL_WFE(TIMEOUT_MS) \
    do { \
        if ((TIMEOUT_MS) < 0) { \
            __wfe(); \
        } else { \
            mp_hal_wfe_or_timeout(TIMEOUT_MS); \
        } \
    } while (0)
#endif

extern int mp_interrupt_char;
// Bytes received by the console, consumed by mp_hal_stdin_rx_chr (filled by the console drivers
// and by shared/tinyusb's CDC code).
extern ringbuf_t stdin_ringbuf;

void mp_hal_set_interrupt_char(int c);
void mp_hal_time_ns_set_from_rtc(void);

static inline void mp_hal_wake_main_task_from_isr(void) {
    #if MPRT_RTOS
    mprt_rtos_wake_main_from_isr();
    #endif
}

static inline void mp_hal_delay_us_fast(mp_uint_t us) {
    busy_wait_us(us);
}

#define mp_hal_quiet_timing_enter() MICROPY_BEGIN_ATOMIC_SECTION()
#define mp_hal_quiet_timing_exit(irq_state) MICROPY_END_ATOMIC_SECTION(irq_state)

static inline mp_uint_t mp_hal_ticks_us(void) {
    return time_us_32();
}

static inline mp_uint_t mp_hal_ticks_ms(void) {
    return to_ms_since_boot(get_absolute_time());
}

static inline mp_uint_t mp_hal_ticks_cpu(void) {
    return time_us_32();
}

static inline mp_uint_t mp_hal_get_cpu_freq(void) {
    return clock_get_hz(clk_sys);
}

// ---- pins: a pin is its GPIO number ----

#include "py/obj.h"

#define MP_HAL_PIN_FMT "%u"
#define mp_hal_pin_obj_t uint
#define MP_HAL_PIN_MODE_INPUT           (GPIO_IN)
#define MP_HAL_PIN_MODE_OUTPUT          (GPIO_OUT)
#define MP_HAL_PIN_PULL_NONE            (0)
#define MP_HAL_PIN_PULL_UP              (1)
#define MP_HAL_PIN_PULL_DOWN            (2)

// Pins currently emulating open-drain (maintained by machine_pin.c).
extern uint64_t machine_pin_open_drain_mask;

mp_hal_pin_obj_t mp_hal_get_pin_obj(mp_obj_t pin_in);

static inline unsigned int mp_hal_pin_name(mp_hal_pin_obj_t pin) {
    return pin;
}

static inline void mp_hal_pin_set_sio(mp_hal_pin_obj_t pin, uint dir, bool open_drain) {
    gpio_set_dir(pin, dir);
    if (open_drain) {
        machine_pin_open_drain_mask |= UINT64_C(1) << pin;
    } else {
        machine_pin_open_drain_mask &= ~(UINT64_C(1) << pin);
    }
    gpio_set_function(pin, GPIO_FUNC_SIO);
}

static inline void mp_hal_pin_input(mp_hal_pin_obj_t pin) {
    mp_hal_pin_set_sio(pin, GPIO_IN, false);
}

static inline void mp_hal_pin_output(mp_hal_pin_obj_t pin) {
    mp_hal_pin_set_sio(pin, GPIO_OUT, false);
}

// Open drain: drive low by enabling the output (value 0), release by making it an input.
static inline void mp_hal_pin_open_drain_with_value(mp_hal_pin_obj_t pin, int v) {
    gpio_put(pin, 0);
    mp_hal_pin_set_sio(pin, v ? GPIO_IN : GPIO_OUT, true);
}

static inline void mp_hal_pin_open_drain(mp_hal_pin_obj_t pin) {
    mp_hal_pin_open_drain_with_value(pin, 1);
}

static inline void mp_hal_pin_config(mp_hal_pin_obj_t pin, uint32_t mode, uint32_t pull, uint32_t alt) {
    (void)alt;
    gpio_set_dir(pin, mode);
    gpio_set_pulls(pin, pull == MP_HAL_PIN_PULL_UP, pull == MP_HAL_PIN_PULL_DOWN);
}

static inline int mp_hal_pin_read(mp_hal_pin_obj_t pin) {
    return gpio_get(pin);
}

static inline void mp_hal_pin_write(mp_hal_pin_obj_t pin, int v) {
    gpio_put(pin, v);
}

static inline void mp_hal_pin_od_low(mp_hal_pin_obj_t pin) {
    gpio_set_dir(pin, GPIO_OUT);
}

static inline void mp_hal_pin_od_high(mp_hal_pin_obj_t pin) {
    gpio_set_dir(pin, GPIO_IN);
}

static inline void mp_hal_pin_low(mp_hal_pin_obj_t pin) {
    gpio_clr_mask64(UINT64_C(1) << pin);
}

static inline void mp_hal_pin_high(mp_hal_pin_obj_t pin) {
    gpio_set_mask64(UINT64_C(1) << pin);
}

enum mp_hal_pin_interrupt_trigger {
    MP_HAL_PIN_TRIGGER_NONE,
    MP_HAL_PIN_TRIGGER_LOW = GPIO_IRQ_LEVEL_LOW,
    MP_HAL_PIN_TRIGGER_HIGH = GPIO_IRQ_LEVEL_HIGH,
    MP_HAL_PIN_TRIGGER_FALL = GPIO_IRQ_EDGE_FALL,
    MP_HAL_PIN_TRIGGER_RISE = GPIO_IRQ_EDGE_RISE,
};

void mp_hal_pin_interrupt(mp_hal_pin_obj_t pin, mp_obj_t handler, mp_uint_t trigger, bool hard);

mp_obj_base_t *mp_hal_get_spi_obj(mp_obj_t spi_in);

// ---- MAC addresses (derived from the flash unique id) ----
enum {
    MP_HAL_MAC_WLAN0 = 0,
    MP_HAL_MAC_BDADDR,
    MP_HAL_MAC_ETH0,
};

void mp_hal_get_mac(int idx, uint8_t buf[6]);
void mp_hal_get_mac_ascii(int idx, size_t chr_off, size_t chr_len, char *dest);
void mp_hal_generate_laa_mac(int idx, uint8_t buf[6]);
int mp_hal_is_pin_reserved(int n);

#endif // MPRT_RP2_MPHALPORT_H
