// MicroPythonRT rp2 port: the os functions on lib/posix fds, with CPython's names and semantics:
// pipe read write close dup dup2 lseek fstat isatty get_blocking set_blocking eventfd eventfd_read
// eventfd_write cpu_count, the O_*, SEEK_* and EFD_* constants and os.name. ports/rp2/dynlink/dl_modos.c adds
// them to the os module it builds (mprt_os_extend).
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include "py/runtime.h"
#include "py/objstr.h"
#include "py/objint.h"
#include "FreeRTOS.h"
#include "posix.h"
#include "mp_posix.h"
#include "mp_modos_env.h"
#include "mp_vfs_posix.h"

static mp_int_t check(mp_int_t r) {
    if (r == -1) {
        mp_posix_raise(errno);
    }
    return r;
}

static int fd_of(mp_obj_t fd_in) {
    return mp_obj_get_int(fd_in);
}

// os.pipe() -> (r, w)
static mp_obj_t os_pipe(void) {
    int fds[2];
    int r;
    MP_POSIX_CALL(r, posix_pipe(fds));
    check(r);
    mp_obj_t t[2] = { MP_OBJ_NEW_SMALL_INT(fds[0]), MP_OBJ_NEW_SMALL_INT(fds[1]) };
    return mp_obj_new_tuple(2, t);
}
static MP_DEFINE_CONST_FUN_OBJ_0(os_pipe_obj, os_pipe);

// os.read(fd, n) -> bytes (b'' at end of file); blocks, with the GIL released, until something is there.
static mp_obj_t os_read(mp_obj_t fd_in, mp_obj_t n_in) {
    int fd = fd_of(fd_in);
    mp_int_t n = mp_obj_get_int(n_in);
    if (n < 0) {
        mp_raise_OSError(EINVAL); // as CPython
    }
    vstr_t v;
    vstr_init_len(&v, n);
    ssize_t r;
    MP_POSIX_CALL(r, posix_read(fd, v.buf, (size_t)n));
    if (r == -1) {
        vstr_clear(&v);
        mp_posix_raise(errno);
    }
    v.len = (size_t)r;
    return mp_obj_new_bytes_from_vstr(&v);
}
static MP_DEFINE_CONST_FUN_OBJ_2(os_read_obj, os_read);

// os.readinto(fd, buffer) -> bytes read into the writable buffer (CPython 3.14): no allocation.
static mp_obj_t os_readinto(mp_obj_t fd_in, mp_obj_t buf_in) {
    int fd = fd_of(fd_in);
    mp_buffer_info_t buf;
    mp_get_buffer_raise(buf_in, &buf, MP_BUFFER_WRITE);
    ssize_t r;
    MP_POSIX_CALL(r, posix_read(fd, buf.buf, buf.len));
    return mp_obj_new_int(check(r));
}
static MP_DEFINE_CONST_FUN_OBJ_2(os_readinto_obj, os_readinto);

// os.write(fd, data) -> bytes written; data is bytes-like (a str is a TypeError, as in CPython).
static mp_obj_t os_write(mp_obj_t fd_in, mp_obj_t data) {
    int fd = fd_of(fd_in);
    if (mp_obj_is_str(data)) {
        mp_raise_TypeError(MP_ERROR_TEXT("a bytes-like object is required, not 'str'"));
    }
    mp_buffer_info_t buf;
    mp_get_buffer_raise(data, &buf, MP_BUFFER_READ);
    ssize_t r;
    MP_POSIX_CALL(r, posix_write(fd, buf.buf, buf.len));
    return mp_obj_new_int(check(r));
}
static MP_DEFINE_CONST_FUN_OBJ_2(os_write_obj, os_write);

static mp_obj_t os_close(mp_obj_t fd_in) {
    int r;
    MP_POSIX_CALL(r, posix_close(fd_of(fd_in)));
    check(r);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(os_close_obj, os_close);

static mp_obj_t os_dup(mp_obj_t fd_in) {
    int r;
    MP_POSIX_CALL(r, posix_dup(fd_of(fd_in)));
    return MP_OBJ_NEW_SMALL_INT(check(r));
}
static MP_DEFINE_CONST_FUN_OBJ_1(os_dup_obj, os_dup);

// os.dup2(fd, fd2, inheritable=True) -> fd2
static mp_obj_t os_dup2(size_t n_args, const mp_obj_t *args) {
    int r;
    MP_POSIX_CALL(r, posix_dup2(fd_of(args[0]), fd_of(args[1])));
    return MP_OBJ_NEW_SMALL_INT(check(r));
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(os_dup2_obj, 2, 3, os_dup2);

static mp_obj_t os_lseek(mp_obj_t fd_in, mp_obj_t pos_in, mp_obj_t how_in) {
    off_t r;
    MP_POSIX_CALL(r, posix_lseek(fd_of(fd_in), (off_t)mp_obj_get_int(pos_in), mp_obj_get_int(how_in)));
    return mp_obj_new_int((mp_int_t)check((mp_int_t)r));
}
static MP_DEFINE_CONST_FUN_OBJ_3(os_lseek_obj, os_lseek);

// os.fstat(fd) -> os.stat_result, as os.stat: (mode, ino, dev, nlink, uid, gid, size, atime, mtime, ctime)
static mp_obj_t os_fstat(mp_obj_t fd_in) {
    struct stat st;
    int r;
    MP_POSIX_CALL(r, posix_fstat(fd_of(fd_in), &st));
    check(r);
    mp_obj_t t[10] = {
        mp_obj_new_int_from_uint(st.st_mode), mp_obj_new_int_from_uint(st.st_ino), mp_obj_new_int_from_uint(st.st_dev),
        mp_obj_new_int_from_uint(st.st_nlink), mp_obj_new_int_from_uint(st.st_uid), mp_obj_new_int_from_uint(st.st_gid),
        mp_obj_new_int_from_ll(st.st_size), mp_obj_new_int_from_ll(st.st_atime), mp_obj_new_int_from_ll(st.st_mtime),
        mp_obj_new_int_from_ll(st.st_ctime),
    };
    return mp_posix_stat_result(mp_obj_new_tuple(10, t));
}
static MP_DEFINE_CONST_FUN_OBJ_1(os_fstat_obj, os_fstat);

// os.isatty(fd) -> bool (False for a bad fd, as CPython)
static mp_obj_t os_isatty(mp_obj_t fd_in) {
    return mp_obj_new_bool(posix_isatty(fd_of(fd_in)) == 1);
}
static MP_DEFINE_CONST_FUN_OBJ_1(os_isatty_obj, os_isatty);

static mp_obj_t os_get_blocking(mp_obj_t fd_in) {
    int r;
    MP_POSIX_CALL(r, posix_fcntl(fd_of(fd_in), F_GETFL, 0));
    return mp_obj_new_bool((check(r) & O_NONBLOCK) == 0);
}
static MP_DEFINE_CONST_FUN_OBJ_1(os_get_blocking_obj, os_get_blocking);

static mp_obj_t os_set_blocking(mp_obj_t fd_in, mp_obj_t blocking_in) {
    int fd = fd_of(fd_in);
    int flags;
    MP_POSIX_CALL(flags, posix_fcntl(fd, F_GETFL, 0));
    check(flags);
    flags = mp_obj_is_true(blocking_in) ? (flags & ~O_NONBLOCK) : (flags | O_NONBLOCK);
    int r;
    MP_POSIX_CALL(r, posix_fcntl(fd, F_SETFL, flags));
    check(r);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_2(os_set_blocking_obj, os_set_blocking);

// os.eventfd(initval, flags=EFD_CLOEXEC) -> fd
static mp_obj_t os_eventfd(size_t n_args, const mp_obj_t *args) {
    mp_int_t init = mp_obj_get_int(args[0]);
    if (init < 0) {
        mp_raise_ValueError(MP_ERROR_TEXT("value must be positive"));
    }
    int flags = n_args > 1 ? mp_obj_get_int(args[1]) : EFD_CLOEXEC;
    int r;
    MP_POSIX_CALL(r, posix_eventfd((unsigned int)init, flags));
    return MP_OBJ_NEW_SMALL_INT(check(r));
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(os_eventfd_obj, 1, 2, os_eventfd);

// os.eventfd_read(fd) -> the counter (summed writes; 1 with EFD_SEMAPHORE)
static mp_obj_t os_eventfd_read(mp_obj_t fd_in) {
    uint64_t v;
    ssize_t r;
    MP_POSIX_CALL(r, posix_read(fd_of(fd_in), &v, sizeof(v)));
    check(r);
    return mp_obj_new_int_from_ull(v);
}
static MP_DEFINE_CONST_FUN_OBJ_1(os_eventfd_read_obj, os_eventfd_read);

static mp_obj_t os_eventfd_write(mp_obj_t fd_in, mp_obj_t value_in) {
    if (!mp_obj_is_int(value_in)) {
        mp_raise_TypeError(MP_ERROR_TEXT("an integer is required"));
    }
    if (mp_obj_int_sign(value_in) < 0) {
        mp_raise_ValueError(MP_ERROR_TEXT("value must be positive"));
    }
    if (mp_obj_is_true(mp_binary_op(MP_BINARY_OP_MORE, value_in, mp_obj_new_int_from_ull(UINT64_MAX)))) {
        mp_raise_msg(&mp_type_OverflowError, MP_ERROR_TEXT("int too big to convert"));
    }
    uint64_t v;
    if (mp_obj_is_small_int(value_in)) {
        v = (uint64_t)MP_OBJ_SMALL_INT_VALUE(value_in);
    } else {
        mp_obj_int_to_bytes_impl(value_in, false, sizeof(v), (byte *)&v);
    }
    ssize_t r;
    MP_POSIX_CALL(r, posix_write(fd_of(fd_in), &v, sizeof(v)));
    check(r);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_2(os_eventfd_write_obj, os_eventfd_write);

// ports/rp2/posix/mp_modsignal.c
extern const mp_obj_fun_builtin_fixed_t mprt_os_kill_obj;
extern const mp_obj_fun_builtin_fixed_t mprt_os_getpid_obj;
// os.cpu_count(): the cores the kernel schedules tasks (and so Python threads) on.
static mp_obj_t os_cpu_count(void) {
    return MP_OBJ_NEW_SMALL_INT(configNUMBER_OF_CORES);
}
static MP_DEFINE_CONST_FUN_OBJ_0(os_cpu_count_obj, os_cpu_count);

static const mp_rom_map_elem_t mprt_os_posix_table[] = {
    { MP_ROM_QSTR(MP_QSTR_name), MP_ROM_QSTR(MP_QSTR_posix) },
    { MP_ROM_QSTR(MP_QSTR_pipe), MP_ROM_PTR(&os_pipe_obj) },
    { MP_ROM_QSTR(MP_QSTR_read), MP_ROM_PTR(&os_read_obj) },
    { MP_ROM_QSTR(MP_QSTR_readinto), MP_ROM_PTR(&os_readinto_obj) },
    { MP_ROM_QSTR(MP_QSTR_write), MP_ROM_PTR(&os_write_obj) },
    { MP_ROM_QSTR(MP_QSTR_close), MP_ROM_PTR(&os_close_obj) },
    { MP_ROM_QSTR(MP_QSTR_dup), MP_ROM_PTR(&os_dup_obj) },
    { MP_ROM_QSTR(MP_QSTR_dup2), MP_ROM_PTR(&os_dup2_obj) },
    { MP_ROM_QSTR(MP_QSTR_lseek), MP_ROM_PTR(&os_lseek_obj) },
    { MP_ROM_QSTR(MP_QSTR_fstat), MP_ROM_PTR(&os_fstat_obj) },
    { MP_ROM_QSTR(MP_QSTR_isatty), MP_ROM_PTR(&os_isatty_obj) },
    { MP_ROM_QSTR(MP_QSTR_get_blocking), MP_ROM_PTR(&os_get_blocking_obj) },
    { MP_ROM_QSTR(MP_QSTR_set_blocking), MP_ROM_PTR(&os_set_blocking_obj) },
    { MP_ROM_QSTR(MP_QSTR_eventfd), MP_ROM_PTR(&os_eventfd_obj) },
    { MP_ROM_QSTR(MP_QSTR_eventfd_read), MP_ROM_PTR(&os_eventfd_read_obj) },
    { MP_ROM_QSTR(MP_QSTR_eventfd_write), MP_ROM_PTR(&os_eventfd_write_obj) },
    { MP_ROM_QSTR(MP_QSTR_kill), MP_ROM_PTR(&mprt_os_kill_obj) },
    { MP_ROM_QSTR(MP_QSTR_getpid), MP_ROM_PTR(&mprt_os_getpid_obj) },
    { MP_ROM_QSTR(MP_QSTR_cpu_count), MP_ROM_PTR(&os_cpu_count_obj) },
    { MP_ROM_QSTR(MP_QSTR_O_RDONLY), MP_ROM_INT(O_RDONLY) },
    { MP_ROM_QSTR(MP_QSTR_O_WRONLY), MP_ROM_INT(O_WRONLY) },
    { MP_ROM_QSTR(MP_QSTR_O_RDWR), MP_ROM_INT(O_RDWR) },
    { MP_ROM_QSTR(MP_QSTR_O_APPEND), MP_ROM_INT(O_APPEND) },
    { MP_ROM_QSTR(MP_QSTR_O_CREAT), MP_ROM_INT(O_CREAT) },
    { MP_ROM_QSTR(MP_QSTR_O_EXCL), MP_ROM_INT(O_EXCL) },
    { MP_ROM_QSTR(MP_QSTR_O_TRUNC), MP_ROM_INT(O_TRUNC) },
    { MP_ROM_QSTR(MP_QSTR_O_NONBLOCK), MP_ROM_INT(O_NONBLOCK) },
    { MP_ROM_QSTR(MP_QSTR_O_CLOEXEC), MP_ROM_INT(O_CLOEXEC) },
    { MP_ROM_QSTR(MP_QSTR_SEEK_SET), MP_ROM_INT(SEEK_SET) },
    { MP_ROM_QSTR(MP_QSTR_SEEK_CUR), MP_ROM_INT(SEEK_CUR) },
    { MP_ROM_QSTR(MP_QSTR_SEEK_END), MP_ROM_INT(SEEK_END) },
    { MP_ROM_QSTR(MP_QSTR_EFD_CLOEXEC), MP_ROM_INT(EFD_CLOEXEC) },
    { MP_ROM_QSTR(MP_QSTR_EFD_NONBLOCK), MP_ROM_INT(EFD_NONBLOCK) },
    { MP_ROM_QSTR(MP_QSTR_EFD_SEMAPHORE), MP_ROM_INT(EFD_SEMAPHORE) },
};

void mprt_os_extend(mp_obj_t globals) {
    for (size_t i = 0; i < MP_ARRAY_SIZE(mprt_os_posix_table); i++) {
        mp_obj_dict_store(globals, (mp_obj_t)mprt_os_posix_table[i].key, (mp_obj_t)mprt_os_posix_table[i].value);
    }
    mprt_os_env_extend(globals);
    mp_vfs_posix_os_extend(globals);
}
