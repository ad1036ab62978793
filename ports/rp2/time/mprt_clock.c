// MicroPythonRT rp2 port: the C library's clocks on the port's wall clock (docs/time.md).
//
// Wall time (CLOCK_REALTIME) is mphalport.c's: the RTC (pico-sdk's aon_timer) read at power-up and
// whenever it is set, carried on by the microsecond timer (mp_hal_time_ns). It starts at 2021-01-01
// 00:00:00 UTC on power-up (as the stock firmware) and is set by clock_settime/settimeofday, Python's
// time.clock_settime or machine.RTC().datetime(). CLOCK_MONOTONIC is the microsecond timer since power-up.
// The RTC holds UTC: pico-sdk converts between its calendar and seconds with pico_localtime_r and
// pico_mktime (weak), given here as gmtime_r and timegm, so TZ never shifts the clock.
#include <errno.h>
#include <sys/time.h>
#include "py/mphal.h"
#include "pico/aon_timer.h"
#include "mprt_clock.h"

struct tm *pico_localtime_r(const time_t *time, struct tm *tm) {
    return gmtime_r(time, tm);
}

time_t pico_mktime(struct tm *tm) {
    return timegm(tm);
}

static int set_realtime(const struct timespec *ts) {
    if (ts->tv_nsec < 0 || ts->tv_nsec >= 1000000000 || ts->tv_sec < 0) {
        errno = EINVAL;
        return -1;
    }
    // the RTC counts whole seconds: the wall clock takes them from it
    if (!aon_timer_set_time(ts)) {
        errno = EINVAL;
        return -1;
    }
    mp_hal_time_ns_set_from_rtc();
    return 0;
}

int clock_gettime(clockid_t id, struct timespec *ts) {
    uint64_t ns;
    if (id == CLOCK_REALTIME) {
        ns = mp_hal_time_ns();
    } else if (id == CLOCK_MONOTONIC) {
        ns = time_us_64() * 1000;
    } else {
        errno = EINVAL;
        return -1;
    }
    ts->tv_sec = (time_t)(ns / 1000000000u);
    ts->tv_nsec = (long)(ns % 1000000000u);
    return 0;
}

int clock_settime(clockid_t id, const struct timespec *ts) {
    if (id != CLOCK_REALTIME) {
        errno = EINVAL;
        return -1;
    }
    return set_realtime(ts);
}

int clock_getres(clockid_t id, struct timespec *ts) {
    if (id != CLOCK_REALTIME && id != CLOCK_MONOTONIC) {
        errno = EINVAL;
        return -1;
    }
    ts->tv_sec = 0;
    ts->tv_nsec = 1000; // both count microseconds
    return 0;
}

int gettimeofday(struct timeval *tv, void *tz) {
    (void)tz;
    if (tv != NULL) {
        uint64_t us = mp_hal_time_ns() / 1000u;
        tv->tv_sec = (time_t)(us / 1000000u);
        tv->tv_usec = (suseconds_t)(us % 1000000u);
    }
    return 0;
}

int settimeofday(const struct timeval *tv, const struct timezone *tz) {
    (void)tz;
    if (tv == NULL) {
        return 0;
    }
    struct timespec ts = { .tv_sec = tv->tv_sec, .tv_nsec = tv->tv_usec * 1000 };
    return set_realtime(&ts);
}
