// MicroPythonRT rp2 port: lib/posix in the firmware (see mp_posix.h).
//
// The console file: reads take what the console has received (stdin_ringbuf, filled from the USB task's
// stream buffer), writes go to mp_hal_stdout_tx_strn. A task waiting for console input is woken by
// the console's own notification: the USB task notifies the task that last looked at the input
// (mp_console_poll_rx records it) on notification index 1, and the firmware builds lib/posix with
// POSIX_NOTIFY_INDEX 1 (templates/CMakeLists.txt.hbs), so that wake-up, and the one a Ctrl-C sends to
// the main thread, end a wait in the layer too. Spurious wake-ups of MicroPython's own event waits on
// that index are harmless: they re-check their condition.
// When a poll found the console's transmit buffer full, the USB task calls mp_console_tx_ready once it
// has moved bytes out, which wakes the tasks waiting for the console's POLLOUT.
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include "FreeRTOS.h"
#include "task.h"
#include "py/runtime.h"
#include "py/mphal.h"
#include "py/mpthread.h"
#include "py/stream.h"
#include "posix_file.h"
#include "posix_vfs.h"
#include "mp_console.h"
#include "mprt_usb_tty.h"
#include "mp_posix.h"
#include "mp_signal.h"
#include "mp_vfs_posix.h"
#include "mp_tty_uart.h"

__thread bool mp_posix_python_call;
static __thread bool gil_released;

static ssize_t console_read(posix_file_t *f, void *buf, size_t len) {
    (void)f;
    if (len == 0) {
        return 0;
    }
    mp_console_poll_rx();
    uint8_t *b = buf;
    size_t n = 0;
    while (n < len) {
        int c = ringbuf_get(&stdin_ringbuf);
        if (c < 0) {
            break;
        }
        b[n++] = (uint8_t)c;
    }
    return n > 0 ? (ssize_t)n : -EAGAIN;
}

static ssize_t console_write(posix_file_t *f, const void *buf, size_t len) {
    (void)f;
    // Output the host does not read is dropped after a timeout, as the stock firmware does.
    mp_hal_stdout_tx_strn(buf, len);
    return (ssize_t)len;
}

static unsigned console_poll(posix_file_t *f) {
    (void)f;
    uintptr_t ready = mp_console_poll(MP_STREAM_POLL_RD | MP_STREAM_POLL_WR);
    return (ready & MP_STREAM_POLL_RD ? POLLIN : 0) | (ready & MP_STREAM_POLL_WR ? POLLOUT : 0);
}

static const posix_file_ops_t console_ops = {
    .read = console_read,
    .write = console_write,
    .poll = console_poll,
    .mode = S_IFCHR | 0620,
    .tty = true,
    .write_all = true,
};

posix_file_t mp_posix_console_file;
bool mp_posix_stdio_ready;

void mp_console_tx_ready(void) {
    posix_file_notify(&mp_posix_console_file);
}
static void console_from_env(void);

// /dev/ttyUSB0: the console as a device; each open is a description of its own (its own O_NONBLOCK).
static void console_dev_release(posix_file_t *f) {
    free(f);
}

static const posix_file_ops_t console_dev_ops = {
    .read = console_read,
    .write = console_write,
    .poll = console_poll,
    .release = console_dev_release,
    .mode = S_IFCHR | 0620,
    .tty = true,
    .write_all = true,
};

static int console_dev_open(void *ctx, int flags, posix_file_t **out) {
    (void)ctx;
    posix_file_t *f = malloc(sizeof(posix_file_t));
    if (f == NULL) {
        return -ENOMEM;
    }
    posix_file_init(f, &console_dev_ops, flags & (O_ACCMODE | O_NONBLOCK | O_APPEND));
    *out = f;
    return 0;
}

static const posix_chardev_t console_dev = { .open = console_dev_open, .mode = 0620 };

// An exception to raise, or (in the main thread) a signal to handle: the wait ends with EINTR. Not a
// signal while the scheduler is locked (a call made from a scheduled callback): its handlers could not
// run before the retry, which would fail again at once; they run after the callback.
static bool python_interrupted(void) {
    return MP_STATE_THREAD(mp_pending_exception) != MP_OBJ_NULL
           || (mprt_signal_pending != 0 && mp_thread_is_main_thread() && MP_STATE_VM(sched_state) >= 0); // < 0: locked
}

// A Python call about to block: give up if an exception or a signal is pending, else let other threads
// run. C code that Python called (a native module's read(), write(), poll()) holds the GIL too: the
// wait releases it as well, but is not interrupted (C sees no EINTR it did not ask for).
static bool python_block_begin(void) {
    if (mp_posix_python_call) {
        if (python_interrupted()) {
            return true;
        }
    } else if (!mprt_rtos_gil_held) {
        return false; // a task that is no Python thread, or C that released the GIL itself
    }
    gil_released = true;
    MP_THREAD_GIL_EXIT();
    return false;
}

static bool python_block_end(void) {
    if (gil_released) {
        gil_released = false;
        MP_THREAD_GIL_ENTER();
    }
    return mp_posix_python_call && python_interrupted();
}

static const posix_block_hooks_t python_hooks = {
    .block_begin = python_block_begin,
    .block_end = python_block_end,
};

void mp_posix_start(void) {
    static bool console_ready;
    if (!console_ready) {
        posix_file_init(&mp_posix_console_file, &console_ops, O_RDWR);
        posix_chardev_register("ttyUSB0", &console_dev, NULL);
        mprt_usb_tty_register(); // /dev/ttyUSB1.. of a saved usb.UsbConfig (ports/rp2/usb)
        mp_tty_uart_register();
        console_ready = true;
    }
    posix_set_block_hooks(&python_hooks);
    mprt_signal_reset();
    mp_vfs_posix_start(); // before the fds close: the previous VM's files are only freed
    for (int fd = 0; fd < POSIX_FD_MAX; fd++) {
        if (fd <= 2) {
            posix_fd_install_at(&mp_posix_console_file, fd);
        } else {
            posix_close(fd);
        }
    }
    mp_tty_uart_soft_reset();
    mp_posix_stdio_ready = true;
    console_from_env();
}

// Before a soft reset's "MPY: soft reboot": fds 0-2 on the console again.
void mp_posix_stdio_reset(void) {
    mp_posix_console_restore();
}

// ---- moving the console (docs/vfs.md "Moving the console") ----

static bool console_started;

// Whether fd names a terminal other than the console (a dup2 or TTY moved it there): the REPL follows.
// A pipe or a file is not a move (print is captured there, mp_stdio.c; the REPL stays on the console),
// nor is a closed fd: stdio then stays on the console, so the board is never without one.
static bool stdio_moved(int fd) {
    if (!console_started || xPortIsInsideInterrupt() || xTaskGetSchedulerState() != taskSCHEDULER_RUNNING) {
        return false;
    }
    posix_file_t *f = posix_file_get(fd);
    if (f == NULL) {
        return false;
    }
    bool moved = f != &mp_posix_console_file && f->ops != &console_dev_ops && f->ops->tty;
    posix_file_put(f);
    return moved;
}

bool mp_posix_stdin_moved(void) {
    return stdio_moved(0);
}

void mp_posix_console_restore(void) {
    for (int fd = 0; fd <= 2; fd++) {
        posix_fd_install_at(&mp_posix_console_file, fd);
    }
}

int mp_posix_stdin_chr(void) {
    struct pollfd p = { .fd = 0, .events = POLLIN };
    int r;
    MP_POSIX_CALL(r, posix_poll_wake(&p, 1, -1));
    if (r <= 0 || p.revents == 0) {
        return -1; // a console wake-up: the caller looks at the console again
    }
    uint8_t c;
    int fl = posix_fcntl(0, F_GETFL, 0);
    if (fl == -1 || (p.revents & POLLNVAL)) {
        mp_posix_console_restore();
        return -1;
    }
    posix_fcntl(0, F_SETFL, fl | O_NONBLOCK);
    ssize_t n;
    MP_POSIX_CALL(n, posix_read(0, &c, 1));
    int err = errno;
    posix_fcntl(0, F_SETFL, fl);
    if (n == 1) {
        return c;
    }
    if (n == 0 || err != EAGAIN) {
        // end of file or an error on fd 0 (a pipe's writer gone): input comes from the console again
        mp_posix_console_restore();
    }
    return -1;
}

bool mp_posix_stdout_write(const char *buf, size_t len) {
    if (!stdio_moved(1)) {
        return false;
    }
    while (len > 0) {
        ssize_t n = posix_write(1, buf, len);
        if (n <= 0) {
            if (n == -1 && errno == EINTR) {
                continue;
            }
            return false; // the console takes it
        }
        buf += n;
        len -= n;
    }
    return true;
}

// TTY in the environment: the device fds 0-2 name at each (soft) reset, set raw with ISIG (Ctrl-C on
// it interrupts). Unset, empty or /dev/ttyUSB0: the USB console. A value that does not open as a tty
// leaves the console where it is, with a message there.
static void console_from_env(void) {
    console_started = true;
    const char *tty = getenv("TTY");
    if (tty == NULL || tty[0] == '\0' || strcmp(tty, "/dev/ttyUSB0") == 0) {
        return;
    }
    int fd = posix_open(tty, O_RDWR, 0);
    struct termios t;
    if (fd < 0 || !posix_isatty(fd) || tcgetattr(fd, &t) != 0) {
        int err = fd < 0 ? errno : ENOTTY;
        if (fd >= 0) {
            posix_close(fd);
        }
        mp_printf(&mp_plat_print, "TTY=%s: not a tty (errno %d), the console stays on USB\n", tty, err);
        return;
    }
    cfmakeraw(&t);
    t.c_lflag |= ISIG;
    tcsetattr(fd, TCSANOW, &t);
    mp_printf(&mp_plat_print, "console on %s (TTY)\n", tty);
    for (int i = 0; i <= 2; i++) {
        posix_dup2(fd, i);
    }
    posix_close(fd);
}
