// MicroPythonRT rp2 port, rtos.kernel=builtin: _thread on kernel tasks, with a GIL.
//
// Every Python thread is a kernel task at the MicroPython priority. The GIL is a kernel binary
// semaphore; it is released around every blocking call (sleeps, console waits, lock waits) and, while
// a thread computes, handed over every MICROPY_PY_THREAD_GIL_VM_DIVISOR jumps of the VM: the releaser
// yields so that a waiting thread of the same priority takes it. While only one Python thread exists,
// a release keeps the GIL without a kernel call (gil_kept below).
//
// A thread's memory is one GC heap block: its list node, its task control block and its stack (as the
// upstream rp2 port takes core 1's stack from the GC heap). The block stays reachable through the
// thread list, and so is kept and scanned, until the task is gone: a finished thread parks itself
// (suspends for good) and another thread, once it sees the task parked and no core running it any
// more, deletes the task and releases the block. So a stack is never collected or reused while its
// task can still run on either core.

#include <stdbool.h>
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

// traceTASK_SWITCHED_IN: the switched-in task's thread state becomes its core's (interrupts are off), and
// its count of switch-ins goes up (micropython.tasks()).
void mprt_rtos_task_switched_in(void) {
    *(volatile uint32_t *)MPRT_THREAD_STATE_REG = (uint32_t)pvTaskGetThreadLocalStoragePointer(NULL, MPRT_RTOS_TLS_THREAD_STATE);
    uintptr_t n = (uintptr_t)pvTaskGetThreadLocalStoragePointer(NULL, MPRT_RTOS_TLS_SWITCHES);
    vTaskSetThreadLocalStoragePointer(NULL, MPRT_RTOS_TLS_SWITCHES, (void *)(n + 1));
}

// A hard IRQ handler's thread state, one per core (MICROPY_IRQ_HARD_ENTER, vendor/patches/micropython/0005).
// The handler runs on the core's interrupt stack whatever it interrupted: a kernel task with no Python
// state (the idle task), or a Python thread whose state names its task's stack. Its stack check
// allows IRQ_PY_STACK_BYTES below the handler's entry; globals are the main thread's (the handler's
// function brings its own). The GC is locked for the call and the state holds nothing the GC must
// see that is not reachable otherwise.
#define IRQ_PY_STACK_BYTES (1024)
static mp_state_thread_t irq_state[configNUMBER_OF_CORES];

void *mprt_rtos_irq_hard_enter(void) {
    volatile uint32_t *reg = (volatile uint32_t *)MPRT_THREAD_STATE_REG;
    void *saved = (void *)*reg;
    mp_state_thread_t *ts = &irq_state[get_core_num()];
    if (saved == ts) {
        return saved; // a hard handler interrupted by another on the same core: the inner one nests
    }
    char here;
    ts->stack_top = &here;
    ts->stack_limit = IRQ_PY_STACK_BYTES;
    ts->gc_lock_depth = 0;
    ts->dict_locals = mp_state_ctx.thread.dict_locals;
    ts->dict_globals = mp_state_ctx.thread.dict_globals;
    ts->nlr_top = NULL;
    ts->nlr_jump_callback_top = NULL;
    ts->mp_pending_exception = MP_OBJ_NULL;
    ts->stop_iteration_arg = MP_OBJ_NULL;
    *reg = (uint32_t)ts;
    return saved;
}

void mprt_rtos_irq_hard_exit(void *saved) {
    *(volatile uint32_t *)MPRT_THREAD_STATE_REG = (uint32_t)saved;
}

typedef struct _mp_thread_t {
    struct _mp_thread_t *next;
    TaskHandle_t task;
    void *(*entry)(void *);
    void *arg;
    volatile int finished; // its Python function has returned: the task parks itself
    mp_obj_t locals;       // the thread's data of threading.local objects (a dict), dropped when it ends
} mp_thread_t;

// The GC heap block of a thread other than the main one: node first (the thread list points at the
// block), then the task control block, then the stack (8-byte aligned).
typedef struct _thread_block_t {
    mp_thread_t node;
    StaticTask_t tcb;
} thread_block_t;
#define BLOCK_HEADER_BYTES ((sizeof(thread_block_t) + 7) & ~(size_t)7)

// The node of the task running this code: Picolibc TLS is per task (the kernel switches it).
static __thread mp_thread_t *thread_self;

// The main thread runs on the "mp" task, whose stack is static (not in the GC heap): scanned explicitly.
static mp_thread_t main_thread;
static uint32_t *main_stack_lo;
static uint32_t *main_stack_hi;
static mp_thread_t *thread_list;
static StaticSemaphore_t thread_list_lock_storage;
static SemaphoreHandle_t thread_list_lock;
static volatile TaskHandle_t main_task;
// Python threads, including the main one. Like the two flags below, only read and written by the
// thread holding the GIL.
static volatile int threads_alive;
// The GIL holder released the GIL while it was the only Python thread: it kept the semaphore, and its
// next acquire takes nothing. No other thread can start meanwhile (starting one takes running Python,
// i.e. the GIL), so the acquire that follows pairs with that release.
static bool gil_kept;
// A thread has finished (mp_thread_finish): its release of the GIL, which follows at once, gives the
// semaphore and only then leaves threads_alive.
static bool thread_finishing;
// Tasks that are no Python thread waiting for or holding the GIL for one call (mprt_rtos_gil_guest_enter:
// C code's file calls, ports/rp2/posix/mp_vfs_posix.c): while there are any, a release gives the semaphore.
// Changed and read with gil_kept inside a critical section.
static volatile int gil_guests;
// Whether the calling task holds the GIL (per task): the fd layer's block hooks release it around a
// wait of C code called from Python (a native module's read()), mp_posix.c.
__thread bool mprt_rtos_gil_held;

static void list_lock(void) {
    xSemaphoreTake(thread_list_lock, portMAX_DELAY);
}

static void list_unlock(void) {
    xSemaphoreGive(thread_list_lock);
}

// Whether a task can no longer touch its stack or control block: it is suspended and no core runs it
// (the switch away from it has finished). The state is read first: a task that suspends itself is
// suspended while it still runs, until its core switches away.
static bool task_parked(TaskHandle_t task) {
    if (eTaskGetState(task) != eSuspended) {
        return false;
    }
    for (BaseType_t core = 0; core < configNUMBER_OF_CORES; core++) {
        if (xTaskGetCurrentTaskHandleForCore(core) == task) {
            return false;
        }
    }
    return true;
}

// Deletes the tasks of finished, parked threads and unlinks their nodes; with release, their blocks
// are freed at once (not during a collection: then they are simply not marked). List lock held.
static void reap_parked(bool release) {
    for (mp_thread_t **p = &thread_list; *p != NULL;) {
        mp_thread_t *th = *p;
        if (th != &main_thread && th->finished && task_parked(th->task)) {
            *p = th->next;
            vTaskDelete(th->task);
            if (release) {
                gc_free(th);
            }
        } else {
            p = &th->next;
        }
    }
}

// Finished threads leave the task list (micropython.tasks() calls this first). GIL held.
void mprt_rtos_reap_threads(void) {
    list_lock();
    reap_parked(true);
    list_unlock();
}

// The main thread's node is static, not in the GC heap: its locals are a root pointer.
MP_REGISTER_ROOT_POINTER(mp_obj_t mprt_main_thread_locals);

// The calling thread's dict of thread-local data (ports/rp2/rtos/rtos_modthread.c), made on first use.
// GIL held. A thread's dict is reachable only from its node, so it goes when the thread ends.
mp_obj_t mprt_thread_locals(void) {
    mp_thread_t *th = thread_self;
    mp_obj_t *slot = (th == NULL || th == &main_thread) ? &MP_STATE_VM(mprt_main_thread_locals) : &th->locals;
    if (*slot == MP_OBJ_NULL) {
        *slot = mp_obj_new_dict(0);
    }
    return *slot;
}

// The main thread's ident (mp_thread_get_id in the main thread).
mp_uint_t mprt_thread_main_id(void) {
    return (mp_uint_t)main_task;
}

void mp_thread_init(void) {
    if (thread_list_lock == NULL) {
        thread_list_lock = xSemaphoreCreateMutexStatic(&thread_list_lock_storage);
    }
    main_task = xTaskGetCurrentTaskHandle();
    TaskStatus_t st;
    vTaskGetInfo(main_task, &st, pdFALSE, eInvalid);
    main_stack_lo = (uint32_t *)st.pxStackBase;
    main_stack_hi = main_stack_lo + MPRT_RTOS_MP_TASK_STACK_BYTES / sizeof(uint32_t);
    main_thread.task = main_task;
    main_thread.next = NULL;
    thread_list = &main_thread;
    threads_alive = 1;
    thread_self = &main_thread;
    mp_thread_set_state(&mp_state_ctx.thread);
}

// Soft reset: the threads of the old VM end here. Each task is suspended, then deleted once no core
// runs it; only then may the GC heap (their stacks) be swept and reused.
void mp_thread_deinit(void) {
    list_lock();
    for (mp_thread_t *th = thread_list; th != NULL; th = th->next) {
        if (th != &main_thread) {
            vTaskSuspend(th->task);
        }
    }
    for (mp_thread_t *th = thread_list; th != NULL; th = th->next) {
        if (th != &main_thread) {
            while (!task_parked(th->task)) {
                taskYIELD();
            }
            vTaskDelete(th->task);
        }
    }
    main_thread.next = NULL;
    thread_list = &main_thread;
    threads_alive = 1;
    thread_finishing = false;
    MP_STATE_VM(mprt_main_thread_locals) = MP_OBJ_NULL;
    list_unlock();
}

// Whether a Python thread other than the caller is running on a core now: it runs without the GIL
// (the caller holds it), and values in its registers are not on its stack.
static bool other_thread_running(TaskHandle_t self) {
    for (BaseType_t core = 0; core < configNUMBER_OF_CORES; core++) {
        TaskHandle_t task = xTaskGetCurrentTaskHandleForCore(core);
        if (task == NULL || task == self) {
            continue;
        }
        for (mp_thread_t *th = thread_list; th != NULL; th = th->next) {
            if (th->task == task) {
                return true;
            }
        }
    }
    return false;
}

void mp_thread_gc_others(void) {
    TaskHandle_t self = xTaskGetCurrentTaskHandle();
    list_lock();
    reap_parked(false);
    // A thread that runs on the other core without the GIL soon blocks (on the GIL at the latest); once
    // switched out, its registers are on its stack, where the scan below finds them.
    while (other_thread_running(self)) {
        taskYIELD();
    }
    for (mp_thread_t *th = thread_list; th != NULL; th = th->next) {
        if (th == &main_thread) {
            if (th->task != self) {
                gc_collect_root((void **)main_stack_lo, main_stack_hi - main_stack_lo);
            }
        } else {
            // marks the block: node, control block and the whole stack are scanned
            void *block = th;
            gc_collect_root(&block, 1);
        }
    }
    list_unlock();
}

void mp_thread_set_state(mp_state_thread_t *state) {
    uint32_t saved = portSET_INTERRUPT_MASK_FROM_ISR();
    vTaskSetThreadLocalStoragePointer(NULL, MPRT_RTOS_TLS_THREAD_STATE, state);
    *(volatile uint32_t *)MPRT_THREAD_STATE_REG = (uint32_t)state;
    portCLEAR_INTERRUPT_MASK_FROM_ISR(saved);
}

mp_uint_t mp_thread_get_id(void) {
    return (mp_uint_t)xTaskGetCurrentTaskHandle();
}

void mp_thread_start(void) {
}

void mp_thread_finish(void) {
    list_lock();
    mp_thread_t *th = thread_self;
    if (th != NULL && th != &main_thread) {
        th->finished = 1;
        th->locals = MP_OBJ_NULL; // its thread-local data can be collected now
    }
    thread_finishing = true;
    list_unlock();
}

static void thread_task(void *arg) {
    mp_thread_t *th = arg;
    thread_self = th;
    th->entry(th->arg);
    // Parked for good: the block holding this stack is released by another thread once it sees the
    // task suspended and off every core (reap_parked).
    for (;;) {
        vTaskSuspend(NULL);
    }
}

mp_uint_t mp_thread_create(void *(*entry)(void *), void *arg, size_t *stack_size) {
    size_t bytes = *stack_size == 0 ? MPRT_RTOS_THREAD_STACK_BYTES : *stack_size;
    if (bytes < THREAD_STACK_MIN) {
        bytes = THREAD_STACK_MIN;
    }
    bytes = (bytes + 7) & ~(size_t)7;
    // finished threads give their blocks back first
    mprt_rtos_reap_threads();
    // may collect (which takes the list lock): allocated before taking it
    thread_block_t *block = m_malloc(BLOCK_HEADER_BYTES + bytes);
    mp_thread_t *th = &block->node;
    th->entry = entry;
    th->arg = arg;
    th->finished = 0;
    th->locals = MP_OBJ_NULL;
    StackType_t *stack = (StackType_t *)((uint8_t *)block + BLOCK_HEADER_BYTES);
    // what the VM may use, set before the task exists (it reads it at once, on the other core)
    *stack_size = bytes - THREAD_STACK_RESERVE;
    list_lock();
    // the task cannot run Python before this thread releases the GIL
    th->task = xTaskCreateStatic(thread_task, "mp_thread", bytes / sizeof(StackType_t), th,
        MPRT_RTOS_MP_TASK_PRIORITY, stack, &block->tcb);
    th->next = thread_list;
    thread_list = th;
    threads_alive++;
    list_unlock();
    return (mp_uint_t)th->task;
}

// ---- locks ----

void mp_thread_mutex_init(mp_thread_mutex_t *mutex) {
    mutex->handle = xSemaphoreCreateBinaryStatic(&mutex->storage);
    xSemaphoreGive(mutex->handle);
    #if MICROPY_PY_THREAD_GIL
    if (mutex == &MP_STATE_VM(gil_mutex)) {
        // a new VM (mp_init takes it next): a GIL kept over the last release of the old one is gone
        gil_kept = false;
    }
    #endif
}

// How often the main thread, blocked on a _thread lock, looks for Ctrl-C and scheduled callbacks.
#define MAIN_LOCK_WAIT_SLICE_MS (10)

static bool main_thread_has_pending(void) {
    return MP_STATE_MAIN_THREAD(mp_pending_exception) != MP_OBJ_NULL
           || mprt_signal_pending != 0 // a signal to handle (ports/rp2/posix/mp_signal.h)
           #if MICROPY_ENABLE_SCHEDULER
           || MP_STATE_VM(sched_state) == MP_SCHED_PENDING
           #endif
    ;
}

int mp_thread_mutex_lock(mp_thread_mutex_t *mutex, int wait) {
    #if MICROPY_PY_THREAD_GIL
    if (mutex == &MP_STATE_VM(gil_mutex)) {
        uint32_t state = taskENTER_CRITICAL_FROM_ISR();
        bool kept = gil_kept;
        gil_kept = false;
        taskEXIT_CRITICAL_FROM_ISR(state);
        if (kept) {
            // the only Python thread re-acquires the GIL it kept (see mp_thread_mutex_unlock)
            mprt_rtos_gil_held = true;
            return 1;
        }
        if (xSemaphoreTake(mutex->handle, wait ? portMAX_DELAY : 0) != pdTRUE) {
            return 0;
        }
        mprt_rtos_gil_held = true;
        return 1;
    }
    #endif
    if (!wait) {
        return xSemaphoreTake(mutex->handle, 0) == pdTRUE;
    }
    #if MICROPY_PY_THREAD_GIL
    // With the GIL, a lock other than the GIL itself is only waited on by _thread's lock.acquire (and so
    // threading's joins and untimed waits), with the GIL released. In the main thread that wait ends for
    // Ctrl-C: a KeyboardInterrupt is raised as from any blocking call, so that `t.join()` on a thread
    // that never ends can be interrupted.
    if (mutex != &MP_STATE_VM(gil_mutex) && xTaskGetCurrentTaskHandle() == main_task) {
        for (;;) {
            if (xSemaphoreTake(mutex->handle, pdMS_TO_TICKS(MAIN_LOCK_WAIT_SLICE_MS)) == pdTRUE) {
                return 1;
            }
            if (main_thread_has_pending()) {
                MP_THREAD_GIL_ENTER();
                // runs signal handlers, raises a pending exception (the GIL stays held, as the caller
                // expects); the wait goes on after a handler returns
                mp_event_handle_nowait();
                MP_THREAD_GIL_EXIT();
            }
        }
    }
    #endif
    return xSemaphoreTake(mutex->handle, portMAX_DELAY) == pdTRUE;
}

void mp_thread_mutex_unlock(mp_thread_mutex_t *mutex) {
    #if MICROPY_PY_THREAD_GIL
    if (mutex == &MP_STATE_VM(gil_mutex)) {
        mprt_rtos_gil_held = false;
        if (thread_finishing) {
            // the last release of a finished thread: another may be waiting for the GIL
            thread_finishing = false;
            threads_alive--;
            xSemaphoreGive(mutex->handle);
        } else if (threads_alive == 1 && gil_guests == 0) {
            // nobody to hand it to (the VM releases it every MICROPY_PY_THREAD_GIL_VM_DIVISOR jumps):
            // kept, with no kernel call; the caller's next acquire takes it back
            uint32_t state = taskENTER_CRITICAL_FROM_ISR();
            bool keep = gil_guests == 0;
            gil_kept = keep;
            taskEXIT_CRITICAL_FROM_ISR(state);
            if (!keep) {
                xSemaphoreGive(mutex->handle); // a guest came meanwhile
            }
        } else {
            // hand the GIL over: a thread woken by the give runs before we try to take it again
            xSemaphoreGive(mutex->handle);
            taskYIELD();
        }
        return;
    }
    #endif
    xSemaphoreGive(mutex->handle);
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

// Both cores: on the FreeRTOS-Kernel (SMP) the ISR-safe critical section takes the kernel's ISR spinlock besides
// masking this core's interrupts; on lib/rtos it is the same mask-plus-spinlock.
void mprt_rtos_gil_guest_enter(void) {
    uint32_t state = taskENTER_CRITICAL_FROM_ISR();
    gil_guests++;
    bool kept = gil_kept;
    gil_kept = false;
    taskEXIT_CRITICAL_FROM_ISR(state);
    if (kept) {
        // the only Python thread kept the GIL over its release: it is free, so give it for real
        xSemaphoreGive(MP_STATE_VM(gil_mutex).handle);
    }
    xSemaphoreTake(MP_STATE_VM(gil_mutex).handle, portMAX_DELAY);
}

void mprt_rtos_gil_guest_exit(void) {
    xSemaphoreGive(MP_STATE_VM(gil_mutex).handle);
    uint32_t state = taskENTER_CRITICAL_FROM_ISR();
    gil_guests--;
    taskEXIT_CRITICAL_FROM_ISR(state);
}

uint32_t mp_thread_begin_atomic_section(void) {
    return taskENTER_CRITICAL_FROM_ISR();
}

void mp_thread_end_atomic_section(uint32_t state) {
    taskEXIT_CRITICAL_FROM_ISR(state);
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
