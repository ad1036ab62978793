// MicroPythonRT rp2 port: the signal module (CPython's names), os.kill and os.getpid. How a signal
// travels from where it is raised to the main thread: mp_signal.h.
//
// Dispositions: SIG_DFL (0), SIG_IGN (1) or a callable, called as handler(signum, None) in the main
// thread. The default action of SIGINT is KeyboardInterrupt (its initial handler is
// default_int_handler, as in CPython); the default action of every other signal, which ends a CPython
// process, raises SystemExit(128 + signum) in the main thread (so it ends a script like a process end,
// and can still be caught).
#include <errno.h>
#include <fcntl.h>
#include "py/runtime.h"
#include "py/mphal.h"
#include "py/mpthread.h"
#include "py/mperrno.h"
#include "shared/runtime/softtimer.h"
#include "posix.h"
#include "mp_signal.h"

#define SIG_DFL_VALUE (0)
#define SIG_IGN_VALUE (1)
#define SIGINT_NUM (2)
#define SIGKILL_NUM (9)
#define SIGALRM_NUM (14)
#define SIGSTOP_NUM (19)

// Handlers, by signal number; MP_OBJ_NULL means SIG_DFL. Written only by the main thread.
// (the generated root-pointer list cannot see MPRT_NSIG)
MP_REGISTER_ROOT_POINTER(mp_obj_t mprt_signal_handlers[32]);
_Static_assert(MPRT_NSIG == 32, "MPRT_NSIG");

volatile uint32_t mprt_signal_pending;

// What a Ctrl-C does, read by the console (another task or an interrupt) without the GIL.
enum { SIGINT_KBD, SIGINT_IGNORE, SIGINT_HANDLER };
static volatile uint8_t sigint_mode;

static mp_sched_node_t signal_node;

// signal.set_wakeup_fd: a byte (the signal number) is written to it before a Python handler runs, so a
// poll/select that the signal interrupted finds it readable when it is retried (an event loop wakes).
static int wakeup_fd = -1;

static soft_timer_entry_t alarm_timer;
static volatile bool alarm_armed; // under the soft-timer lock (pendsv_suspend)

static mp_obj_t default_int_handler(size_t n_args, const mp_obj_t *args) {
    (void)n_args;
    (void)args;
    mp_raise_type(&mp_type_KeyboardInterrupt);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(default_int_handler_obj, 0, 2, default_int_handler);

void mprt_signal_deliver(int sig) {
    uint32_t state = MICROPY_BEGIN_ATOMIC_SECTION();
    mprt_signal_pending |= 1u << sig;
    MICROPY_END_ATOMIC_SECTION(state);
    mp_hal_wake_main_task_from_isr_or_task();
}

void mprt_signal_interrupt_char(void) {
    switch (sigint_mode) {
        case SIGINT_KBD:
            mp_sched_keyboard_interrupt();
            break;
        case SIGINT_HANDLER:
            mprt_signal_deliver(SIGINT_NUM);
            break;
        default:
            break;
    }
}

static void signal_dispatch(int sig) {
    mp_obj_t h = MP_STATE_VM(mprt_signal_handlers)[sig];
    if (h == MP_OBJ_NEW_SMALL_INT(SIG_IGN_VALUE)) {
        return;
    }
    if (h == MP_OBJ_NULL || h == MP_OBJ_NEW_SMALL_INT(SIG_DFL_VALUE)) {
        if (sig == SIGINT_NUM) {
            mp_raise_type(&mp_type_KeyboardInterrupt);
        }
        mp_raise_type_arg(&mp_type_SystemExit, MP_OBJ_NEW_SMALL_INT(128 + sig));
    }
    if (wakeup_fd >= 0) {
        uint8_t b = (uint8_t)sig;
        posix_write(wakeup_fd, &b, 1); // non-blocking: a full pipe drops it, as CPython does
    }
    mp_call_function_2(h, MP_OBJ_NEW_SMALL_INT(sig), mp_const_none);
}

// Main thread: runs the handlers of the pending signals, lowest number first. One that raises leaves
// the others pending (they run at the next check).
static void signal_run_pending(void) {
    for (;;) {
        uint32_t state = MICROPY_BEGIN_ATOMIC_SECTION();
        uint32_t m = mprt_signal_pending;
        int sig = m ? __builtin_ctz(m) : 0;
        mprt_signal_pending = m & ~(1u << sig);
        MICROPY_END_ATOMIC_SECTION(state);
        if (m == 0) {
            return;
        }
        signal_dispatch(sig);
    }
}

// Runs the handlers where no exception handler is active (a wait at the REPL prompt): an exception is
// printed, as CPython's interactive loop prints one raised by a handler.
static void signal_run_pending_protected(void) {
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        signal_run_pending();
        nlr_pop();
    } else {
        mp_obj_print_exception(&mp_plat_print, MP_OBJ_FROM_PTR(nlr.ret_val));
    }
}

// The scheduler node, run by mp_handle_pending. Another thread may run it (the scheduler runs in
// whichever thread holds the GIL when work is pending): it then leaves the signals pending, and the
// main thread queues the node again at its next check.
static void signal_node_run(mp_sched_node_t *node) {
    (void)node;
    if (!mp_thread_is_main_thread()) {
        return;
    }
    if (MP_STATE_THREAD(nlr_top) == NULL) {
        signal_run_pending_protected();
        return;
    }
    // mp_sched_run_pending locked the scheduler (exactly once: it runs only when it was pending) to
    // run this node. Handlers are ordinary Python code: unlocked meanwhile, so the VM hands the GIL
    // over and a signal arriving during a handler is handled. Locked again after, so the caller's
    // unlock pairs; an exception leaves it unlocked, skipping that unlock.
    mp_sched_unlock();
    signal_run_pending();
    mp_sched_lock();
}

void mprt_signal_hook(void) {
    if (mp_thread_is_main_thread()) {
        mp_sched_schedule_node(&signal_node, signal_node_run);
    }
}

// A signal the caller sends to the process: in the main thread its handler has run on return.
static void signal_raise(int sig) {
    mprt_signal_deliver(sig);
    if (mp_thread_is_main_thread()) {
        signal_run_pending();
    }
}

static int signal_number(mp_obj_t sig_in) {
    mp_int_t sig = mp_obj_get_int(sig_in);
    if (sig < 1 || sig >= MPRT_NSIG) {
        mp_raise_ValueError(MP_ERROR_TEXT("signal number out of range"));
    }
    return (int)sig;
}

static mp_obj_t handler_of(int sig) {
    mp_obj_t h = MP_STATE_VM(mprt_signal_handlers)[sig];
    return h == MP_OBJ_NULL ? MP_OBJ_NEW_SMALL_INT(SIG_DFL_VALUE) : h;
}

static mp_obj_t signal_signal(mp_obj_t sig_in, mp_obj_t handler) {
    int sig = signal_number(sig_in);
    if (!mp_thread_is_main_thread()) {
        mp_raise_ValueError(MP_ERROR_TEXT("signal only works in main thread of the main interpreter"));
    }
    bool dfl = handler == MP_OBJ_NEW_SMALL_INT(SIG_DFL_VALUE);
    bool ign = handler == MP_OBJ_NEW_SMALL_INT(SIG_IGN_VALUE);
    if (!dfl && !ign && !mp_obj_is_callable(handler)) {
        mp_raise_TypeError(MP_ERROR_TEXT("signal handler must be signal.SIG_IGN, signal.SIG_DFL, or a callable object"));
    }
    if (sig == SIGKILL_NUM || sig == SIGSTOP_NUM) {
        mp_raise_OSError(MP_EINVAL);
    }
    mp_obj_t old = handler_of(sig);
    MP_STATE_VM(mprt_signal_handlers)[sig] = handler;
    if (sig == SIGINT_NUM) {
        sigint_mode = ign ? SIGINT_IGNORE
            : (dfl || handler == MP_OBJ_FROM_PTR(&default_int_handler_obj)) ? SIGINT_KBD : SIGINT_HANDLER;
    }
    return old;
}
static MP_DEFINE_CONST_FUN_OBJ_2(signal_signal_obj, signal_signal);

static mp_obj_t signal_getsignal(mp_obj_t sig_in) {
    return handler_of(signal_number(sig_in));
}
static MP_DEFINE_CONST_FUN_OBJ_1(signal_getsignal_obj, signal_getsignal);

// as raise(3): signal 0 does nothing, an invalid number is EINVAL
static mp_obj_t signal_raise_signal(mp_obj_t sig_in) {
    mp_int_t sig = mp_obj_get_int(sig_in);
    if (sig < 0 || sig >= MPRT_NSIG) {
        mp_raise_OSError(MP_EINVAL);
    }
    if (sig != 0) {
        signal_raise((int)sig);
    }
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(signal_raise_signal_obj, signal_raise_signal);

// set_wakeup_fd(fd, /, *, warn_on_full_buffer=True) -> the previous fd; -1 turns it off
static mp_obj_t signal_set_wakeup_fd(size_t n_args, const mp_obj_t *args, mp_map_t *kw_args) {
    (void)n_args;
    (void)kw_args;
    mp_int_t fd = mp_obj_get_int(args[0]);
    if (!mp_thread_is_main_thread()) {
        mp_raise_ValueError(MP_ERROR_TEXT("set_wakeup_fd only works in main thread of the main interpreter"));
    }
    if (fd != -1) {
        int fl = posix_fcntl((int)fd, F_GETFL, 0);
        if (fl == -1) {
            mp_raise_OSError(errno);
        }
        if (!(fl & O_NONBLOCK)) {
            mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("the fd %d must be in non-blocking mode"), (int)fd);
        }
    }
    int old = wakeup_fd;
    wakeup_fd = (int)fd;
    return MP_OBJ_NEW_SMALL_INT(old);
}
static MP_DEFINE_CONST_FUN_OBJ_KW(signal_set_wakeup_fd_obj, 1, signal_set_wakeup_fd);

// The soft-timer task (not an interrupt) runs this when the alarm is due.
static void alarm_fired(soft_timer_entry_t *entry) {
    (void)entry;
    alarm_armed = false;
    mprt_signal_deliver(SIGALRM_NUM);
}

// Cancels the alarm; returns the seconds that were left (rounded as Linux's alarm(2) does).
static mp_int_t alarm_cancel(void) {
    mp_int_t left = 0;
    MICROPY_PY_PENDSV_ENTER;
    if (alarm_armed) {
        int32_t ms = soft_timer_ticks_diff(alarm_timer.expiry_ms, soft_timer_get_ms());
        if (ms < 1) {
            ms = 1; // due but not yet delivered: still pending, as POSIX counts it
        }
        left = ms / 1000;
        if (ms % 1000 >= 500 || left == 0) {
            left++;
        }
        soft_timer_remove(&alarm_timer);
        alarm_armed = false;
    }
    MICROPY_PY_PENDSV_EXIT;
    return left;
}

static mp_obj_t signal_alarm(mp_obj_t seconds_in) {
    mp_int_t seconds = mp_obj_get_int(seconds_in);
    if (seconds < 0 || seconds > 0x3fffffff / 1000) {
        mp_raise_msg(&mp_type_OverflowError, MP_ERROR_TEXT("seconds out of range"));
    }
    mp_int_t left = alarm_cancel();
    if (seconds > 0) {
        MICROPY_PY_PENDSV_ENTER;
        soft_timer_static_init(&alarm_timer, SOFT_TIMER_MODE_ONE_SHOT, 0, alarm_fired);
        soft_timer_insert(&alarm_timer, (uint32_t)seconds * 1000);
        alarm_armed = true;
        MICROPY_PY_PENDSV_EXIT;
    }
    return MP_OBJ_NEW_SMALL_INT(left);
}
static MP_DEFINE_CONST_FUN_OBJ_1(signal_alarm_obj, signal_alarm);

void mprt_signal_reset(void) {
    alarm_cancel();
    for (int i = 0; i < MPRT_NSIG; i++) {
        MP_STATE_VM(mprt_signal_handlers)[i] = MP_OBJ_NULL;
    }
    MP_STATE_VM(mprt_signal_handlers)[SIGINT_NUM] = MP_OBJ_FROM_PTR(&default_int_handler_obj);
    sigint_mode = SIGINT_KBD;
    wakeup_fd = -1;
    mprt_signal_pending = 0;
    // signal_node may still be queued from before the reset (mp_init keeps static nodes): it runs,
    // finds nothing pending and is free again
}

// ---- os.kill, os.getpid (the firmware is one process, pid 1) ----

#define MPRT_PID (1)

static mp_obj_t mprt_os_kill(mp_obj_t pid_in, mp_obj_t sig_in) {
    mp_int_t pid = mp_obj_get_int(pid_in);
    mp_int_t sig = mp_obj_get_int(sig_in);
    if (pid != 0 && pid != MPRT_PID && pid != -1 && pid != -MPRT_PID) {
        mp_raise_OSError(MP_ESRCH);
    }
    if (sig < 0 || sig >= MPRT_NSIG) {
        mp_raise_OSError(MP_EINVAL);
    }
    if (sig != 0) {
        signal_raise((int)sig);
    }
    return mp_const_none;
}
MP_DEFINE_CONST_FUN_OBJ_2(mprt_os_kill_obj, mprt_os_kill);

static mp_obj_t mprt_os_getpid(void) {
    return MP_OBJ_NEW_SMALL_INT(MPRT_PID);
}
MP_DEFINE_CONST_FUN_OBJ_0(mprt_os_getpid_obj, mprt_os_getpid);

// _thread.interrupt_main(signum=SIGINT): the signal as if it arrived, when Python handles it (a
// signal left at SIG_DFL or SIG_IGN is not raised, as in CPython 3.10+).
static mp_obj_t mprt_thread_interrupt_main(size_t n_args, const mp_obj_t *args) {
    int sig = n_args > 0 ? signal_number(args[0]) : SIGINT_NUM;
    mp_obj_t h = MP_STATE_VM(mprt_signal_handlers)[sig];
    if (h != MP_OBJ_NULL && mp_obj_is_callable(h)) {
        signal_raise(sig);
    }
    return mp_const_none;
}
MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(mprt_thread_interrupt_main_obj, 0, 1, mprt_thread_interrupt_main);

static const mp_rom_map_elem_t signal_module_globals_table[] = {
    { MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR_signal) },
    { MP_ROM_QSTR(MP_QSTR_signal), MP_ROM_PTR(&signal_signal_obj) },
    { MP_ROM_QSTR(MP_QSTR_getsignal), MP_ROM_PTR(&signal_getsignal_obj) },
    { MP_ROM_QSTR(MP_QSTR_raise_signal), MP_ROM_PTR(&signal_raise_signal_obj) },
    { MP_ROM_QSTR(MP_QSTR_alarm), MP_ROM_PTR(&signal_alarm_obj) },
    { MP_ROM_QSTR(MP_QSTR_set_wakeup_fd), MP_ROM_PTR(&signal_set_wakeup_fd_obj) },
    { MP_ROM_QSTR(MP_QSTR_default_int_handler), MP_ROM_PTR(&default_int_handler_obj) },
    { MP_ROM_QSTR(MP_QSTR_SIG_DFL), MP_ROM_INT(SIG_DFL_VALUE) },
    { MP_ROM_QSTR(MP_QSTR_SIG_IGN), MP_ROM_INT(SIG_IGN_VALUE) },
    { MP_ROM_QSTR(MP_QSTR_SIGHUP), MP_ROM_INT(1) },
    { MP_ROM_QSTR(MP_QSTR_SIGINT), MP_ROM_INT(SIGINT_NUM) },
    { MP_ROM_QSTR(MP_QSTR_SIGQUIT), MP_ROM_INT(3) },
    { MP_ROM_QSTR(MP_QSTR_SIGUSR1), MP_ROM_INT(10) },
    { MP_ROM_QSTR(MP_QSTR_SIGUSR2), MP_ROM_INT(12) },
    { MP_ROM_QSTR(MP_QSTR_SIGALRM), MP_ROM_INT(SIGALRM_NUM) },
    { MP_ROM_QSTR(MP_QSTR_SIGTERM), MP_ROM_INT(15) },
    { MP_ROM_QSTR(MP_QSTR_NSIG), MP_ROM_INT(MPRT_NSIG) },
};
static MP_DEFINE_CONST_DICT(signal_module_globals, signal_module_globals_table);

const mp_obj_module_t mp_module_signal = {
    .base = { &mp_type_module },
    .globals = (mp_obj_dict_t *)&signal_module_globals,
};

MP_REGISTER_MODULE(MP_QSTR_signal, mp_module_signal);
