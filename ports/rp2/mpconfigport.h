// MicroPythonRT rp2 port: MicroPython feature configuration.
//
// This header is included by every MicroPython source file (via py/mpconfig.h), so it holds only
// values that are fixed for the port. Everything a user can change with `mprt build --set` lives in
// the generated mprt_config.h, which only the port files that need it include: changing such a value
// never rebuilds the MicroPython core.

#ifndef MPRT_RP2_MPCONFIGPORT_H
#define MPRT_RP2_MPCONFIGPORT_H

#include <stdint.h>
#include <alloca.h>
#include "hardware/flash.h"
#include "hardware/spi.h"
#include "hardware/sync.h"
#include "pico/binary_info.h"
#include "pico/multicore.h"

// Board identity (generated per board from templates/board/mpconfigboard.h.hbs).
#include "mpconfigboard.h"

#define MICROPY_HW_MCU_NAME                     "RP2040"
#define MICROPY_CONFIG_ROM_LEVEL                (MICROPY_CONFIG_ROM_LEVEL_EXTRA_FEATURES)

// ---- USB device (TinyUSB): always on; whether it carries the REPL is a port option ----
#define MICROPY_HW_ENABLE_USBDEV                (1)
#define MICROPY_HW_USB_CDC                      (1)
#define MICROPY_HW_USB_MSC                      (0)
#if MPRT_RTOS
// rtos.kernel=builtin: the USB device belongs to its own task (ports/rp2/rtos/rtos_console_usb.c).
#define MICROPY_HW_ENABLE_USB_RUNTIME_DEVICE    (0)
#define MICROPY_EXCLUDE_SHARED_TINYUSB_USBD_CDC (1)
// A hard IRQ handler runs with a thread state of its own per core (vendor/patches/micropython/0005):
// the interrupted task may be no Python thread.
void *mprt_rtos_irq_hard_enter(void);
void mprt_rtos_irq_hard_exit(void *saved);
#define MICROPY_IRQ_HARD_ENTER()                mprt_rtos_irq_hard_enter()
#define MICROPY_IRQ_HARD_EXIT(saved)            mprt_rtos_irq_hard_exit(saved)
#else
#define MICROPY_HW_ENABLE_USB_RUNTIME_DEVICE    (1)
#endif
#define MICROPY_HW_USB_VID                      (0x2E8A)
#define MICROPY_HW_USB_PID                      (0x0005)
#define MICROPY_HW_USB_CDC_TX_TIMEOUT           (500)
// The UART REPL is implemented by our console layer (mp_console_uart.c), not by upstream uart.c.
#define MICROPY_HW_ENABLE_UART_REPL             (0)
#define MICROPY_HW_ENABLE_PSRAM                 (0)
#define MICROPY_HW_ROMFS_BYTES                  (0)
#define MICROPY_HW_BOOTSEL_DELAY_US             (8)
#define MICROPY_HW_SOFT_TIMER_ALARM_NUM         (2)

// ---- memory ----
#define MICROPY_ENABLE_GC                       (1)
#define MICROPY_GC_STACK_ENTRY_TYPE             uint16_t
#define MICROPY_ALLOC_PATH_MAX                  (128)
#define MICROPY_QSTR_BYTES_IN_HASH              (1)
#define MICROPY_STACK_CHECK_MARGIN              (256)
#define MICROPY_ENABLE_EMERGENCY_EXCEPTION_BUF  (1)
#define MICROPY_TRACKED_ALLOC                   (MICROPY_SSL_MBEDTLS)

// ---- compiler, emitters, VM ----
#define MICROPY_PERSISTENT_CODE_LOAD            (1)
// freeze (docs/freeze.md) copies compiled code into flash: it needs each raw code's bytecode length
// and child count, and the module's qstr/object table sizes
#define MICROPY_PERSISTENT_CODE_SAVE            (1)
// modules frozen on the device (ports/rp2/freeze, vendor patch 0002)
#define MICROPY_PORT_FIND_FROZEN(str, type, data) mprt_freeze_find((str), (type), (data))
#define MICROPY_PORT_FROZEN_LOADED(module, path) mprt_freeze_loaded((void *)(module), (path))
int mprt_freeze_find(const char *str, int *frozen_type, void **data);
void mprt_freeze_loaded(void *module, const char *path);
// snapshotted frozen modules (ports/rp2/freeze/mprt_freeze_snap.c, vendor patch 0008)
#define MICROPY_PORT_IMPORT_SNAPSHOT(name) mprt_freeze_import_snapshot(name)
#define MICROPY_PORT_FIXED_GLOBALS_LOOKUP(globals, name) mprt_freeze_globals_lookup((globals), (name))
#define MICROPY_PORT_FIXED_GLOBALS_STORE(globals, name, value) mprt_freeze_globals_store((globals), (name), (value))
// (mp_obj_t is void *, qstr is size_t: py/obj.h is not included yet)
#include <stdbool.h>
struct _mp_obj_dict_t;
struct _mp_map_elem_t;
void *mprt_freeze_import_snapshot(size_t name);
struct _mp_map_elem_t *mprt_freeze_globals_lookup(struct _mp_obj_dict_t *globals, size_t name);
bool mprt_freeze_globals_store(struct _mp_obj_dict_t *globals, size_t name, void *value);
// templates of snapshots (mutable objects copied to RAM where first taken), a snapshotted class's
// attributes and globals() of a snapshotted module (ports/rp2/freeze, vendor patch 0010)
struct _mp_obj_type_t;
struct _mp_map_t;
extern const struct _mp_obj_type_t mprt_type_freeze_template;
void *mprt_freeze_template_get(void *tpl);
#define MICROPY_PORT_ARG_DEFAULT(o) (((((uintptr_t)(o)) & 3) == 0 && (o) != NULL \
    && *(const void *const *)(o) == (const void *)&mprt_type_freeze_template) ? mprt_freeze_template_get(o) : (o))
#define MICROPY_PORT_FIXED_CLASS_LOOKUP(type, map, name) mprt_freeze_class_lookup((type), (map), (name))
#define MICROPY_PORT_FIXED_CLASS_STORE(type, name, value) mprt_freeze_class_store((type), (name), (value))
#define MICROPY_PORT_GLOBALS_DICT(globals) mprt_freeze_globals_dict(globals)
struct _mp_map_elem_t *mprt_freeze_class_lookup(const struct _mp_obj_type_t *type, struct _mp_map_t *map, size_t name);
bool mprt_freeze_class_store(const struct _mp_obj_type_t *type, size_t name, void *value);
struct _mp_obj_dict_t *mprt_freeze_globals_dict(struct _mp_obj_dict_t *globals);
#define MICROPY_EMIT_THUMB                      (1)
#define MICROPY_EMIT_INLINE_THUMB               (1)
#define MICROPY_EMIT_THUMB_ARMV7M               (0)
#define MICROPY_EMIT_INLINE_THUMB_FLOAT         (0)
#define MICROPY_OPT_COMPUTED_GOTO               (1)
#define MICROPY_READER_VFS                      (1)
#define MICROPY_LONGINT_IMPL                    (MICROPY_LONGINT_IMPL_MPZ)
#define MICROPY_FLOAT_IMPL                      (MICROPY_FLOAT_IMPL_FLOAT)
#define MICROPY_SCHEDULER_DEPTH                 (8)
#define MICROPY_SCHEDULER_STATIC_NODES          (1)
#define MICROPY_USE_INTERNAL_ERRNO              (1)
// The errno module: MicroPython's default names plus those the fd layer (lib/posix) and its files
// raise; the two MicroPython lacks, with Linux's values (as every MP_E*).
#define MP_ENOTEMPTY                            (39)
#define MP_ENAMETOOLONG                         (36)
#define MICROPY_PY_ERRNO_LIST \
    X(EPERM) X(ENOENT) X(EINTR) X(EIO) X(EBADF) X(EAGAIN) X(ENOMEM) X(EACCES) X(EEXIST) X(ENODEV) \
    X(EXDEV) X(ENOTDIR) X(EISDIR) X(EINVAL) X(ENFILE) X(EMFILE) X(ENOTTY) X(EFBIG) X(ENOSPC) \
    X(ESPIPE) X(EROFS) X(EPIPE) X(ENAMETOOLONG) X(ENOTEMPTY) X(EOPNOTSUPP) X(EADDRINUSE) \
    X(ECONNABORTED) X(ECONNRESET) X(ENOBUFS) X(ENOTCONN) X(ETIMEDOUT) X(ECONNREFUSED) X(EHOSTUNREACH) \
    X(EALREADY) X(EINPROGRESS)
#define MICROPY_MAKE_POINTER_CALLABLE(p)        ((void *)((mp_uint_t)(p) | 1))
// OSError's subclasses chosen by errno, as builtins (ports/rp2/mp_oserror.c, called from py/objexcept.c by
// vendor/patches/micropython/0002-oserror-subclass-by-errno.patch).
#define MICROPY_PY_OSERROR_SUBCLASS_BY_ERRNO    (1)
#define MPRT_OSERROR_TYPES(X) \
    X(BlockingIOError) X(BrokenPipeError) X(ChildProcessError) X(ConnectionAbortedError) X(ConnectionError) \
    X(ConnectionRefusedError) X(ConnectionResetError) X(FileExistsError) X(FileNotFoundError) \
    X(InterruptedError) X(IsADirectoryError) X(NotADirectoryError) X(PermissionError) \
    X(ProcessLookupError) X(TimeoutError)
#define MPRT_OSERROR_DECLARE(name) extern const struct _mp_obj_type_t mp_type_##name;
MPRT_OSERROR_TYPES(MPRT_OSERROR_DECLARE)
#define MPRT_OSERROR_BUILTIN(name) { MP_ROM_QSTR(MP_QSTR_##name), MP_ROM_PTR(&mp_type_##name) },
#define MICROPY_PORT_EXTRA_BUILTINS             MPRT_OSERROR_TYPES(MPRT_OSERROR_BUILTIN)

#if MPRT_POSIX
// ---- stdout and stderr are fds 1 and 2 (ports/rp2/posix/mp_stdio.c): C's prints and the tracebacks
// follow os.dup2 (the REPL's prompts and the raw REPL's framing stay on the console) ----
void mp_posix_print_stdout(const char *str, size_t len);
#define MP_PLAT_PRINT_STRN(str, len)            mp_posix_print_stdout(str, len)
extern const struct _mp_print_t mp_posix_stderr_print;
#define MICROPY_ERROR_PRINTER                   (&mp_posix_stderr_print)
#endif

#if MPRT_RTOS
// ---- select over lib/posix fds and streams: ports/rp2/posix/mp_modselect.c replaces extmod's ----
#define MICROPY_PY_SELECT                       (0)
// ---- top-level await at the friendly REPL, run by asyncio.repl_runner (ports/rp2/posix/mp_repl_await.c;
// the pyexec hook is vendor/patches/micropython/0004-pyexec-repl-await-hook.patch) ----
#define MICROPY_COMP_ALLOW_TOP_LEVEL_AWAIT      (1)
#define MICROPY_PYEXEC_REPL_AWAIT               (1)

// ---- threads are kernel tasks (rtos.kernel=builtin): a GIL, handed over every 32 VM jumps ----
#define MICROPY_PY_THREAD                       (1)
#define MICROPY_PY_THREAD_GIL                   (1)
#define MICROPY_PY_THREAD_GIL_VM_DIVISOR        (32)
void mprt_rtos_wake_main(void);
// Work scheduled from an interrupt or another task wakes the main thread if it waits.
#define MICROPY_SCHED_HOOK_SCHEDULED            mp_hal_wake_main_task_from_isr_or_task()
void mp_hal_wake_main_task_from_isr_or_task(void);
// Signals (ports/rp2/posix/mp_signal.h): the VM's branch check and every event wait test the pending
// word; the main thread then runs the handlers through a scheduler node.
extern volatile uint32_t mprt_signal_pending;
void mprt_signal_hook(void);
// The RAM pool (ports/rp2/rtos/rtos_pool.c, docs/memory.md): the GC heap is a first area plus areas taken
// from the C heap's region while the C heap does not use it, freed when a sweep empties them; a malloc that
// failed for such an area asks the VM for a collection.
#define MICROPY_GC_SPLIT_HEAP                   (1)
#define MICROPY_GC_SPLIT_HEAP_AUTO              (1)
#define MP_PLAT_ALLOC_HEAP(size)                mprt_pool_gc_alloc(size)
#define MP_PLAT_FREE_HEAP(ptr)                  mprt_pool_gc_free(ptr)
void *mprt_pool_gc_alloc(size_t size);
void mprt_pool_gc_free(void *area);
extern volatile uint32_t mprt_pool_want_collect;
void mprt_pool_hook(void);
#define MICROPY_VM_HOOK_LOOP                    { if (mprt_signal_pending != 0) { mprt_signal_hook(); } \
                                                  if (mprt_pool_want_collect != 0) { mprt_pool_hook(); } }
#define MICROPY_INTERNAL_EVENT_HOOK             do { if (mprt_signal_pending != 0) { mprt_signal_hook(); } } while (0)
#else
// ---- threads (core 1, as the stock firmware) ----
#define MICROPY_PY_THREAD                       (1)
#define MICROPY_PY_THREAD_GIL                   (0)
#define MICROPY_THREAD_YIELD()                  mp_handle_pending(true)
#endif

// ---- builtins and modules (kept equal to the stock RPI_PICO firmware) ----
#define MICROPY_PY_BUILTINS_HELP_TEXT           rp2_help_text
#define MICROPY_PY_SYS_PLATFORM                 "rp2"
#define MICROPY_EPOCH_IS_1970                   (1)
#define MICROPY_PY_OS_INCLUDEFILE               "ports/rp2/modos.c"
#define MICROPY_PY_OS_DUPTERM                   (1)
#define MICROPY_PY_OS_DUPTERM_NOTIFY            (1)
#define MICROPY_PY_OS_SYNC                      (1)
#define MICROPY_PY_OS_UNAME                     (1)
#define MICROPY_PY_OS_URANDOM                   (1)
// Loadable native modules (ports/rp2/dynlink): `import NAME` also finds NAME.so, and `import os`
// gives the os module with dlopen/dlsym/dlerror/dllist/dlremove (py/builtin.h's port hook).
#define mp_builtin___import__                   mprt_dl_builtin_import
// bytearray/array.array: deletion, steps, stores of another length (F20, ports/rp2/mp_array_slice.c,
// called from py/objarray.c by vendor/patches/micropython/0001-array-subscr-port-hook.patch).
#define MICROPY_PY_ARRAY_SLICE_FULL             (1)
#define MICROPY_PY_RE_MATCH_GROUPS              (1)
#define MICROPY_PY_RE_MATCH_SPAN_START_END      (1)
#define MICROPY_PY_HASHLIB_SHA1                 (1)
#define MICROPY_PY_CRYPTOLIB                    (1)
// time: CPython's functions and struct_time on Picolibc, with TZ (F21, ports/rp2/time/mp_modtime.c, which
// gives gmtime/localtime/mktime itself); extmod/modtime.c keeps sleep*, ticks_*, time and time_ns.
// Without a kernel (no ports/rp2/time), the stock module.
#if MPRT_RTOS
#define MICROPY_PY_TIME_GMTIME_LOCALTIME_MKTIME (0)
#define MICROPY_PY_TIME_INCLUDEFILE             "mp_modtime.c"
#else
#define MICROPY_PY_TIME_GMTIME_LOCALTIME_MKTIME (1)
#define MICROPY_PY_TIME_INCLUDEFILE             "ports/rp2/modtime.c"
#endif
#define MICROPY_PY_TIME_TIME_TIME_NS            (1)
#define MICROPY_PY_RANDOM_SEED_INIT_FUNC        (rosc_random_u32())
#define MICROPY_PY_ONEWIRE                      (1)
#define MICROPY_SSL_MBEDTLS                     (1)

// machine: the upstream rp2 drivers, compiled by reference from the MicroPython tree
#define MICROPY_PY_MACHINE                      (1)
// upstream's ports/rp2/modmachine.c plus our entries (ports/rp2/mprt_modmachine.c)
#define MICROPY_PY_MACHINE_INCLUDEFILE          "mprt_modmachine.c"
#define MICROPY_PY_MACHINE_RESET                (1)
#define MICROPY_PY_MACHINE_BARE_METAL_FUNCS     (1)
#define MICROPY_PY_MACHINE_BOOTLOADER           (1)
#define MICROPY_PY_MACHINE_DISABLE_IRQ_ENABLE_IRQ (1)
#define MICROPY_PY_MACHINE_ADC                  (1)
#define MICROPY_PY_MACHINE_ADC_INCLUDEFILE      "ports/rp2/machine_adc.c"
#define MICROPY_PY_MACHINE_PIN_MAKE_NEW         mp_pin_make_new
#define MICROPY_PY_MACHINE_BITSTREAM            (1)
#define MICROPY_PY_MACHINE_DHT_READINTO         (1)
#define MICROPY_PY_MACHINE_PULSE                (1)
#define MICROPY_PY_MACHINE_PWM                  (1)
#define MICROPY_PY_MACHINE_PWM_INCLUDEFILE      "ports/rp2/machine_pwm.c"
#define MICROPY_PY_MACHINE_I2C                  (1)
#define MICROPY_PY_MACHINE_SOFTI2C              (1)
#define MICROPY_PY_MACHINE_I2S                  (1)
#define MICROPY_PY_MACHINE_I2S_INCLUDEFILE      "ports/rp2/machine_i2s.c"
#define MICROPY_PY_MACHINE_I2S_CONSTANT_RX      (RX)
#define MICROPY_PY_MACHINE_I2S_CONSTANT_TX      (TX)
#define MICROPY_PY_MACHINE_I2S_RING_BUF         (1)
#define MICROPY_PY_MACHINE_SPI                  (1)
#define MICROPY_PY_MACHINE_SPI_MSB              (SPI_MSB_FIRST)
#define MICROPY_PY_MACHINE_SPI_LSB              (SPI_LSB_FIRST)
#define MICROPY_PY_MACHINE_SOFTSPI              (1)
#define MICROPY_PY_MACHINE_UART                 (1)
#define MICROPY_PY_MACHINE_UART_INCLUDEFILE     "ports/rp2/machine_uart.c"
#define MICROPY_PY_MACHINE_UART_SENDBREAK       (1)
#define MICROPY_PY_MACHINE_UART_IRQ             (1)
#define MICROPY_PY_MACHINE_WDT                  (1)
#define MICROPY_PY_MACHINE_WDT_INCLUDEFILE      "ports/rp2/machine_wdt.c"
#define MICROPY_PY_MACHINE_FREQ_NUM_ARGS_MAX    (2)

// ---- filesystems: littlefs on the flash filesystem partition, FAT for SD cards ----
#define MICROPY_VFS                             (1)
#define MICROPY_VFS_LFS2                        (1)
#define MICROPY_VFS_FAT                         (1)
#define MICROPY_VFS_ROM                         (0)
#define MICROPY_FATFS_ENABLE_LFN                (2)
#define MICROPY_FATFS_LFN_CODE_PAGE             437
#define MICROPY_FATFS_RPATH                     (2)

// ---- networking: none built in (Pico W Wi-Fi comes later as a loadable module) ----
#define MICROPY_PY_LWIP_PPP                     (0)
#define MICROPY_PY_LWIP_SOCK_RAW                (0)
#define MICROPY_PORT_NETWORK_INTERFACES
#define MICROPY_BOARD_PENDSV_ENTRIES

// ---- hooks used by the upstream drivers ----
#define MICROPY_BOARD_ENTER_BOOTLOADER(nargs, args)
#define MICROPY_BOARD_STARTUP()
#define MICROPY_BOARD_EARLY_INIT()
#define MICROPY_BOARD_START_SOFT_RESET()
#define MICROPY_BOARD_END_SOFT_RESET()

#define MP_STATE_PORT MP_STATE_VM

#define MP_SSIZE_MAX (0x7fffffff)
typedef intptr_t mp_int_t;
typedef uintptr_t mp_uint_t;
typedef intptr_t mp_off_t;

// Frozen module names are listed in the binary info, as the stock firmware does.
#define BINARY_INFO_TAG_MICROPYTHON BINARY_INFO_MAKE_TAG('M', 'P')
#define BINARY_INFO_ID_MP_FROZEN 0x4a99d719
#define MICROPY_FROZEN_LIST_ITEM(name, file) bi_decl(bi_string(BINARY_INFO_TAG_MICROPYTHON, BINARY_INFO_ID_MP_FROZEN, name))

uint32_t rosc_random_u32(void);
void lwip_lock_acquire(void);
void lwip_lock_release(void);

#endif // MPRT_RP2_MPCONFIGPORT_H
