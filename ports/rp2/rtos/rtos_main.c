// MicroPythonRT rp2 port, rtos.kernel=builtin: the tasks of the firmware and the services the rest of
// the port needs from the kernel (C library locks, flash access, deferred work, hooks).
//
// Tasks (priorities and stacks in FreeRTOSConfig.h): "usb" (TinyUSB device task, rtos_console_usb.c), "svc"
// (deferred work formerly done in PendSV: soft timers), "mp" (the MicroPython VM: boot scripts, REPL,
// soft resets; its threads are further tasks) and the kernel's "IDLE"/"IDLE1" (WFI).

#include <stdlib.h>
#include <sys/lock.h>
#include "py/mpconfig.h"
#include "py/mphal.h"
#include "FreeRTOS.h"
#include "task.h"
#include "semphr.h"
#include "FreeRTOSConfig.h"
#include "pico/platform.h"
#include "pendsv.h"

void mprt_rtos_assert_failed(const char *file, int line) {
    panic("kernel assertion failed: %s:%d", file, line);
}

void vApplicationStackOverflowHook(TaskHandle_t task, char *name) {
    (void)task;
    panic("stack overflow in task %s", name);
}

// ---- Picolibc locks (malloc, ...): the kernel's scheduler lock, which excludes both cores ----

struct __lock {
    int unused;
};
struct __lock __lock___libc_recursive_mutex;

static inline bool libc_locking(void) {
    return xTaskGetSchedulerState() != taskSCHEDULER_NOT_STARTED && !xPortIsInsideInterrupt();
}

void __retarget_lock_init(_LOCK_T *lock) {
    *lock = &__lock___libc_recursive_mutex;
}

void __retarget_lock_init_recursive(_LOCK_T *lock) {
    *lock = &__lock___libc_recursive_mutex;
}

void __retarget_lock_close(_LOCK_T lock) {
    (void)lock;
}

void __retarget_lock_close_recursive(_LOCK_T lock) {
    (void)lock;
}

void __retarget_lock_acquire(_LOCK_T lock) {
    (void)lock;
    if (libc_locking()) {
        vTaskSuspendAll();
    }
}

void __retarget_lock_acquire_recursive(_LOCK_T lock) {
    __retarget_lock_acquire(lock);
}

int __retarget_lock_try_acquire(_LOCK_T lock) {
    __retarget_lock_acquire(lock);
    return 1;
}

int __retarget_lock_try_acquire_recursive(_LOCK_T lock) {
    __retarget_lock_acquire(lock);
    return 1;
}

void __retarget_lock_release(_LOCK_T lock) {
    (void)lock;
    if (libc_locking()) {
        xTaskResumeAll();
    }
}

void __retarget_lock_release_recursive(_LOCK_T lock) {
    __retarget_lock_release(lock);
}

// ---- flash erase/program: rtos_flash.c wraps flash_range_erase/flash_range_program (-Wl,--wrap) with
// pico-sdk's flash_safe_execute, whose safety helper comes with the kernel ----

// ---- deferred work (the upstream port's PendSV dispatch) on the "svc" task ----

static pendsv_dispatch_t dispatch_table[PENDSV_DISPATCH_NUM_SLOTS];
static TaskHandle_t service_task;
static StaticSemaphore_t dispatch_lock_storage;
static SemaphoreHandle_t dispatch_lock;

void pendsv_init(void) {
    dispatch_lock = xSemaphoreCreateRecursiveMutexStatic(&dispatch_lock_storage);
}

void pendsv_suspend(void) {
    if (libc_locking()) {
        xSemaphoreTakeRecursive(dispatch_lock, portMAX_DELAY);
    }
}

void pendsv_resume(void) {
    if (libc_locking()) {
        xSemaphoreGiveRecursive(dispatch_lock);
    }
}

void pendsv_schedule_dispatch(size_t slot, pendsv_dispatch_t f) {
    dispatch_table[slot] = f;
    if (service_task == NULL) {
        return;
    }
    if (xPortIsInsideInterrupt()) {
        BaseType_t woken = pdFALSE;
        vTaskNotifyGiveFromISR(service_task, &woken);
        portYIELD_FROM_ISR(woken);
    } else {
        xTaskNotifyGive(service_task);
    }
}

static void service_task_main(void *arg) {
    (void)arg;
    for (;;) {
        ulTaskNotifyTake(pdTRUE, portMAX_DELAY);
        xSemaphoreTakeRecursive(dispatch_lock, portMAX_DELAY);
        for (size_t i = 0; i < PENDSV_DISPATCH_NUM_SLOTS; i++) {
            pendsv_dispatch_t f = dispatch_table[i];
            if (f != NULL) {
                dispatch_table[i] = NULL;
                f();
            }
        }
        xSemaphoreGiveRecursive(dispatch_lock);
    }
}

// ---- start ----

#if MPRT_NET
#include "net_socket.h"
#endif

static void mp_task_main(void *arg) {
    void (*mp_main)(void) = (void (*)(void))arg;
    mp_main();
}

// The MicroPython task's stack is static (rtos.mp_stack_size): it is always there, and the C heap stays
// small.
static StackType_t mp_task_stack[MPRT_RTOS_MP_TASK_STACK_BYTES / sizeof(StackType_t)] __attribute__((aligned(8)));
static StaticTask_t mp_task_tcb;

void mprt_rtos_start(void (*mp_main)(void)) {
    xTaskCreate(service_task_main, "svc", MPRT_RTOS_SERVICE_TASK_STACK_WORDS, NULL, MPRT_RTOS_SERVICE_TASK_PRIORITY,
        &service_task);
    xTaskCreateStatic(mp_task_main, "mp", MPRT_RTOS_MP_TASK_STACK_BYTES / sizeof(StackType_t), (void *)mp_main,
        MPRT_RTOS_MP_TASK_PRIORITY, mp_task_stack, &mp_task_tcb);
    #if MPRT_NET
    mprt_net_start(); // lwIP's tcpip task (ports/rp2/net)
    #endif
    vTaskStartScheduler();
    panic("scheduler returned");
}
