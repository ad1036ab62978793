// MicroPythonRT rp2 port: stdin, stdout and stderr are fds 0, 1 and 2 (lib/posix), so os.dup2 from
// Python or dup2 from C redirects them.
//
// What follows the fds:
//   sys.stdin, sys.stdout, sys.stderr (and their .buffer): print, sys.stdout.write, the REPL's echo of
//   a result, sys.print_exception's default - fd 0, 1, 2; blocking as in CPython (the GIL released,
//   Ctrl-C ends the wait with KeyboardInterrupt); errors raise OSError.
//   mp_plat_print (mp_printf from C, help(), micropython.mem_info()) - fd 1; MICROPY_ERROR_PRINTER
//   (the REPL's tracebacks, through vendor/patches/micropython/0003-pyexec-traceback-error-printer.patch,
//   exceptions in threads and IRQ callbacks, warnings) - fd 2. A C printer cannot raise, so on a file
//   that is not the console it waits at most MP_STDIO_PRINT_TIMEOUT_MS for room and drops what does
//   not fit then (as the console drops output its host does not read), and does not wait again for
//   that file until it takes bytes: a full pipe on fd 1 or 2 never hangs the REPL or a soft reset.
// What stays on the console: the REPL's prompts and line editing, the raw REPL's framing ("OK", \x04,
// ">"), the banner: the REPL is the console's (mp_hal_stdout_tx_strn), so it stays usable, and
// mpremote and `mprt test` keep their protocol, whatever fds 0-2 name.
//
// When a fd names the console (checked without the fd layer's lock) the bytes take the stock path:
// text through mp_hal_stdout_tx_strn_cooked ("\n" -> "\r\n"), .buffer raw; stdin as the stock
// firmware reads it. Other files get the bytes as written (a pipe receives "\n"). Where the fd layer
// cannot be used - in an interrupt handler (print from a hard IRQ callback), with the scheduler
// suspended, before the first mp_posix_start - output goes to the console.
#include <errno.h>
#include <string.h>
#include "py/runtime.h"
#include "py/stream.h"
#include "py/mphal.h"
#include "py/mpthread.h"
#include "FreeRTOS.h"
#include "task.h"
#include "posix_file.h"
#include "mp_posix.h"

#define MP_STDIO_PRINT_TIMEOUT_MS (MICROPY_HW_USB_CDC_TX_TIMEOUT)

// True when fd names the console, or a terminal the console was moved to (os.dup2, TTY: text then goes
// the console's way, mp_hal_stdout_tx_strn_cooked with "\r\n", which follows fds 0 and 1 there,
// mp_posix.c), or when the fd layer cannot be used here.
static bool on_console(int fd) {
    if (!mp_posix_stdio_ready || xPortIsInsideInterrupt() || xTaskGetSchedulerState() != taskSCHEDULER_RUNNING) {
        return true;
    }
    if (posix_fd_peek(fd) == &mp_posix_console_file) {
        return true;
    }
    posix_file_t *f = posix_file_get(fd);
    if (f == NULL) {
        return false;
    }
    bool tty = f->ops->tty;
    posix_file_put(f);
    return tty;
}

// ---- the C printers: mp_plat_print (fd 1) and the error printer (fd 2) ----

// The file a C printer last gave up on: while it stays full, later prints to it do not wait again (a
// traceback is many small prints; it costs one timeout, not one per print).
static posix_file_t *stalled;

static void print_fd(int fd, const char *str, size_t len) {
    if (on_console(fd)) {
        mp_hal_stdout_tx_strn_cooked(str, len);
        return;
    }
    posix_file_t *f = posix_fd_peek(fd);
    // a Python thread (which holds the GIL) lets other threads run - a reader of the pipe - while it waits
    bool python = mp_thread_get_state() != NULL;
    bool was = mp_posix_python_call;
    int saved_errno = errno;
    while (len > 0) {
        struct pollfd p = { .fd = fd, .events = POLLOUT, .revents = 0 };
        mp_posix_python_call = python;
        int r = posix_poll(&p, 1, f == stalled ? 0 : MP_STDIO_PRINT_TIMEOUT_MS);
        ssize_t n = -1;
        if (r > 0 && (p.revents & POLLOUT)) {
            // a pipe polls writable with PIPE_BUF bytes free: a write of that much does not block
            n = posix_write(fd, str, len < POSIX_PIPE_ATOMIC ? len : POSIX_PIPE_ATOMIC);
        }
        mp_posix_python_call = was;
        if (n <= 0) {
            stalled = r == 0 ? f : stalled;
            break; // no room in time, closed, interrupted: the rest is dropped
        }
        stalled = stalled == f ? NULL : stalled;
        str += n;
        len -= (size_t)n;
    }
    errno = saved_errno;
}

void mp_posix_print_stdout(const char *str, size_t len) {
    print_fd(1, str, len);
}

static void print_stderr(void *env, const char *str, size_t len) {
    (void)env;
    print_fd(2, str, len);
}

const mp_print_t mp_posix_stderr_print = { NULL, print_stderr };

// ---- sys.stdin, sys.stdout, sys.stderr ----

typedef struct _mp_stdio_obj_t {
    mp_obj_base_t base;
    int fd;
} mp_stdio_obj_t;

static mp_uint_t fd_read(int fd, void *buf, mp_uint_t size, int *errcode) {
    ssize_t r;
    MP_POSIX_CALL(r, posix_read(fd, buf, size));
    if (r < 0) {
        *errcode = errno;
        return MP_STREAM_ERROR;
    }
    return (mp_uint_t)r;
}

static mp_uint_t fd_write(int fd, const void *buf, mp_uint_t size, int *errcode) {
    ssize_t r;
    MP_POSIX_CALL(r, posix_write(fd, buf, size));
    if (r < 0) {
        *errcode = errno;
        return MP_STREAM_ERROR;
    }
    return (mp_uint_t)r;
}

static mp_uint_t stdio_read(mp_obj_t self_in, void *buf, mp_uint_t size, int *errcode) {
    mp_stdio_obj_t *self = MP_OBJ_TO_PTR(self_in);
    if (!on_console(self->fd)) {
        return fd_read(self->fd, buf, size, errcode);
    }
    if (self->fd != 0) {
        *errcode = MP_EPERM;
        return MP_STREAM_ERROR;
    }
    for (mp_uint_t i = 0; i < size; i++) {
        int c = mp_hal_stdin_rx_chr();
        ((byte *)buf)[i] = c == '\r' ? '\n' : c;
    }
    return size;
}

uint32_t mp_stdio_py_written;

static mp_uint_t stdio_write(mp_obj_t self_in, const void *buf, mp_uint_t size, int *errcode) {
    mp_stdio_obj_t *self = MP_OBJ_TO_PTR(self_in);
    mp_stdio_py_written += size;
    if (!on_console(self->fd)) {
        return fd_write(self->fd, buf, size, errcode);
    }
    if (self->fd == 0) {
        *errcode = MP_EPERM;
        return MP_STREAM_ERROR;
    }
    mp_hal_stdout_tx_strn_cooked(buf, size);
    return size;
}

static mp_uint_t stdio_ioctl(mp_obj_t self_in, mp_uint_t request, uintptr_t arg, int *errcode) {
    mp_stdio_obj_t *self = MP_OBJ_TO_PTR(self_in);
    switch (request) {
        case MP_STREAM_POLL: {
            if (on_console(self->fd)) {
                return mp_hal_stdio_poll(arg);
            }
            struct pollfd p = {
                .fd = self->fd,
                .events = (arg & MP_STREAM_POLL_RD ? POLLIN : 0) | (arg & MP_STREAM_POLL_WR ? POLLOUT : 0),
            };
            if (posix_poll(&p, 1, 0) < 0) {
                *errcode = errno;
                return MP_STREAM_ERROR;
            }
            return (p.revents & POLLIN ? MP_STREAM_POLL_RD : 0) | (p.revents & POLLOUT ? MP_STREAM_POLL_WR : 0)
                   | (p.revents & POLLHUP ? MP_STREAM_POLL_HUP : 0) | (p.revents & (POLLERR | POLLNVAL) ? MP_STREAM_POLL_ERR : 0);
        }
        case MP_STREAM_FLUSH:
        case MP_STREAM_CLOSE:
            return 0;
        case MP_STREAM_GET_FILENO:
            return self->fd;
        default:
            *errcode = MP_EINVAL;
            return MP_STREAM_ERROR;
    }
}

static void stdio_print(const mp_print_t *print, mp_obj_t self_in, mp_print_kind_t kind) {
    (void)kind;
    mp_stdio_obj_t *self = MP_OBJ_TO_PTR(self_in);
    mp_printf(print, "<io.%s %d>", mp_obj_get_type_str(self_in), self->fd);
}

static mp_obj_t stdio_fileno(mp_obj_t self_in) {
    mp_stdio_obj_t *self = MP_OBJ_TO_PTR(self_in);
    return MP_OBJ_NEW_SMALL_INT(self->fd);
}
static MP_DEFINE_CONST_FUN_OBJ_1(stdio_fileno_obj, stdio_fileno);

static const mp_stdio_obj_t stdio_buffers[3];

static void stdio_attr(mp_obj_t self_in, qstr attr, mp_obj_t *dest) {
    mp_stdio_obj_t *self = MP_OBJ_TO_PTR(self_in);
    if (dest[0] == MP_OBJ_NULL && attr == MP_QSTR_buffer) {
        dest[0] = MP_OBJ_FROM_PTR(&stdio_buffers[self->fd]);
    } else {
        dest[1] = MP_OBJ_SENTINEL; // continue lookup in locals_dict
    }
}

static const mp_rom_map_elem_t stdio_locals_dict_table[] = {
    { MP_ROM_QSTR(MP_QSTR_read), MP_ROM_PTR(&mp_stream_read_obj) },
    { MP_ROM_QSTR(MP_QSTR_readinto), MP_ROM_PTR(&mp_stream_readinto_obj) },
    { MP_ROM_QSTR(MP_QSTR_readline), MP_ROM_PTR(&mp_stream_unbuffered_readline_obj)},
    { MP_ROM_QSTR(MP_QSTR_readlines), MP_ROM_PTR(&mp_stream_unbuffered_readlines_obj)},
    { MP_ROM_QSTR(MP_QSTR_write), MP_ROM_PTR(&mp_stream_write_obj) },
    { MP_ROM_QSTR(MP_QSTR_flush), MP_ROM_PTR(&mp_stream_flush_obj) },
    { MP_ROM_QSTR(MP_QSTR_fileno), MP_ROM_PTR(&stdio_fileno_obj) },
    { MP_ROM_QSTR(MP_QSTR_close), MP_ROM_PTR(&mp_identity_obj) },
    { MP_ROM_QSTR(MP_QSTR___enter__), MP_ROM_PTR(&mp_identity_obj) },
    { MP_ROM_QSTR(MP_QSTR___exit__), MP_ROM_PTR(&mp_stream___exit___obj) },
};
static MP_DEFINE_CONST_DICT(stdio_locals_dict, stdio_locals_dict_table);

static const mp_stream_p_t stdio_stream_p = {
    .read = stdio_read,
    .write = stdio_write,
    .ioctl = stdio_ioctl,
    .is_text = true,
};

static MP_DEFINE_CONST_OBJ_TYPE(
    stdio_type,
    MP_QSTR_TextIOWrapper,
    MP_TYPE_FLAG_ITER_IS_STREAM,
    print, stdio_print,
    attr, stdio_attr,
    protocol, &stdio_stream_p,
    locals_dict, &stdio_locals_dict
    );

const mp_stdio_obj_t mp_sys_stdin_obj = {{&stdio_type}, .fd = 0};
const mp_stdio_obj_t mp_sys_stdout_obj = {{&stdio_type}, .fd = 1};
const mp_stdio_obj_t mp_sys_stderr_obj = {{&stdio_type}, .fd = 2};

// .buffer: bytes, no newline translation on the console either (as the stock firmware)

static mp_uint_t buffer_read(mp_obj_t self_in, void *buf, mp_uint_t size, int *errcode) {
    mp_stdio_obj_t *self = MP_OBJ_TO_PTR(self_in);
    if (!on_console(self->fd)) {
        return fd_read(self->fd, buf, size, errcode);
    }
    for (mp_uint_t i = 0; i < size; i++) {
        ((byte *)buf)[i] = mp_hal_stdin_rx_chr();
    }
    return size;
}

static mp_uint_t buffer_write(mp_obj_t self_in, const void *buf, mp_uint_t size, int *errcode) {
    mp_stdio_obj_t *self = MP_OBJ_TO_PTR(self_in);
    mp_stdio_py_written += size;
    if (!on_console(self->fd)) {
        return fd_write(self->fd, buf, size, errcode);
    }
    return mp_hal_stdout_tx_strn(buf, size);
}

static const mp_stream_p_t buffer_stream_p = {
    .read = buffer_read,
    .write = buffer_write,
    .ioctl = stdio_ioctl,
    .is_text = false,
};

static MP_DEFINE_CONST_OBJ_TYPE(
    buffer_type,
    MP_QSTR_FileIO,
    MP_TYPE_FLAG_ITER_IS_STREAM,
    print, stdio_print,
    protocol, &buffer_stream_p,
    locals_dict, &stdio_locals_dict
    );

static const mp_stdio_obj_t stdio_buffers[3] = {
    {{&buffer_type}, .fd = 0},
    {{&buffer_type}, .fd = 1},
    {{&buffer_type}, .fd = 2},
};
