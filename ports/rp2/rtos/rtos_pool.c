// MicroPythonRT rp2 port, with a kernel: one RAM pool shared by the C heap and the GC heap (docs/memory.md).
//
// The linker script (templates/memmap.ld.hbs) places the C heap region [__heap_start, __heap_end)
// (rtos.c_heap_max) and above it the GC heap's first area [__GcHeapStart, __GcHeapEnd). The C heap is
// Picolibc's malloc on our sbrk(): its break grows up from __heap_start. The GC heap (MicroPython's
// MICROPY_GC_SPLIT_HEAP_AUTO) adds areas from the top of the C heap region when its first area is full
// (MP_PLAT_ALLOC_HEAP, placed as high as they fit) and frees an area at the sweep that leaves it empty.
// So the C heap can grow up to the lowest GC area, and the GC heap can take what the C heap does not use
// above __CHeapMinEnd (rtos.c_heap_size: the C heap's own part) and above the break plus a headroom.
// Before the GC heap grows, the free chunk at the top of the C heap is handed back to the pool (trim).
// When the C heap's break comes within POOL_C_HEADROOM of a GC area, or malloc fails only because one is in
// the way, the VM's branch check (MICROPY_VM_HOOK_LOOP) runs a collection in the thread holding the GIL,
// which frees the areas it leaves empty.

#include <errno.h>
#include <stdint.h>
#include <sys/lock.h>
#include <unistd.h>
#include "py/gc.h"
#include "py/mpstate.h"
#include "FreeRTOS.h"
#include "task.h"
#include "rtos_pool.h"

extern uint8_t __heap_start, __heap_end, __CHeapMinEnd;

// What the C heap keeps free above its break when the GC heap takes RAM from the pool.
#define POOL_C_HEADROOM (8 * 1024)
// GC areas the pool can hold at once (besides the first, which is not in the pool).
#define POOL_MAX_AREAS (8)
#define POOL_ALIGN (16)

typedef struct {
    uintptr_t start;
    uintptr_t end;
} pool_area_t;

static uintptr_t pool_brk = (uintptr_t)&__heap_start;
// live GC areas in the pool, sorted by address, highest first
static pool_area_t pool_areas[POOL_MAX_AREAS];
static size_t pool_n_areas;
static bool pool_gc_growth = true;
volatile uint32_t mprt_pool_want_collect;

// The lowest address a GC area may use: above the C heap's own part and above its break plus headroom.
static uintptr_t pool_gc_floor(void) {
    uintptr_t floor = (pool_brk + POOL_C_HEADROOM + POOL_ALIGN - 1) & ~(uintptr_t)(POOL_ALIGN - 1);
    uintptr_t min_end = ((uintptr_t)&__CHeapMinEnd + POOL_ALIGN - 1) & ~(uintptr_t)(POOL_ALIGN - 1);
    return floor > min_end ? floor : min_end;
}

static uintptr_t pool_c_limit(void) {
    return pool_n_areas == 0 ? (uintptr_t)&__heap_end : pool_areas[pool_n_areas - 1].start;
}

void *sbrk(ptrdiff_t incr) {
    void *ret = (void *)-1;
    bool blocked = false;
    bool wanted = false;
    taskENTER_CRITICAL();
    uintptr_t old = pool_brk;
    if (incr >= 0) {
        uintptr_t limit = pool_c_limit();
        if ((uintptr_t)incr <= limit - old) {
            pool_brk = old + incr;
            ret = (void *)old;
            // close to a GC area: ask for the collection that may free it before malloc fails
            wanted = limit < (uintptr_t)&__heap_end && limit - pool_brk < POOL_C_HEADROOM;
        } else if ((uintptr_t)incr <= (uintptr_t)&__heap_end - old) {
            blocked = true; // it would fit without the GC heap's areas
        }
    } else if ((uintptr_t)-incr <= old - (uintptr_t)&__heap_start) {
        pool_brk = old + incr;
        ret = (void *)old;
    }
    taskEXIT_CRITICAL();
    if (ret == (void *)-1) {
        errno = ENOMEM;
    }
    if (blocked || wanted) {
        mprt_pool_want_collect = 1;
    }
    return ret;
}

// ---- giving the free top of the C heap back to the pool ----

// Picolibc's malloc keeps freed chunks in this list, sorted by address ({size, next}, size includes the
// header), and the end of the RAM it got from sbrk in __malloc_sbrk_top.
typedef struct malloc_chunk {
    size_t size;
    struct malloc_chunk *next;
} malloc_chunk_t;
extern malloc_chunk_t *__malloc_free_list;
extern char *__malloc_sbrk_top;
extern struct __lock __lock___libc_recursive_mutex;

void mprt_pool_trim(void) {
    __retarget_lock_acquire_recursive(&__lock___libc_recursive_mutex);
    malloc_chunk_t **link = &__malloc_free_list;
    malloc_chunk_t **last_link = NULL;
    for (; *link != NULL; link = &(*link)->next) {
        if (last_link == NULL || (uintptr_t)*link > (uintptr_t)*last_link) {
            last_link = link;
        }
    }
    if (last_link != NULL) {
        malloc_chunk_t *last = *last_link;
        char *end = (char *)last + last->size;
        if (end == __malloc_sbrk_top && (uintptr_t)end == pool_brk && (uintptr_t)last >= (uintptr_t)&__heap_start) {
            *last_link = last->next;
            __malloc_sbrk_top = (char *)last;
            sbrk(-(ptrdiff_t)last->size);
        }
    }
    __retarget_lock_release_recursive(&__lock___libc_recursive_mutex);
}

// ---- GC areas (MICROPY_GC_SPLIT_HEAP_AUTO's hooks; called with the GIL) ----

// The largest gap a GC area can take: between areas, or between the floor and the lowest area.
static size_t pool_largest_gap(uintptr_t *gap_top) {
    uintptr_t floor = pool_gc_floor();
    uintptr_t top = (uintptr_t)&__heap_end & ~(uintptr_t)(POOL_ALIGN - 1);
    size_t best = 0;
    *gap_top = 0;
    for (size_t i = 0; i <= pool_n_areas; i++) {
        uintptr_t bottom = i < pool_n_areas ? pool_areas[i].end : floor;
        if (bottom < floor) {
            bottom = floor;
        }
        if (top > bottom && top - bottom > best) {
            best = top - bottom;
            *gap_top = top;
        }
        if (i < pool_n_areas) {
            top = pool_areas[i].start;
        }
    }
    return best;
}

size_t gc_get_max_new_split(void) {
    if (!pool_gc_growth || pool_n_areas == POOL_MAX_AREAS) {
        return 0;
    }
    mprt_pool_trim();
    uintptr_t gap_top;
    taskENTER_CRITICAL();
    size_t gap = pool_largest_gap(&gap_top);
    taskEXIT_CRITICAL();
    return gap;
}

void *mprt_pool_gc_alloc(size_t size) {
    size = (size + POOL_ALIGN - 1) & ~(size_t)(POOL_ALIGN - 1);
    void *ret = NULL;
    taskENTER_CRITICAL();
    if (pool_n_areas < POOL_MAX_AREAS) {
        // the highest gap that fits, so the bottom stays free for the C heap
        uintptr_t floor = pool_gc_floor();
        uintptr_t top = (uintptr_t)&__heap_end & ~(uintptr_t)(POOL_ALIGN - 1);
        for (size_t i = 0; i <= pool_n_areas; i++) {
            uintptr_t bottom = i < pool_n_areas ? pool_areas[i].end : floor;
            if (bottom < floor) {
                bottom = floor;
            }
            if (top > bottom && top - bottom >= size) {
                for (size_t k = pool_n_areas; k > i; k--) {
                    pool_areas[k] = pool_areas[k - 1];
                }
                pool_areas[i].start = top - size;
                pool_areas[i].end = top;
                pool_n_areas++;
                ret = (void *)(top - size);
                break;
            }
            if (i < pool_n_areas) {
                top = pool_areas[i].start;
            }
        }
    }
    taskEXIT_CRITICAL();
    return ret;
}

void mprt_pool_gc_free(void *area) {
    taskENTER_CRITICAL();
    for (size_t i = 0; i < pool_n_areas; i++) {
        if (pool_areas[i].start == (uintptr_t)area) {
            for (size_t k = i; k + 1 < pool_n_areas; k++) {
                pool_areas[k] = pool_areas[k + 1];
            }
            pool_n_areas--;
            break;
        }
    }
    taskEXIT_CRITICAL();
}

void mprt_pool_set_gc_growth(bool on) {
    pool_gc_growth = on;
}

// MICROPY_VM_HOOK_LOOP: malloc failed because a GC area is in the way; a collection frees empty areas.
void mprt_pool_hook(void) {
    if (!gc_is_locked()) {
        mprt_pool_want_collect = 0;
        gc_collect();
    }
}

void mprt_pool_stats(mprt_pool_stats_t *st) {
    taskENTER_CRITICAL();
    st->c_limit = pool_c_limit() - (uintptr_t)&__heap_start;
    st->c_brk = pool_brk - (uintptr_t)&__heap_start;
    st->gc_areas = pool_n_areas;
    size_t in_areas = 0;
    for (size_t i = 0; i < pool_n_areas; i++) {
        in_areas += pool_areas[i].end - pool_areas[i].start;
    }
    st->gc_bytes = in_areas;
    taskEXIT_CRITICAL();
}
