// machine.APin's C side (ports/rp2/pins/apin_file.c): the pin as a file of lib/posix.
#ifndef MPRT_APIN_FILE_H
#define MPRT_APIN_FILE_H

#include <stdbool.h>
#include <stdint.h>
#include "posix_file.h"
#include "apin.h"

// The task that wakes a pin's waiters after its interrupt queued edges: above the USB task, so an edge
// reaches a waiting task before anything else runs.
#ifndef MPRT_APIN_TASK_PRIORITY
#define MPRT_APIN_TASK_PRIORITY (configMAX_PRIORITIES - 1)
#endif
#ifndef MPRT_APIN_TASK_STACK_WORDS
#define MPRT_APIN_TASK_STACK_WORDS (160)
#endif

typedef struct _mprt_apin_t {
    posix_file_t file; // first: the file is the pin
    uint8_t gpio;
    bool rise, fall;   // the edges queued (set_edges)
    bool output;       // driven by the chip: no edges queued
    bool closing;
    bool any;          // an edge was queued since the pin became an input
    uint8_t last_level;
    uint8_t want;      // the edges that wake the waiters: bit 0 falls, bit 1 rises
    uint32_t debounce_us;
    uint64_t last_us;  // the last queued edge's time
    // the queue: head..tail are queued (free-running counters), seen..tail have not been looked at
    uint32_t head, tail, seen;
    uint32_t dropped;
    uint64_t q[MPRT_APIN_QUEUE_DEPTH]; // time in µs, bit 63 the level after the edge
} mprt_apin_t;

// A new pin file on gpio (an input, both edges queued) and its fd, or a negative errno (EBUSY: the gpio
// has an APin already).
int mprt_apin_open(unsigned gpio);
// The pin file fd names, with a reference (mprt_apin_put), or NULL when fd is no APin.
mprt_apin_t *mprt_apin_get(int fd);
void mprt_apin_put(mprt_apin_t *a);
int mprt_apin_set_edges(mprt_apin_t *a, bool rise, bool fall);
// value < 0: an input; 0 or 1: an output driving that level.
void mprt_apin_set_output(mprt_apin_t *a, int value);
void mprt_apin_set_debounce(mprt_apin_t *a, uint32_t us);
unsigned mprt_apin_level(mprt_apin_t *a);
// Takes from the queue what event (0: the next edge set_edges selects, else MPRT_APIN_*) needs: 0 and
// *result (a timestamp in ns, or a pulse's length in µs), -EAGAIN when it has not happened yet, -EINVAL
// when it cannot happen (an edge it needs is off, or the pin is an output).
int mprt_apin_take(mprt_apin_t *a, int event, uint64_t *result);

#endif // MPRT_APIN_FILE_H
