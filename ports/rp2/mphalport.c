// MicroPythonRT rp2 port: HAL functions (stdio over mp_console, time, delays, sleeping, MACs).

#include <string.h>
#include "py/runtime.h"
#include "py/stream.h"
#include "py/mphal.h"
#include "extmod/misc.h"
#include "shared/runtime/softtimer.h"
#include "hardware/timer.h"
#include "pico/unique_id.h"
#include "pico/aon_timer.h"
#include "mp_console.h"
#if MPRT_RTOS
#include "shared/readline/readline.h"
#include "posix/mp_posix.h"
#endif

#define STDIN_BUFFER_LEN (512)

static uint8_t stdin_buf[STDIN_BUFFER_LEN];
ringbuf_t stdin_ringbuf = { stdin_buf, sizeof(stdin_buf), 0, 0 };

// time_us_64() + this = microseconds since the Epoch (set from the RTC).
static uint64_t epoch_offset_us;

// ---- stdio ----

uintptr_t mp_hal_stdio_poll(uintptr_t poll_flags) {
    uintptr_t ret = mp_console_poll(poll_flags);
    #if MICROPY_PY_OS_DUPTERM
    ret |= mp_os_dupterm_poll(poll_flags);
    #endif
    return ret;
}

int mp_hal_stdin_rx_chr(void) {
    for (;;) {
        mp_console_poll_rx();
        int c = ringbuf_get(&stdin_ringbuf);
        if (c != -1) {
            #if MPRT_RTOS
            // the console moved elsewhere (os.dup2, TTY): Ctrl-C typed on it brings it back
            if (c == CHAR_CTRL_C && mp_posix_stdin_moved()) {
                mp_posix_console_restore();
            }
            #endif
            return c;
        }
        #if MICROPY_PY_OS_DUPTERM
        int d = mp_os_dupterm_rx_chr();
        if (d >= 0) {
            return d;
        }
        #endif
        #if MPRT_RTOS
        if (mp_posix_stdin_moved()) {
            c = mp_posix_stdin_chr();
            if (c >= 0) {
                return c;
            }
            continue;
        }
        #endif
        mp_event_wait_indefinite();
    }
}

mp_uint_t mp_hal_stdout_tx_strn(const char *str, mp_uint_t len) {
    #if MPRT_RTOS
    if (mp_posix_stdout_write(str, len)) {
        return len;
    }
    #endif
    mp_uint_t written = mp_console_write(str, len);
    #if MICROPY_PY_OS_DUPTERM
    int d = mp_os_dupterm_tx_strn(str, len);
    if (d >= 0 && (mp_uint_t)d > written) {
        written = d;
    }
    #endif
    return written;
}

// ---- delays ----

void mp_hal_delay_ms(mp_uint_t ms) {
    mp_uint_t start = mp_hal_ticks_ms();
    mp_uint_t elapsed = 0;
    while (elapsed < ms) {
        mp_event_wait_ms(ms - elapsed);
        elapsed = mp_hal_ticks_ms() - start;
    }
}

void mp_hal_delay_us(mp_uint_t us) {
    uint64_t deadline = time_us_64() + us;
    if (us > 1000) {
        // Sleep the whole milliseconds (running pending events), busy-wait the rest.
        mp_hal_delay_ms(us / 1000);
    }
    while (time_us_64() < deadline) {
    }
}

// ---- wall-clock time ----

void mp_hal_time_ns_set_from_rtc(void) {
    // RTC writes take two RTC clock cycles to land (RP2040 datasheet 4.8.4).
    mp_hal_delay_us(44);
    struct timespec ts;
    aon_timer_get_time(&ts);
    uint64_t now_us = time_us_64();
    epoch_offset_us = (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u - now_us;
}

uint64_t mp_hal_time_ns(void) {
    return (epoch_offset_us + time_us_64()) * 1000u;
}

// ---- sleeping with a timeout: a soft timer whose only job is to raise an interrupt ----

uint32_t soft_timer_get_ms(void) {
    return mp_hal_ticks_ms();
}

void soft_timer_schedule_at_ms(uint32_t ticks_ms) {
    int32_t ms = soft_timer_ticks_diff(ticks_ms, mp_hal_ticks_ms());
    if (ms < 0) {
        ms = 0;
    }
    if (hardware_alarm_set_target(MICROPY_HW_SOFT_TIMER_ALARM_NUM, delayed_by_ms(get_absolute_time(), ms))) {
        // The target is already in the past.
        hardware_alarm_force_irq(MICROPY_HW_SOFT_TIMER_ALARM_NUM);
    }
}

static void soft_timer_alarm(unsigned int alarm_num) {
    (void)alarm_num;
    // Run the soft timers from PendSV: it may be suspended while the alarm fires.
    pendsv_schedule_dispatch(PENDSV_DISPATCH_SOFT_TIMER, soft_timer_handler);
    #if MICROPY_PY_THREAD
    // Python code on core 1 may be waiting in WFE.
    __sev();
    #endif
}

void soft_timer_init(void) {
    hardware_alarm_claim(MICROPY_HW_SOFT_TIMER_ALARM_NUM);
    hardware_alarm_set_callback(MICROPY_HW_SOFT_TIMER_ALARM_NUM, soft_timer_alarm);
}

void mp_hal_wfe_or_timeout(uint32_t timeout_ms) {
    soft_timer_entry_t wakeup;
    soft_timer_static_init(&wakeup, SOFT_TIMER_MODE_ONE_SHOT, 0, NULL);
    soft_timer_insert(&wakeup, timeout_ms);
    __wfe();
    soft_timer_remove(&wakeup);
}

// ---- MAC addresses: locally administered, derived from the flash unique id ----

void mp_hal_generate_laa_mac(int idx, uint8_t buf[6]) {
    pico_unique_board_id_t id;
    pico_get_unique_board_id(&id);
    buf[0] = 0x02;
    buf[1] = (id.id[7] << 4) | (id.id[6] & 0xf);
    buf[2] = (id.id[5] << 4) | (id.id[4] & 0xf);
    buf[3] = (id.id[3] << 4) | (id.id[2] & 0xf);
    buf[4] = id.id[1];
    buf[5] = (id.id[0] << 2) | idx;
}

MP_WEAK void mp_hal_get_mac(int idx, uint8_t buf[6]) {
    mp_hal_generate_laa_mac(idx, buf);
}

void mp_hal_get_mac_ascii(int idx, size_t chr_off, size_t chr_len, char *dest) {
    static const char hex[] = "0123456789ABCDEF";
    uint8_t mac[6];
    mp_hal_get_mac(idx, mac);
    for (size_t i = chr_off; i < chr_off + chr_len; ++i) {
        uint8_t byte = mac[i / 2];
        *dest++ = hex[(i & 1) ? (byte & 0xf) : (byte >> 4)];
    }
}

int mp_hal_is_pin_reserved(int n) {
    (void)n;
    return 0;
}

// No network stack is built in yet: the lwIP lock is a no-op.
void lwip_lock_acquire(void) {
}

void lwip_lock_release(void) {
}
