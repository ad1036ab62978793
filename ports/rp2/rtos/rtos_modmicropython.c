// MicroPythonRT rp2 port, rtos.kernel=builtin: micropython.tasks() and micropython.malloc_stats(),
// added to the builtin `micropython` module through attribute delegation.

#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "py/runtime.h"
#include "py/objstr.h"
#include "FreeRTOS.h"
#include "task.h"
#include "mpthreadport.h"
#include "rtos_pool.h"

extern const mp_obj_module_t mp_module_micropython;

static const char *const state_names[] = { "running", "ready", "blocked", "suspended", "deleted", "invalid" };

static int task_core(const TaskStatus_t *st) {
    for (BaseType_t c = 0; c < configNUMBER_OF_CORES; c++) {
        if (xTaskGetCurrentTaskHandleForCore(c) == st->xHandle) {
            return c;
        }
    }
    return -1;
}

// micropython.tasks(): [(name, state, priority, core or None, stack high-water mark in bytes, switch-ins), ...]
static mp_obj_t mprt_tasks(void) {
    // finished threads are parked until reaped: list only the live ones
    mprt_rtos_reap_threads();
    UBaseType_t room = uxTaskGetNumberOfTasks() + 4;
    // from the GC heap: an exception below (MemoryError) cannot leak it
    TaskStatus_t *st = m_new(TaskStatus_t, room);
    // states and running cores from one moment: no core switches tasks in between (on an SMP kernel a task
    // listed as running could otherwise have left its core by the time the cores are read)
    vTaskSuspendAll();
    UBaseType_t n = uxTaskGetSystemState(st, room, NULL);
    int cores[n];
    uint32_t switches[n];
    for (UBaseType_t i = 0; i < n; i++) {
        cores[i] = task_core(&st[i]);
        switches[i] = (uintptr_t)pvTaskGetThreadLocalStoragePointer(st[i].xHandle, MPRT_RTOS_TLS_SWITCHES);
    }
    xTaskResumeAll();
    mp_obj_t list = mp_obj_new_list(0, NULL);
    for (UBaseType_t i = 0; i < n; i++) {
        unsigned s = st[i].eCurrentState;
        mp_obj_t items[6] = {
            mp_obj_new_str(st[i].pcTaskName, strlen(st[i].pcTaskName)),
            MP_OBJ_NEW_QSTR(qstr_from_str(state_names[s < 5 ? s : 5])),
            MP_OBJ_NEW_SMALL_INT(st[i].uxCurrentPriority),
            cores[i] < 0 ? mp_const_none : MP_OBJ_NEW_SMALL_INT(cores[i]),
            MP_OBJ_NEW_SMALL_INT(st[i].usStackHighWaterMark * sizeof(StackType_t)),
            mp_obj_new_int_from_uint(switches[i]),
        };
        mp_obj_list_append(list, mp_obj_new_tuple(6, items));
    }
    m_del(TaskStatus_t, st, room);
    return list;
}
static MP_DEFINE_CONST_FUN_OBJ_0(mprt_tasks_obj, mprt_tasks);

// Picolibc's malloc keeps freed chunks in this list ({size, next}, size includes the header).
typedef struct malloc_chunk {
    size_t size;
    struct malloc_chunk *next;
} malloc_chunk_t;
extern malloc_chunk_t *__malloc_free_list;

// micropython.malloc_stats(): (arena, in use, free, largest free block), the C heap in bytes. The arena is
// what the C heap can use now: up to the lowest area the GC heap took from the RAM pool (docs/memory.md).
static mp_obj_t mprt_malloc_stats(void) {
    vTaskSuspendAll();
    mprt_pool_stats_t ps;
    mprt_pool_stats(&ps);
    struct mallinfo mi = mallinfo();
    size_t arena = ps.c_limit;
    size_t largest = ps.c_limit - ps.c_brk;
    for (malloc_chunk_t *c = __malloc_free_list; c != NULL; c = c->next) {
        if (c->size > largest) {
            largest = c->size;
        }
    }
    xTaskResumeAll();
    size_t in_use = mi.uordblks;
    mp_obj_t items[4] = {
        mp_obj_new_int_from_uint(arena),
        mp_obj_new_int_from_uint(in_use),
        mp_obj_new_int_from_uint(arena - in_use),
        mp_obj_new_int_from_uint(largest),
    };
    return mp_obj_new_tuple(4, items);
}
static MP_DEFINE_CONST_FUN_OBJ_0(mprt_malloc_stats_obj, mprt_malloc_stats);

void mprt_micropython_attr(mp_obj_t self_in, qstr attr, mp_obj_t *dest);
void mprt_micropython_attr(mp_obj_t self_in, qstr attr, mp_obj_t *dest) {
    (void)self_in;
    if (dest[0] != MP_OBJ_NULL) {
        return; // only loads
    }
    if (attr == MP_QSTR_tasks) {
        dest[0] = MP_OBJ_FROM_PTR(&mprt_tasks_obj);
    } else if (attr == MP_QSTR_malloc_stats) {
        dest[0] = MP_OBJ_FROM_PTR(&mprt_malloc_stats_obj);
    }
}
MP_REGISTER_MODULE_DELEGATION(mp_module_micropython, mprt_micropython_attr);
