// MicroPythonRT rp2 port: the C library's clocks (mprt_clock.c, docs/time.md).
#ifndef MPRT_CLOCK_H
#define MPRT_CLOCK_H

#include <stdint.h>
#include <time.h>
#include "pico/time.h"

// Picolibc defines it only with _POSIX_MONOTONIC_CLOCK: its value there
#ifndef CLOCK_MONOTONIC
#define CLOCK_MONOTONIC ((clockid_t)4)
#endif

int clock_gettime(clockid_t id, struct timespec *ts);
int clock_settime(clockid_t id, const struct timespec *ts);
int clock_getres(clockid_t id, struct timespec *ts);

#endif // MPRT_CLOCK_H
