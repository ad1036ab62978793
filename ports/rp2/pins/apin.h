// machine.APin (ports/rp2/pins, docs/apin.md): a GPIO as a file of the fd layer (lib/posix). The GPIO
// interrupt stamps each edge and queues it in C; a task wakes the fd's waiters; Python reads the queue.
#ifndef MPRT_APIN_H
#define MPRT_APIN_H

#include <stdbool.h>
#include <stdint.h>

// Edges queued per pin between two reads; when it is full the oldest edge is dropped (and counted).
// 256 covers a garbage collection of the whole GC heap (~9 ms) at 20,000 edges/s (2 KB of C heap a pin).
#ifndef MPRT_APIN_QUEUE_DEPTH
#define MPRT_APIN_QUEUE_DEPTH (256)
#endif

// The events of APin.wait(event), with the values of the RP2040's GPIO interrupt bits for the first four.
#define MPRT_APIN_LEVEL_LOW   (1)
#define MPRT_APIN_LEVEL_HIGH  (2)
#define MPRT_APIN_EDGE_FALL   (4)
#define MPRT_APIN_EDGE_RISE   (8)
#define MPRT_APIN_PULSE_DOWN  (16)
#define MPRT_APIN_PULSE_UP    (32)

// One record of os.read(pin.fileno(), n): 16 bytes, little-endian.
typedef struct _mprt_apin_record_t {
    uint64_t timestamp_ns; // time.monotonic_ns() clock
    uint32_t level;        // the level after the edge: 1 rising, 0 falling
    uint32_t gpio;
} mprt_apin_record_t;

#endif // MPRT_APIN_H
