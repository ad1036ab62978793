// MicroPythonRT rp2 port, with a kernel: the RAM pool the C heap and the GC heap share (rtos_pool.c).
#ifndef MICROPY_INCLUDED_RP2_RTOS_POOL_H
#define MICROPY_INCLUDED_RP2_RTOS_POOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    size_t c_limit; // the C heap can grow to this (from __heap_start) before meeting a GC area
    size_t c_brk; // the C heap's break (from __heap_start)
    size_t gc_areas; // GC areas in the pool
    size_t gc_bytes; // RAM of those areas
} mprt_pool_stats_t;

// MP_PLAT_ALLOC_HEAP / MP_PLAT_FREE_HEAP of MICROPY_GC_SPLIT_HEAP_AUTO (mpconfigport.h).
void *mprt_pool_gc_alloc(size_t size);
void mprt_pool_gc_free(void *area);
// false: the GC heap keeps its first area only (GC_HEAP in the boot environment).
void mprt_pool_set_gc_growth(bool on);
// Hands the free chunk at the top of the C heap back to the pool.
void mprt_pool_trim(void);
void mprt_pool_stats(mprt_pool_stats_t *st);

#endif // MICROPY_INCLUDED_RP2_RTOS_POOL_H
