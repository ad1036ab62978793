// MicroPythonRT rp2 port: power-up, the MicroPython lifecycle (init, boot scripts, REPL, soft reset).

#include <stdio.h>
#include "py/compile.h"
#include "py/cstack.h"
#include "py/gc.h"
#include "py/mperrno.h"
#include "py/mphal.h"
#include "py/runtime.h"
#include "shared/readline/readline.h"
#include "shared/runtime/gchelper.h"
#include "shared/runtime/pyexec.h"
#include "shared/runtime/softtimer.h"
#include "shared/timeutils/timeutils.h"
#include "shared/tinyusb/mp_usbd.h"
#include "genhdr/mpversion.h"
#include "modmachine.h"
#include "modrp2.h"
#include "rp2_flash.h"
#include "pico/aon_timer.h"
#include "pico/binary_info.h"
#include "pico/stdlib.h"
#include "hardware/structs/scb.h"
#include "mp_console.h"
#include "dynlink/mprt_dynlink.h"
#include "freeze/mprt_freeze.h"
#if MPRT_RTOS
#include "posix/mp_posix.h"
#endif
#include "mprt_config.h"
#if MPRT_RTOS
#include "FreeRTOSConfig.h"
#include "env/mprt_env.h"
#include "rtos/rtos_pool.h"
void mprt_rtos_start(void (*mp_main)(void));
#endif

// Memory regions placed by the generated linker script (templates/memmap.ld.hbs).
extern uint8_t __StackTop, __StackBottom;
extern uint8_t __GcHeapStart, __GcHeapEnd;

void soft_timer_init(void);
void mp_thread_init(void);
void mp_thread_deinit(void);
void mp_thread_gc_others(void);

bi_decl(bi_program_version_string(MICROPY_GIT_TAG));
bi_decl(bi_program_feature_group_with_flags(BINARY_INFO_TAG_MICROPYTHON,
    BINARY_INFO_ID_MP_FROZEN, "frozen modules",
    BI_NAMED_GROUP_SEPARATE_COMMAS | BI_NAMED_GROUP_SORT_ALPHA));

static void hardware_init(void) {
    // Tickless: every pending interrupt must wake a WFE.
    scb_hw->scr |= M0PLUS_SCR_SEVONPEND_BITS;
    pendsv_init();
    soft_timer_init();
    // 125 MHz system clock; the peripheral clock stays at 48 MHz.
    set_sys_clock_khz(SYS_CLK_KHZ, false);
    rp2_flash_set_timing();
    mp_console_init();
    #if MICROPY_PY_THREAD && !MPRT_RTOS
    mp_thread_init();
    #endif
    // The RTC starts at 2021-01-01 00:00:00, as on the stock firmware.
    struct timespec ts = { .tv_sec = timeutils_seconds_since_epoch(2021, 1, 1, 0, 0, 0), .tv_nsec = 0 };
    aon_timer_start(&ts);
    mp_hal_time_ns_set_from_rtc();
}

static void subsystems_init(void) {
    readline_init0();
    machine_pin_init();
    rp2_pio_init();
    rp2_dma_init();
    machine_i2s_init0();
}

static void subsystems_deinit(void) {
    machine_i2s_deinit_all();
    rp2_dma_deinit();
    rp2_pio_deinit();
    machine_pwm_deinit_all();
    machine_pin_deinit();
    machine_uart_deinit_all();
    #if MICROPY_PY_THREAD
    mp_thread_deinit();
    #endif
    soft_timer_deinit();
    #if MICROPY_HW_ENABLE_USB_RUNTIME_DEVICE && !MPRT_RTOS
    mp_usbd_deinit();
    #endif
}

// Runs boot.py then main.py (friendly REPL mode only); returns false when one forced an exit.
static bool run_user_scripts(void) {
    int ret = pyexec_file_if_exists("boot.py");
    #if !MPRT_RTOS
    mp_usbd_init();
    #endif
    if (ret & PYEXEC_FORCED_EXIT) {
        return false;
    }
    if (pyexec_mode_kind == PYEXEC_MODE_FRIENDLY_REPL && ret != 0) {
        ret = pyexec_file_if_exists("main.py");
        if (ret & PYEXEC_FORCED_EXIT) {
            return false;
        }
    }
    return true;
}

static void run_repl(void) {
    for (;;) {
        int ret = pyexec_mode_kind == PYEXEC_MODE_RAW_REPL ? pyexec_raw_repl() : pyexec_friendly_repl();
        if (ret != 0) {
            return;
        }
    }
}

// Sets up the heaps, then initialises MicroPython and runs it until the next soft reset, forever.
static void mp_lifecycle(void) {
    // RAM for installed native modules comes first, then the GC heap
    size_t dl_ram = mprt_dl_reserve_ram((uintptr_t)&__GcHeapStart, (uintptr_t)&__GcHeapEnd);
    uint8_t *gc_end = &__GcHeapEnd;
    #if MPRT_RTOS
    // GC_HEAP in the boot environment: a smaller GC heap than the build's (docs/environment.md)
    size_t gc_want = mprt_env_gc_heap_size();
    if (gc_want >= 16 * 1024 && gc_want < (size_t)(gc_end - (&__GcHeapStart + dl_ram))) {
        gc_end = &__GcHeapStart + dl_ram + gc_want;
        // exactly that size: no areas from the RAM pool either (docs/memory.md)
        mprt_pool_set_gc_growth(false);
    }
    #endif
    gc_init(&__GcHeapStart + dl_ram, gc_end);
    for (;;) {
        mp_init();
        // the frozen image's qstr pool right after the firmware's, then installed modules' qstrs keep
        // their numbers (before anything else interns)
        mprt_freeze_init();
        mprt_dl_init();
        mp_obj_list_append(mp_sys_path, MP_OBJ_NEW_QSTR(MP_QSTR__slash_lib));
        subsystems_init();
        mp_console_start();
        #if MPRT_RTOS
        mp_posix_start(); // fds 0-2 on the console, the others closed
        #endif
        mprt_freeze_boot_report();

        // Mounts the littlefs filesystem partition, creating it when the partition is blank.
        pyexec_frozen_module("_boot.py", false);

        if (run_user_scripts()) {
            run_repl();
        }

        // a program that ended with the heap locked (micropython.heap_lock(), then an exception) must
        // not leave it locked: what follows allocates, and gc_init (which unlocks it) runs at power-up only
        MP_STATE_THREAD(gc_lock_depth) = 0;
        #if MPRT_RTOS
        mp_posix_stdio_reset(); // the message and what follows go to the console, whatever fd 1 was
        #endif
        mp_printf(MP_PYTHON_PRINTER, "MPY: soft reboot\n");
        subsystems_deinit();
        gc_sweep_all();
        mp_deinit();
    }
}

#if MPRT_RTOS
// The MicroPython task (with a kernel): its stack is static (rtos_main.c), the GC heap is the region
// of the linker script.
static void mp_task(void) {
    volatile uint32_t stack_top_marker = 0;
    // the thread state (MP_STATE_THREAD) must be known before anything uses it
    mp_thread_init();
    // the boot environment (TZ, GC_HEAP, MP_STACK: docs/environment.md), from flash
    mprt_env_boot();
    // the top of the task stack also holds the C library's thread-local block: leave it a margin; MP_STACK
    // can lower the limit (the task's stack itself is rtos.mp_stack_size)
    size_t stack_limit = MPRT_RTOS_MP_TASK_STACK_BYTES - 1024;
    size_t stack_want = mprt_env_mp_stack_size();
    if (stack_want >= 4096 && stack_want < stack_limit) {
        stack_limit = stack_want;
    }
    mp_cstack_init_with_top((void *)&stack_top_marker, stack_limit);
    mp_lifecycle();
}
#endif

int main(int argc, char **argv) {
    (void)argc;
    (void)argv;
    hardware_init();
    #if MPRT_RTOS
    mprt_rtos_start(mp_task);
    #else
    mp_cstack_init_with_top(&__StackTop, &__StackTop - &__StackBottom);
    mp_lifecycle();
    #endif
    return 0;
}

void gc_collect(void) {
    gc_collect_start();
    gc_helper_collect_regs_and_stack();
    mprt_dl_gc_collect();
    #if MICROPY_PY_THREAD
    mp_thread_gc_others();
    #endif
    gc_collect_end();
}

void nlr_jump_fail(void *val) {
    mp_printf(&mp_plat_print, "FATAL: uncaught exception %p\n", val);
    mp_obj_print_exception(&mp_plat_print, MP_OBJ_FROM_PTR(val));
    for (;;) {
        __breakpoint();
    }
}
