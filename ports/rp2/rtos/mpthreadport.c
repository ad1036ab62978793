// MicroPythonRT rp2 port, rtos.kernel=builtin: _thread on kernel tasks, with a GIL.
//
// Every Python thread is a kernel task at the MicroPython priority. The GIL is a kernel binary
// semaphore; it is released around every blocking call (sleeps, console waits, lock waits) and, while
// a thread computes, handed over every MICROPY_PY_THREAD_GIL_VM_DIVISOR jumps of the VM: the releaser
// yields so that a waiting thread of the same priority takes it.

#include <stdlib.h>
#include "py/runtime.h"
#include "py/gc.h"
#include "py/mpthread.h"
#include "py/mphal.h"
#include "FreeRTOS.h"
#include "task.h"
#include "semphr.h"
#include "FreeRTOSConfig.h"

#if MICROPY_PY_THREAD

#define NOTIFY_INDEX_EVENT (1)
// Kept free at the top of a thread's stack for the C library's thread-local block and the frames
// below the Python entry point; the stack-overflow check of the VM works on the rest.
#define THREAD_STACK_RESERVE (768)
#define THREAD_STACK_MIN (2048)

core_entry_func_t core1_entry = NULL;

typedef struct _mp_thread_t {
    TaskHandle_t task;
    void *(*entry)(void *);
    void *arg;          // a GC root until the thread has started
    uint32_t *stack_lo;
    uint32_t *stack_hi;
    int ready;          // the thread's own stack holds its state: scan it
    struct _mp_thread_t *next;
} mp_thread_t;

// The thread state of the task running this code: Picolibc TLS is per task (the kernel switches it).
static __thread mp_state_thread_t *thread_state;

static mp_thread_t main_thread;
static mp_thread_t *thread_list;
static StaticSemaphore_t thread_list_lock_storage;
static SemaphoreHandle_t thread_list_lock;
static volatile TaskHandle_t main_task;
static volatile int threads_alive; // Python threads, including the main one

static void stack_bounds(TaskHandle_t task, uint32_t depth_words, mp_thread_t *th) {
    TaskStatus_t st;
    vTaskGetInfo(task, &st, pdFALSE, eInvalid);
    th->stack_lo = (uint32_t *)st.pxStackBase;
    th->stack_hi = th->stack_lo + depth_words;
}

static void list_lock(void) {
    xSemaphoreTake(thread_list_lock, portMAX_DELAY);
}

static void list_unlock(void) {
    xSemaphoreGive(thread_list_lock);
}

void mp_thread_init(void) {
    if (thread_list_lock == NULL) {
        thread_list_lock = xSemaphoreCreateMutexStatic(&thread_list_lock_storage);
    }
    main_task = xTaskGetCurrentTaskHandle();
    main_thread.task = main_task;
    main_thread.entry = NULL;
    main_thread.arg = NULL;
    main_thread.ready = 1;
    main_thread.next = NULL;
    stack_bounds(main_task, MPRT_RTOS_MP_TASK_STACK_BYTES / sizeof(StackType_t), &main_thread);
    thread_list = &main_thread;
    threads_alive = 1;
    mp_thread_set_state(&mp_state_ctx.thread);
}

// Soft reset: the threads of the old VM end here (their tasks are deleted, the idle task frees them).
void mp_thread_deinit(void) {
    list_lock();
    for (mp_thread_t *th = thread_list; th != NULL;) {
        mp_thread_t *next = th->next;
        if (th != &main_thread) {
            vTaskDelete(th->task);
            free(th);
        }
        th = next;
    }
    main_thread.next = NULL;
    thread_list = &main_thread;
    threads_alive = 1;
    list_unlock();
}

void mp_thread_gc_others(void) {
    TaskHandle_t self = xTaskGetCurrentTaskHandle();
    list_lock();
    for (mp_thread_t *th = thread_list; th != NULL; th = th->next) {
        gc_collect_root(&th->arg, 1);
        if (th->task == self || !th->ready) {
            continue;
        }
        gc_collect_root((void **)th->stack_lo, th->stack_hi - th->stack_lo);
    }
    list_unlock();
}

mp_state_thread_t *mp_thread_get_state(void) {
    return thread_state;
}

void mp_thread_set_state(mp_state_thread_t *state) {
    thread_state = state;
}

mp_uint_t mp_thread_get_id(void) {
    return (mp_uint_t)xTaskGetCurrentTaskHandle();
}

void mp_thread_start(void) {
    list_lock();
    TaskHandle_t self = xTaskGetCurrentTaskHandle();
    for (mp_thread_t *th = thread_list; th != NULL; th = th->next) {
        if (th->task == self) {
            th->ready = 1;
            break;
        }
    }
    list_unlock();
}

void mp_thread_finish(void) {
    list_lock();
    TaskHandle_t self = xTaskGetCurrentTaskHandle();
    for (mp_thread_t **p = &thread_list; *p != NULL; p = &(*p)->next) {
        if ((*p)->task == self) {
            mp_thread_t *th = *p;
            *p = th->next;
            free(th);
            break;
        }
    }
    threads_alive--;
    list_unlock();
}

static void thread_task(void *arg) {
    mp_thread_t *th = arg;
    th->entry(th->arg);
    // returning deletes the task; the node was freed by mp_thread_finish
}

mp_uint_t mp_thread_create(void *(*entry)(void *), void *arg, size_t *stack_size) {
    if (*stack_size == 0) {
        *stack_size = MPRT_RTOS_THREAD_STACK_BYTES;
    } else if (*stack_size < THREAD_STACK_MIN) {
        *stack_size = THREAD_STACK_MIN;
    }
    uint32_t words = (*stack_size + 7) / sizeof(StackType_t) & ~1u;
    mp_thread_t *th = malloc(sizeof(mp_thread_t));
    if (th == NULL) {
        mp_raise_msg(&mp_type_OSError, MP_ERROR_TEXT("can't create thread"));
    }
    th->entry = entry;
    th->arg = arg;
    th->ready = 0;
    th->task = NULL;
    list_lock();
    // created suspended in effect: it cannot run before we release the list lock (it needs the GIL
    // first, which this thread holds)
    if (xTaskCreate(thread_task, "mp_thread", words, th, MPRT_RTOS_MP_TASK_PRIORITY, &th->task) != pdPASS) {
        list_unlock();
        free(th);
        mp_raise_msg(&mp_type_OSError, MP_ERROR_TEXT("can't create thread"));
    }
    stack_bounds(th->task, words, th);
    th->next = thread_list;
    thread_list = th;
    threads_alive++;
    list_unlock();
    *stack_size -= THREAD_STACK_RESERVE;
    return (mp_uint_t)th->task;
}

// ---- locks ----

void mp_thread_mutex_init(mp_thread_mutex_t *mutex) {
    mutex->handle = xSemaphoreCreateBinaryStatic(&mutex->storage);
    xSemaphoreGive(mutex->handle);
}

int mp_thread_mutex_lock(mp_thread_mutex_t *mutex, int wait) {
    return xSemaphoreTake(mutex->handle, wait ? portMAX_DELAY : 0) == pdTRUE;
}

void mp_thread_mutex_unlock(mp_thread_mutex_t *mutex) {
    xSemaphoreGive(mutex->handle);
    #if MICROPY_PY_THREAD_GIL
    if (mutex == &MP_STATE_VM(gil_mutex) && threads_alive > 1) {
        // hand the GIL over: a thread woken by the give runs before we try to take it again
        taskYIELD();
    }
    #endif
}

void mp_thread_recursive_mutex_init(mp_thread_recursive_mutex_t *mutex) {
    mutex->handle = xSemaphoreCreateRecursiveMutexStatic(&mutex->storage);
}

int mp_thread_recursive_mutex_lock(mp_thread_recursive_mutex_t *mutex, int wait) {
    return xSemaphoreTakeRecursive(mutex->handle, wait ? portMAX_DELAY : 0) == pdTRUE;
}

void mp_thread_recursive_mutex_unlock(mp_thread_recursive_mutex_t *mutex) {
    xSemaphoreGiveRecursive(mutex->handle);
}

// ---- atomic sections and waiting for events ----

uint32_t mp_thread_begin_atomic_section(void) {
    return portSET_INTERRUPT_MASK_FROM_ISR();
}

void mp_thread_end_atomic_section(uint32_t state) {
    portCLEAR_INTERRUPT_MASK_FROM_ISR(state);
}

void mprt_rtos_event_wait(int32_t timeout_ms) {
    TickType_t ticks = timeout_ms < 0 ? portMAX_DELAY : pdMS_TO_TICKS((uint32_t)timeout_ms);
    MP_THREAD_GIL_EXIT();
    ulTaskNotifyTakeIndexed(NOTIFY_INDEX_EVENT, pdTRUE, ticks);
    MP_THREAD_GIL_ENTER();
}

void mprt_rtos_wake_main(void) {
    TaskHandle_t t = main_task;
    if (t != NULL) {
        xTaskNotifyGiveIndexed(t, NOTIFY_INDEX_EVENT);
    }
}

void mprt_rtos_wake_main_from_isr(void) {
    TaskHandle_t t = main_task;
    if (t != NULL && xTaskGetSchedulerState() == taskSCHEDULER_RUNNING) {
        BaseType_t woken = pdFALSE;
        vTaskNotifyGiveIndexedFromISR(t, NOTIFY_INDEX_EVENT, &woken);
        portYIELD_FROM_ISR(woken);
    }
}

int mprt_rtos_threads_alive(void) {
    return threads_alive;
}

#endif // MICROPY_PY_THREAD

void mp_hal_wake_main_task_from_isr_or_task(void) {
    if (xPortIsInsideInterrupt()) {
        mprt_rtos_wake_main_from_isr();
    } else {
        mprt_rtos_wake_main();
    }
}
