// A module that uses the firmware's POSIX fd calls (lib/posix), on fds made in Python and the other way
// round (needs a firmware with a kernel: rtos.kernel=builtin, the default, or freertos):
//   pipeio.write(fd, data)        C write() on any fd (a pipe from os.pipe(), fd 1, ...) -> bytes written
//   pipeio.read(fd, n)            C read() of up to 256 bytes -> bytes
//   pipeio.poll_in(fd, ms)        C poll() for POLLIN -> True/False
//   pipeio.pipe()                 C pipe() -> (r, w), for os.read/os.write in Python
//   pipeio.start_writer(fd, n)    an RTOS task writes n lines "line <i>\n" then "end\n" to fd with
//                                 write(), blocking in the kernel when the pipe is full
//   pipeio.dup(fd), pipeio.dup2(fd, fd2)   C dup() and dup2() -> the new fd: stdout redirected from C
//   pipeio.say(text)              mp_printf(&mp_plat_print, ...): C's print, which follows fd 1
// The task touches only C state; errors come back as OSError(errno): a module reads the task's errno
// through posix_errno() (the C library's errno is thread-local, which the module linker cannot relocate).
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "FreeRTOS.h"
#include "task.h"
#include "posix.h"

#define ERRNO (*posix_errno())

#define WRITER_PRIORITY (3)
#define WRITER_STACK_WORDS (256)

static mp_obj_t pipeio_write(mp_obj_t fd_in, mp_obj_t data_in) {
    mp_buffer_info_t buf;
    mp_get_buffer_raise(data_in, &buf, MP_BUFFER_READ);
    ssize_t n = write(mp_obj_get_int(fd_in), buf.buf, buf.len);
    if (n < 0) {
        mp_raise_OSError(ERRNO);
    }
    return mp_obj_new_int(n);
}
static MP_DEFINE_CONST_FUN_OBJ_2(pipeio_write_obj, pipeio_write);

static mp_obj_t pipeio_read(mp_obj_t fd_in, mp_obj_t n_in) {
    mp_int_t len = mp_obj_get_int(n_in);
    if (len < 0 || len > 256) {
        mp_raise_ValueError(MP_ERROR_TEXT("n must be 0..256"));
    }
    uint8_t buf[256];
    ssize_t n = read(mp_obj_get_int(fd_in), buf, (size_t)len);
    if (n < 0) {
        mp_raise_OSError(ERRNO);
    }
    return mp_obj_new_bytes(buf, (size_t)n);
}
static MP_DEFINE_CONST_FUN_OBJ_2(pipeio_read_obj, pipeio_read);

static mp_obj_t pipeio_poll_in(mp_obj_t fd_in, mp_obj_t ms_in) {
    struct pollfd p = { .fd = mp_obj_get_int(fd_in), .events = POLLIN, .revents = 0 };
    int n = poll(&p, 1, mp_obj_get_int(ms_in));
    if (n < 0) {
        mp_raise_OSError(ERRNO);
    }
    return mp_obj_new_bool(n > 0 && (p.revents & POLLIN));
}
static MP_DEFINE_CONST_FUN_OBJ_2(pipeio_poll_in_obj, pipeio_poll_in);

static mp_obj_t pipeio_pipe(void) {
    int fds[2];
    if (pipe(fds) != 0) {
        mp_raise_OSError(ERRNO);
    }
    mp_obj_t t[2] = { mp_obj_new_int(fds[0]), mp_obj_new_int(fds[1]) };
    return mp_obj_new_tuple(2, t);
}
static MP_DEFINE_CONST_FUN_OBJ_0(pipeio_pipe_obj, pipeio_pipe);

static mp_obj_t pipeio_dup(mp_obj_t fd_in) {
    int fd = dup(mp_obj_get_int(fd_in));
    if (fd < 0) {
        mp_raise_OSError(ERRNO);
    }
    return mp_obj_new_int(fd);
}
static MP_DEFINE_CONST_FUN_OBJ_1(pipeio_dup_obj, pipeio_dup);

static mp_obj_t pipeio_dup2(mp_obj_t fd_in, mp_obj_t fd2_in) {
    int fd = dup2(mp_obj_get_int(fd_in), mp_obj_get_int(fd2_in));
    if (fd < 0) {
        mp_raise_OSError(ERRNO);
    }
    return mp_obj_new_int(fd);
}
static MP_DEFINE_CONST_FUN_OBJ_2(pipeio_dup2_obj, pipeio_dup2);

static mp_obj_t pipeio_say(mp_obj_t text_in) {
    mp_printf(&mp_plat_print, "C says: %s\n", mp_obj_str_get_str(text_in));
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(pipeio_say_obj, pipeio_say);

static volatile int writer_fd;
static volatile int writer_lines;

static void writer_main(void *arg) {
    (void)arg;
    char line[24];
    for (int i = 0; i < writer_lines; i++) {
        int len = snprintf(line, sizeof(line), "line %d\n", i);
        if (write(writer_fd, line, (size_t)len) != len) {
            break;
        }
    }
    write(writer_fd, "end\n", 4);
    vTaskDelete(NULL);
}

static mp_obj_t pipeio_start_writer(mp_obj_t fd_in, mp_obj_t n_in) {
    writer_fd = mp_obj_get_int(fd_in);
    writer_lines = mp_obj_get_int(n_in);
    if (xTaskCreate(writer_main, "pipeio", WRITER_STACK_WORDS, NULL, WRITER_PRIORITY, NULL) != pdPASS) {
        mp_raise_msg(&mp_type_MemoryError, MP_ERROR_TEXT("cannot create the task"));
    }
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_2(pipeio_start_writer_obj, pipeio_start_writer);

static const mp_rom_map_elem_t pipeio_globals_table[] = {
    { MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR_pipeio) },
    { MP_ROM_QSTR(MP_QSTR_write), MP_ROM_PTR(&pipeio_write_obj) },
    { MP_ROM_QSTR(MP_QSTR_read), MP_ROM_PTR(&pipeio_read_obj) },
    { MP_ROM_QSTR(MP_QSTR_poll_in), MP_ROM_PTR(&pipeio_poll_in_obj) },
    { MP_ROM_QSTR(MP_QSTR_pipe), MP_ROM_PTR(&pipeio_pipe_obj) },
    { MP_ROM_QSTR(MP_QSTR_start_writer), MP_ROM_PTR(&pipeio_start_writer_obj) },
    { MP_ROM_QSTR(MP_QSTR_dup), MP_ROM_PTR(&pipeio_dup_obj) },
    { MP_ROM_QSTR(MP_QSTR_dup2), MP_ROM_PTR(&pipeio_dup2_obj) },
    { MP_ROM_QSTR(MP_QSTR_say), MP_ROM_PTR(&pipeio_say_obj) },
};
static MP_DEFINE_CONST_DICT(pipeio_globals, pipeio_globals_table);

MPRT_MODULE(pipeio_module, pipeio_globals);
