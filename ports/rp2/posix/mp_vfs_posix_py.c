// MicroPythonRT rp2 port: the Python side of files and /dev on lib/posix (docs/vfs.md): file objects on
// fds (os.fdopen, files of /dev), DevFs (the VFS object mounted at /dev), BlockDev (a block device of
// lib/posix's table as a MicroPython block device, for vfs.VfsLfs2/VfsFat), os.stat_result and
// os.statvfs_result, and the module `_vfsposix` holding them.
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>
#include "py/runtime.h"
#include "py/stream.h"
#include "py/objtuple.h"
#include "py/objstr.h"
#include "py/mperrno.h"
#include "extmod/vfs.h"
#include "posix.h"
#include "posix_vfs.h"
#include "mp_posix.h"
#include "mp_vfs_posix.h"

// ---- file objects on fds ----
typedef struct _fd_file_obj_t {
    mp_obj_base_t base;
    int fd; // -1 once closed
    bool closefd;
} fd_file_obj_t;

static const mp_obj_type_t fd_fileio_type;
static const mp_obj_type_t fd_textio_type;

int mp_posix_mode_flags(const char *mode, bool *text) {
    int acc = -1, extra = 0;
    bool plus = false;
    *text = true;
    for (const char *m = mode; *m; m++) {
        int a = -1;
        switch (*m) {
            case 'r':
                a = O_RDONLY;
                break;
            case 'w':
                a = O_WRONLY;
                extra |= O_CREAT | O_TRUNC;
                break;
            case 'a':
                a = O_WRONLY;
                extra |= O_CREAT | O_APPEND;
                break;
            case 'x':
                a = O_WRONLY;
                extra |= O_CREAT | O_EXCL;
                break;
            case '+':
                plus = true;
                break;
            case 'b':
                *text = false;
                break;
            case 't':
                break;
            default:
                mp_raise_ValueError(MP_ERROR_TEXT("invalid mode"));
        }
        if (a >= 0) {
            if (acc >= 0) {
                mp_raise_ValueError(MP_ERROR_TEXT("invalid mode"));
            }
            acc = a;
        }
    }
    if (acc < 0) {
        mp_raise_ValueError(MP_ERROR_TEXT("invalid mode"));
    }
    return (plus ? O_RDWR : acc) | extra;
}

mp_obj_t mp_posix_fdopen(int fd, const char *mode, bool closefd) {
    bool text;
    mp_posix_mode_flags(mode, &text);
    fd_file_obj_t *o = mp_obj_malloc_with_finaliser(fd_file_obj_t, text ? &fd_textio_type : &fd_fileio_type);
    o->fd = fd;
    o->closefd = closefd;
    return MP_OBJ_FROM_PTR(o);
}

static void fd_file_print(const mp_print_t *print, mp_obj_t self_in, mp_print_kind_t kind) {
    (void)kind;
    fd_file_obj_t *self = MP_OBJ_TO_PTR(self_in);
    mp_printf(print, "<io.%s %d>", mp_obj_get_type_str(self_in), self->fd);
}

static mp_uint_t fd_file_read(mp_obj_t self_in, void *buf, mp_uint_t size, int *errcode) {
    fd_file_obj_t *self = MP_OBJ_TO_PTR(self_in);
    ssize_t r;
    MP_POSIX_CALL(r, posix_read(self->fd, buf, size));
    if (r < 0) {
        *errcode = mp_posix_errno_to_py(errno);
        return MP_STREAM_ERROR;
    }
    return (mp_uint_t)r;
}

static mp_uint_t fd_file_write(mp_obj_t self_in, const void *buf, mp_uint_t size, int *errcode) {
    fd_file_obj_t *self = MP_OBJ_TO_PTR(self_in);
    ssize_t r;
    MP_POSIX_CALL(r, posix_write(self->fd, buf, size));
    if (r < 0) {
        *errcode = mp_posix_errno_to_py(errno);
        return MP_STREAM_ERROR;
    }
    return (mp_uint_t)r;
}

static mp_uint_t fd_file_ioctl(mp_obj_t self_in, mp_uint_t request, uintptr_t arg, int *errcode) {
    fd_file_obj_t *self = MP_OBJ_TO_PTR(self_in);
    if (request == MP_STREAM_CLOSE) {
        if (self->fd >= 0 && self->closefd) {
            posix_close(self->fd);
        }
        self->fd = -1;
        return 0;
    }
    if (self->fd < 0) {
        *errcode = MP_EBADF;
        return MP_STREAM_ERROR;
    }
    switch (request) {
        case MP_STREAM_FLUSH:
            return 0;
        case MP_STREAM_SEEK: {
            struct mp_stream_seek_t *s = (struct mp_stream_seek_t *)arg;
            off_t r;
            MP_POSIX_CALL(r, posix_lseek(self->fd, (off_t)s->offset, s->whence));
            if (r < 0) {
                *errcode = mp_posix_errno_to_py(errno);
                return MP_STREAM_ERROR;
            }
            s->offset = r;
            return 0;
        }
        case MP_STREAM_POLL: {
            struct pollfd p = { .fd = self->fd, .events = 0 };
            p.events = (arg & MP_STREAM_POLL_RD ? POLLIN : 0) | (arg & MP_STREAM_POLL_WR ? POLLOUT : 0);
            int n = posix_poll(&p, 1, 0);
            mp_uint_t ret = 0;
            if (n > 0) {
                ret |= (p.revents & POLLIN ? MP_STREAM_POLL_RD : 0) | (p.revents & POLLOUT ? MP_STREAM_POLL_WR : 0)
                    | (p.revents & POLLHUP ? MP_STREAM_POLL_HUP : 0) | (p.revents & POLLERR ? MP_STREAM_POLL_ERR : 0);
            }
            return ret;
        }
        case MP_STREAM_GET_FILENO:
            return (mp_uint_t)self->fd;
        default:
            *errcode = MP_EINVAL;
            return MP_STREAM_ERROR;
    }
}

static mp_obj_t fd_file_fileno(mp_obj_t self_in) {
    fd_file_obj_t *self = MP_OBJ_TO_PTR(self_in);
    if (self->fd < 0) {
        mp_raise_ValueError(MP_ERROR_TEXT("I/O operation on closed file"));
    }
    return MP_OBJ_NEW_SMALL_INT(self->fd);
}
static MP_DEFINE_CONST_FUN_OBJ_1(fd_file_fileno_obj, fd_file_fileno);

static const mp_rom_map_elem_t fd_file_locals_dict_table[] = {
    { MP_ROM_QSTR(MP_QSTR_fileno), MP_ROM_PTR(&fd_file_fileno_obj) },
    { MP_ROM_QSTR(MP_QSTR_read), MP_ROM_PTR(&mp_stream_read_obj) },
    { MP_ROM_QSTR(MP_QSTR_readinto), MP_ROM_PTR(&mp_stream_readinto_obj) },
    { MP_ROM_QSTR(MP_QSTR_readline), MP_ROM_PTR(&mp_stream_unbuffered_readline_obj) },
    { MP_ROM_QSTR(MP_QSTR_readlines), MP_ROM_PTR(&mp_stream_unbuffered_readlines_obj) },
    { MP_ROM_QSTR(MP_QSTR_write), MP_ROM_PTR(&mp_stream_write_obj) },
    { MP_ROM_QSTR(MP_QSTR_seek), MP_ROM_PTR(&mp_stream_seek_obj) },
    { MP_ROM_QSTR(MP_QSTR_tell), MP_ROM_PTR(&mp_stream_tell_obj) },
    { MP_ROM_QSTR(MP_QSTR_flush), MP_ROM_PTR(&mp_stream_flush_obj) },
    { MP_ROM_QSTR(MP_QSTR_close), MP_ROM_PTR(&mp_stream_close_obj) },
    { MP_ROM_QSTR(MP_QSTR___del__), MP_ROM_PTR(&mp_stream_close_obj) },
    { MP_ROM_QSTR(MP_QSTR___enter__), MP_ROM_PTR(&mp_identity_obj) },
    { MP_ROM_QSTR(MP_QSTR___exit__), MP_ROM_PTR(&mp_stream___exit___obj) },
};
static MP_DEFINE_CONST_DICT(fd_file_locals_dict, fd_file_locals_dict_table);

static const mp_stream_p_t fd_fileio_stream_p = {
    .read = fd_file_read,
    .write = fd_file_write,
    .ioctl = fd_file_ioctl,
};

static MP_DEFINE_CONST_OBJ_TYPE(
    fd_fileio_type,
    MP_QSTR_FileIO,
    MP_TYPE_FLAG_ITER_IS_STREAM,
    print, fd_file_print,
    protocol, &fd_fileio_stream_p,
    locals_dict, &fd_file_locals_dict
    );

static const mp_stream_p_t fd_textio_stream_p = {
    .read = fd_file_read,
    .write = fd_file_write,
    .ioctl = fd_file_ioctl,
    .is_text = true,
};

static MP_DEFINE_CONST_OBJ_TYPE(
    fd_textio_type,
    MP_QSTR_TextIOWrapper,
    MP_TYPE_FLAG_ITER_IS_STREAM,
    print, fd_file_print,
    protocol, &fd_textio_stream_p,
    locals_dict, &fd_file_locals_dict
    );

// ---- stat_result, statvfs_result ----
static const qstr stat_fields[] = {
    MP_QSTR_st_mode, MP_QSTR_st_ino, MP_QSTR_st_dev, MP_QSTR_st_nlink, MP_QSTR_st_uid, MP_QSTR_st_gid,
    MP_QSTR_st_size, MP_QSTR_st_atime, MP_QSTR_st_mtime, MP_QSTR_st_ctime,
};
static const qstr statvfs_fields[] = {
    MP_QSTR_f_bsize, MP_QSTR_f_frsize, MP_QSTR_f_blocks, MP_QSTR_f_bfree, MP_QSTR_f_bavail, MP_QSTR_f_files,
    MP_QSTR_f_ffree, MP_QSTR_f_favail, MP_QSTR_f_flag, MP_QSTR_f_namemax,
};

static void result_attr(mp_obj_t self_in, qstr attr, mp_obj_t *dest) {
    if (dest[0] != MP_OBJ_NULL) {
        return; // read-only
    }
    mp_obj_tuple_t *self = MP_OBJ_TO_PTR(self_in);
    const qstr *fields = self->base.type == &mp_posix_stat_result_type ? stat_fields : statvfs_fields;
    for (size_t i = 0; i < self->len && i < 10; i++) {
        if (fields[i] == attr) {
            dest[0] = self->items[i];
            return;
        }
    }
    if (self->base.type == &mp_posix_stat_result_type) {
        // st_*_ns as CPython
        qstr ns[3] = { MP_QSTR_st_atime_ns, MP_QSTR_st_mtime_ns, MP_QSTR_st_ctime_ns };
        for (size_t i = 0; i < 3; i++) {
            if (attr == ns[i]) {
                dest[0] = mp_binary_op(MP_BINARY_OP_MULTIPLY, self->items[7 + i], mp_obj_new_int(1000000000));
                return;
            }
        }
    }
}

// stat_result(tuple): a copy of the 10 values with this type.
static mp_obj_t result_new(const mp_obj_type_t *type, mp_obj_t t) {
    size_t n;
    mp_obj_t *items;
    mp_obj_get_array(t, &n, &items);
    if (n != 10) {
        mp_raise_TypeError(MP_ERROR_TEXT("expected a sequence of 10"));
    }
    mp_obj_tuple_t *o = MP_OBJ_TO_PTR(mp_obj_new_tuple(n, items));
    o->base.type = type;
    return MP_OBJ_FROM_PTR(o);
}

static mp_obj_t result_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *args) {
    mp_arg_check_num(n_args, n_kw, 1, 1, false);
    return result_new(type, args[0]);
}

mp_obj_t mp_posix_stat_result(mp_obj_t t) {
    return mp_obj_is_type(t, &mp_type_tuple) && ((mp_obj_tuple_t *)MP_OBJ_TO_PTR(t))->len == 10
           ? result_new(&mp_posix_stat_result_type, t) : t;
}

mp_obj_t mp_posix_statvfs_result(mp_obj_t t) {
    return mp_obj_is_type(t, &mp_type_tuple) && ((mp_obj_tuple_t *)MP_OBJ_TO_PTR(t))->len == 10
           ? result_new(&mp_posix_statvfs_result_type, t) : t;
}

// Printed as tuples (*deviation*: CPython prints os.stat_result(st_mode=..., ...)): the stock VFS tests
// print os.stat results and expect tuples.
MP_DEFINE_CONST_OBJ_TYPE(
    mp_posix_stat_result_type,
    MP_QSTR_stat_result,
    MP_TYPE_FLAG_ITER_IS_GETITER,
    make_new, result_make_new,
    print, mp_obj_tuple_print,
    unary_op, mp_obj_tuple_unary_op,
    binary_op, mp_obj_tuple_binary_op,
    attr, result_attr,
    subscr, mp_obj_tuple_subscr,
    iter, mp_obj_tuple_getiter
    );

MP_DEFINE_CONST_OBJ_TYPE(
    mp_posix_statvfs_result_type,
    MP_QSTR_statvfs_result,
    MP_TYPE_FLAG_ITER_IS_GETITER,
    make_new, result_make_new,
    print, mp_obj_tuple_print,
    unary_op, mp_obj_tuple_unary_op,
    binary_op, mp_obj_tuple_binary_op,
    attr, result_attr,
    subscr, mp_obj_tuple_subscr,
    iter, mp_obj_tuple_getiter
    );

// ---- DevFs: /dev as a MicroPython VFS object ----
typedef struct _devfs_obj_t {
    mp_obj_base_t base;
} devfs_obj_t;

// "/dev" + the path the mount table passes (relative to the mount point, "/x" or "x")
static const char *dev_path(mp_obj_t path_in, vstr_t *v) {
    const char *p = mp_obj_str_get_str(path_in);
    vstr_init(v, 24);
    vstr_add_str(v, "/dev");
    if (*p != '/') {
        vstr_add_char(v, '/');
    }
    vstr_add_str(v, p);
    return vstr_null_terminated_str(v);
}

static mp_obj_t devfs_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *args) {
    mp_arg_check_num(n_args, n_kw, 0, 0, false);
    return mp_obj_malloc(devfs_obj_t, type);
}

static mp_obj_t devfs_mount(mp_obj_t self, mp_obj_t readonly, mp_obj_t mkfs) {
    (void)self;
    (void)readonly;
    if (mp_obj_is_true(mkfs)) {
        mp_raise_OSError(MP_EPERM);
    }
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_3(devfs_mount_obj, devfs_mount);

static mp_obj_t devfs_none(mp_obj_t self) {
    (void)self;
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(devfs_umount_obj, devfs_none);

static mp_obj_t devfs_open(mp_obj_t self, mp_obj_t path_in, mp_obj_t mode_in) {
    (void)self;
    bool text;
    const char *mode = mp_obj_str_get_str(mode_in);
    int flags = mp_posix_mode_flags(mode, &text);
    vstr_t v;
    const char *path = dev_path(path_in, &v);
    int fd;
    MP_POSIX_CALL(fd, posix_open(path, flags, 0666));
    vstr_clear(&v);
    if (fd < 0) {
        mp_posix_raise(errno);
    }
    return mp_posix_fdopen(fd, mode, true);
}
static MP_DEFINE_CONST_FUN_OBJ_3(devfs_open_obj, devfs_open);

// stat of a path under /dev, raising its errno.
static void devfs_stat_path(mp_obj_t path_in, struct stat *st) {
    vstr_t v;
    const char *path = dev_path(path_in, &v);
    int r = posix_stat(path, st);
    vstr_clear(&v);
    if (r < 0) {
        mp_posix_raise(errno);
    }
}

static mp_obj_t devfs_ilistdir(mp_obj_t self, mp_obj_t path_in) {
    (void)self;
    struct stat st;
    devfs_stat_path(path_in, &st);
    if (!S_ISDIR(st.st_mode)) {
        mp_raise_OSError(MP_ENOTDIR);
    }
    mp_obj_t list = mp_obj_new_list(0, NULL);
    const char *name;
    mode_t mode;
    for (int i = 0; posix_dev_entry(i, &name, &mode); i++) {
        mp_obj_t t[3] = { mp_obj_new_str_from_cstr(name), MP_OBJ_NEW_SMALL_INT(mode & S_IFMT), MP_OBJ_NEW_SMALL_INT(0) };
        mp_obj_list_append(list, mp_obj_new_tuple(3, t));
    }
    return mp_getiter(list, NULL);
}
static MP_DEFINE_CONST_FUN_OBJ_2(devfs_ilistdir_obj, devfs_ilistdir);

static mp_obj_t devfs_stat(mp_obj_t self, mp_obj_t path_in) {
    (void)self;
    struct stat st;
    devfs_stat_path(path_in, &st);
    mp_obj_t t[10] = {
        MP_OBJ_NEW_SMALL_INT(st.st_mode), MP_OBJ_NEW_SMALL_INT(0), MP_OBJ_NEW_SMALL_INT(0),
        MP_OBJ_NEW_SMALL_INT(st.st_nlink), MP_OBJ_NEW_SMALL_INT(0), MP_OBJ_NEW_SMALL_INT(0),
        mp_obj_new_int_from_ll(st.st_size), MP_OBJ_NEW_SMALL_INT(0), MP_OBJ_NEW_SMALL_INT(0), MP_OBJ_NEW_SMALL_INT(0),
    };
    return mp_obj_new_tuple(10, t);
}
static MP_DEFINE_CONST_FUN_OBJ_2(devfs_stat_obj, devfs_stat);

static mp_obj_t devfs_statvfs(mp_obj_t self, mp_obj_t path_in) {
    (void)self;
    (void)path_in;
    mp_obj_t t[10];
    for (size_t i = 0; i < 10; i++) {
        t[i] = MP_OBJ_NEW_SMALL_INT(0);
    }
    t[9] = MP_OBJ_NEW_SMALL_INT(15); // f_namemax: a device name's longest
    return mp_obj_new_tuple(10, t);
}
static MP_DEFINE_CONST_FUN_OBJ_2(devfs_statvfs_obj, devfs_statvfs);

static mp_obj_t devfs_refuse(size_t n_args, const mp_obj_t *args) {
    (void)n_args;
    (void)args;
    mp_raise_OSError(MP_EACCES); // /dev's entries come from registrations, not from paths
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(devfs_refuse_obj, 2, 3, devfs_refuse);

static mp_obj_t devfs_chdir(mp_obj_t self, mp_obj_t path_in) {
    (void)self;
    const char *p = mp_obj_str_get_str(path_in);
    if (strcmp(p, "/") != 0 && strcmp(p, "") != 0) {
        mp_raise_OSError(MP_ENOTDIR);
    }
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_2(devfs_chdir_obj, devfs_chdir);

static mp_obj_t devfs_getcwd(mp_obj_t self) {
    (void)self;
    return MP_OBJ_NEW_QSTR(MP_QSTR__slash_);
}
static MP_DEFINE_CONST_FUN_OBJ_1(devfs_getcwd_obj, devfs_getcwd);

static const mp_rom_map_elem_t devfs_locals_dict_table[] = {
    { MP_ROM_QSTR(MP_QSTR_mount), MP_ROM_PTR(&devfs_mount_obj) },
    { MP_ROM_QSTR(MP_QSTR_umount), MP_ROM_PTR(&devfs_umount_obj) },
    { MP_ROM_QSTR(MP_QSTR_open), MP_ROM_PTR(&devfs_open_obj) },
    { MP_ROM_QSTR(MP_QSTR_ilistdir), MP_ROM_PTR(&devfs_ilistdir_obj) },
    { MP_ROM_QSTR(MP_QSTR_stat), MP_ROM_PTR(&devfs_stat_obj) },
    { MP_ROM_QSTR(MP_QSTR_statvfs), MP_ROM_PTR(&devfs_statvfs_obj) },
    { MP_ROM_QSTR(MP_QSTR_chdir), MP_ROM_PTR(&devfs_chdir_obj) },
    { MP_ROM_QSTR(MP_QSTR_getcwd), MP_ROM_PTR(&devfs_getcwd_obj) },
    { MP_ROM_QSTR(MP_QSTR_mkdir), MP_ROM_PTR(&devfs_refuse_obj) },
    { MP_ROM_QSTR(MP_QSTR_remove), MP_ROM_PTR(&devfs_refuse_obj) },
    { MP_ROM_QSTR(MP_QSTR_rmdir), MP_ROM_PTR(&devfs_refuse_obj) },
    { MP_ROM_QSTR(MP_QSTR_rename), MP_ROM_PTR(&devfs_refuse_obj) },
};
static MP_DEFINE_CONST_DICT(devfs_locals_dict, devfs_locals_dict_table);

static MP_DEFINE_CONST_OBJ_TYPE(
    devfs_type,
    MP_QSTR_DevFs,
    MP_TYPE_FLAG_NONE,
    make_new, devfs_make_new,
    locals_dict, &devfs_locals_dict
    );

// ---- BlockDev: a block device of lib/posix's table, with MicroPython's block-device protocol
// (readblocks/writeblocks with offsets, ioctl), so vfs.VfsLfs2 and vfs.VfsFat mount it ----
typedef struct _blockdev_obj_t {
    mp_obj_base_t base;
    const posix_blockdev_t *dev;
    void *ctx;
    uint8_t *tmp; // one block, for partial writes (made at the first)
} blockdev_obj_t;

static mp_obj_t blockdev_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *args) {
    mp_arg_check_num(n_args, n_kw, 1, 1, false);
    void *ctx;
    const posix_blockdev_t *dev = posix_blockdev_find(mp_obj_str_get_str(args[0]), &ctx);
    if (dev == NULL) {
        mp_raise_OSError(MP_ENODEV);
    }
    blockdev_obj_t *o = mp_obj_malloc(blockdev_obj_t, type);
    o->dev = dev;
    o->ctx = ctx;
    o->tmp = NULL;
    return MP_OBJ_FROM_PTR(o);
}

static void blockdev_check(int r) {
    if (r < 0) {
        mp_posix_raise(-r);
    }
}

// readblocks(block, buf, offset=0) / writeblocks(block, buf, offset=None)
static mp_obj_t blockdev_rw(size_t n_args, const mp_obj_t *args, bool write) {
    blockdev_obj_t *self = MP_OBJ_TO_PTR(args[0]);
    uint32_t bs = self->dev->block_size;
    uint32_t block = (uint32_t)mp_obj_get_int(args[1]);
    mp_buffer_info_t buf;
    mp_get_buffer_raise(args[2], &buf, write ? MP_BUFFER_READ : MP_BUFFER_WRITE);
    uint32_t off = n_args > 3 && args[3] != mp_const_none ? (uint32_t)mp_obj_get_int(args[3]) : 0;
    if (write && self->dev->write == NULL) {
        mp_raise_OSError(MP_EROFS);
    }
    uint8_t *p = buf.buf;
    size_t len = buf.len;
    if ((uint64_t)block * bs + off + len > (uint64_t)bs * self->dev->block_count) {
        mp_raise_OSError(MP_EIO);
    }
    if (!write) {
        blockdev_check(self->dev->read(self->ctx, block, off, p, (uint32_t)len));
        return mp_const_none;
    }
    block += off / bs;
    off %= bs;
    while (len > 0) {
        size_t n = bs - off < len ? bs - off : len;
        if (off == 0 && n == bs) {
            blockdev_check(self->dev->write(self->ctx, block, p, 1));
        } else {
            if (self->tmp == NULL) {
                self->tmp = m_new(uint8_t, bs);
            }
            blockdev_check(self->dev->read(self->ctx, block, 0, self->tmp, bs));
            memcpy(self->tmp + off, p, n);
            blockdev_check(self->dev->write(self->ctx, block, self->tmp, 1));
        }
        p += n;
        len -= n;
        off = 0;
        block++;
    }
    return mp_const_none;
}

static mp_obj_t blockdev_readblocks(size_t n_args, const mp_obj_t *args) {
    return blockdev_rw(n_args, args, false);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(blockdev_readblocks_obj, 3, 4, blockdev_readblocks);

static mp_obj_t blockdev_writeblocks(size_t n_args, const mp_obj_t *args) {
    return blockdev_rw(n_args, args, true);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(blockdev_writeblocks_obj, 3, 4, blockdev_writeblocks);

static mp_obj_t blockdev_ioctl(mp_obj_t self_in, mp_obj_t op_in, mp_obj_t arg_in) {
    blockdev_obj_t *self = MP_OBJ_TO_PTR(self_in);
    (void)arg_in;
    switch (mp_obj_get_int(op_in)) {
        case MP_BLOCKDEV_IOCTL_INIT:
        case MP_BLOCKDEV_IOCTL_DEINIT:
            return MP_OBJ_NEW_SMALL_INT(0);
        case MP_BLOCKDEV_IOCTL_SYNC:
            blockdev_check(self->dev->sync != NULL ? self->dev->sync(self->ctx) : 0);
            return MP_OBJ_NEW_SMALL_INT(0);
        case MP_BLOCKDEV_IOCTL_BLOCK_COUNT:
            return mp_obj_new_int_from_uint(self->dev->block_count);
        case MP_BLOCKDEV_IOCTL_BLOCK_SIZE:
            return mp_obj_new_int_from_uint(self->dev->block_size);
        case MP_BLOCKDEV_IOCTL_BLOCK_ERASE:
            return MP_OBJ_NEW_SMALL_INT(0); // the device's write erases as needed
        default:
            return mp_const_none;
    }
}
static MP_DEFINE_CONST_FUN_OBJ_3(blockdev_ioctl_obj, blockdev_ioctl);

static const mp_rom_map_elem_t blockdev_locals_dict_table[] = {
    { MP_ROM_QSTR(MP_QSTR_readblocks), MP_ROM_PTR(&blockdev_readblocks_obj) },
    { MP_ROM_QSTR(MP_QSTR_writeblocks), MP_ROM_PTR(&blockdev_writeblocks_obj) },
    { MP_ROM_QSTR(MP_QSTR_ioctl), MP_ROM_PTR(&blockdev_ioctl_obj) },
};
static MP_DEFINE_CONST_DICT(blockdev_locals_dict, blockdev_locals_dict_table);

static MP_DEFINE_CONST_OBJ_TYPE(
    blockdev_type,
    MP_QSTR_BlockDev,
    MP_TYPE_FLAG_NONE,
    make_new, blockdev_make_new,
    locals_dict, &blockdev_locals_dict
    );

// ---- os functions: open, stat, lstat, statvfs, fdopen ----
// os.open(path, flags, mode=0o777) -> fd
static mp_obj_t os_open(size_t n_args, const mp_obj_t *args) {
    const char *path = mp_obj_str_get_str(args[0]);
    int flags = mp_obj_get_int(args[1]);
    mode_t mode = n_args > 2 ? (mode_t)mp_obj_get_int(args[2]) : 0777;
    int fd;
    MP_POSIX_CALL(fd, posix_open(path, flags, mode));
    if (fd < 0) {
        mp_posix_raise(errno);
    }
    return MP_OBJ_NEW_SMALL_INT(fd);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(os_open_obj, 2, 3, os_open);

// os.rename(src, dst): across filesystems EXDEV, as CPython (MicroPython's raises EPERM)
static mp_obj_t os_rename(mp_obj_t from, mp_obj_t to) {
    const char *rest;
    mp_vfs_mount_t *a = mp_vfs_lookup_path(mp_obj_str_get_str(from), &rest);
    mp_vfs_mount_t *b = mp_vfs_lookup_path(mp_obj_str_get_str(to), &rest);
    if (a != b && a != MP_VFS_NONE && a != MP_VFS_ROOT && b != MP_VFS_NONE && b != MP_VFS_ROOT) {
        mp_raise_OSError(MP_EXDEV);
    }
    return mp_vfs_rename(from, to);
}
static MP_DEFINE_CONST_FUN_OBJ_2(os_rename_obj, os_rename);

// os.fsync(fd): a file's data reaches the filesystem (and other open files of it)
static mp_obj_t os_fsync(mp_obj_t fd_in) {
    int fd = mp_obj_is_int(fd_in) ? mp_obj_get_int(fd_in) : mp_obj_get_int(mp_call_method_n_kw(0, 0, (mp_obj_t[]) {
        mp_load_attr(fd_in, MP_QSTR_fileno), MP_OBJ_NULL
    }));
    int r;
    MP_POSIX_CALL(r, posix_fsync(fd));
    if (r < 0) {
        mp_posix_raise(errno);
    }
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(os_fsync_obj, os_fsync);

static mp_obj_t os_stat(mp_obj_t path) {
    return mp_posix_stat_result(mp_vfs_stat(path));
}
static MP_DEFINE_CONST_FUN_OBJ_1(os_stat_obj, os_stat);

static mp_obj_t os_statvfs(mp_obj_t path) {
    return mp_posix_statvfs_result(mp_vfs_statvfs(path));
}
static MP_DEFINE_CONST_FUN_OBJ_1(os_statvfs_obj, os_statvfs);

// os.fdopen(fd, mode='r', buffering=-1, encoding=None, errors=None, newline=None, closefd=True)
static mp_obj_t os_fdopen(size_t n_args, const mp_obj_t *pos_args, mp_map_t *kw_args) {
    enum { ARG_fd, ARG_mode, ARG_buffering, ARG_encoding, ARG_errors, ARG_newline, ARG_closefd };
    static const mp_arg_t allowed[] = {
        { MP_QSTR_fd, MP_ARG_REQUIRED | MP_ARG_INT, {.u_int = 0} },
        { MP_QSTR_mode, MP_ARG_OBJ, {.u_rom_obj = MP_ROM_QSTR(MP_QSTR_r)} },
        { MP_QSTR_buffering, MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
        { MP_QSTR_encoding, MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
        { MP_QSTR_errors, MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
        { MP_QSTR_newline, MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
        { MP_QSTR_closefd, MP_ARG_BOOL, {.u_bool = true} },
    };
    mp_arg_val_t args[MP_ARRAY_SIZE(allowed)];
    mp_arg_parse_all(n_args, pos_args, kw_args, MP_ARRAY_SIZE(allowed), allowed, args);
    int fd = args[ARG_fd].u_int;
    struct stat st;
    if (posix_fstat(fd, &st) < 0) {
        mp_posix_raise(errno);
    }
    return mp_posix_fdopen(fd, mp_obj_str_get_str(args[ARG_mode].u_obj), args[ARG_closefd].u_bool);
}
static MP_DEFINE_CONST_FUN_OBJ_KW(os_fdopen_obj, 1, os_fdopen);

// os.__getattr__(name): the os functions written in Python (frozen _osvfs: scandir, makedirs,
// mount, ...) and os.path (frozen posixpath), imported at first use and then kept in os.
static mp_obj_t os_getattr(mp_obj_t name_in);
static mp_obj_t os_getattr(mp_obj_t name_in) {
    qstr name = mp_obj_str_get_qstr(name_in);
    mp_obj_t mod = mp_import_name(name == MP_QSTR_path ? MP_QSTR_posixpath : MP_QSTR__osvfs, mp_const_none,
        MP_OBJ_NEW_SMALL_INT(0));
    mp_obj_t value = mod;
    if (name != MP_QSTR_path) {
        mp_obj_t dest[2];
        mp_load_method_protected(mod, name, dest, true);
        if (dest[0] == MP_OBJ_NULL || name == MP_QSTR___init__ || qstr_str(name)[0] == '_') {
            mp_raise_msg_varg(&mp_type_AttributeError, MP_ERROR_TEXT("module 'os' has no attribute '%q'"), name);
        }
        value = dest[0];
    }
    extern mp_obj_t mprt_os_module(void);
    mp_store_attr(mprt_os_module(), name, value); // next time a plain lookup finds it
    return value;
}
static MP_DEFINE_CONST_FUN_OBJ_1(os_getattr_obj, os_getattr);

// os.mount(source, target, fstype, flags=0) (frozen _osvfs.mount), or MicroPython's
// os.mount(fs_object, target, readonly=False, mkfs=False) when called that way.
static mp_obj_t os_mount(size_t n_args, const mp_obj_t *args, mp_map_t *kw_args) {
    if (n_args < 3 && !mp_obj_is_str(args[0]) && (kw_args == NULL || mp_map_lookup(kw_args, MP_OBJ_NEW_QSTR(MP_QSTR_fstype), MP_MAP_LOOKUP) == NULL)) {
        return mp_vfs_mount(n_args, args, kw_args);
    }
    mp_obj_t f = os_getattr(MP_OBJ_NEW_QSTR(MP_QSTR_mount));
    size_t n_kw = kw_args == NULL ? 0 : kw_args->used;
    mp_obj_t *all = m_new(mp_obj_t, n_args + 2 * n_kw);
    memcpy(all, args, n_args * sizeof(mp_obj_t));
    size_t k = n_args;
    for (size_t i = 0; n_kw > 0 && i < kw_args->alloc; i++) {
        if (mp_map_slot_is_filled(kw_args, i)) {
            all[k++] = kw_args->table[i].key;
            all[k++] = kw_args->table[i].value;
        }
    }
    mp_obj_t r = mp_call_function_n_kw(f, n_args, n_kw, all);
    m_del(mp_obj_t, all, n_args + 2 * n_kw);
    return r;
}
static MP_DEFINE_CONST_FUN_OBJ_KW(os_mount_obj, 2, os_mount);

static const mp_rom_map_elem_t os_vfs_table[] = {
    { MP_ROM_QSTR(MP_QSTR_mount), MP_ROM_PTR(&os_mount_obj) },
    { MP_ROM_QSTR(MP_QSTR_open), MP_ROM_PTR(&os_open_obj) },
    { MP_ROM_QSTR(MP_QSTR_stat), MP_ROM_PTR(&os_stat_obj) },
    { MP_ROM_QSTR(MP_QSTR_rename), MP_ROM_PTR(&os_rename_obj) },
    { MP_ROM_QSTR(MP_QSTR_fsync), MP_ROM_PTR(&os_fsync_obj) },
    { MP_ROM_QSTR(MP_QSTR_lstat), MP_ROM_PTR(&os_stat_obj) },
    { MP_ROM_QSTR(MP_QSTR_statvfs), MP_ROM_PTR(&os_statvfs_obj) },
    { MP_ROM_QSTR(MP_QSTR_fdopen), MP_ROM_PTR(&os_fdopen_obj) },
    { MP_ROM_QSTR(MP_QSTR_stat_result), MP_ROM_PTR(&mp_posix_stat_result_type) },
    { MP_ROM_QSTR(MP_QSTR_statvfs_result), MP_ROM_PTR(&mp_posix_statvfs_result_type) },
    { MP_ROM_QSTR(MP_QSTR___getattr__), MP_ROM_PTR(&os_getattr_obj) },
    { MP_ROM_QSTR(MP_QSTR_sep), MP_ROM_QSTR(MP_QSTR__slash_) },
};

void mp_vfs_posix_os_extend(mp_obj_t globals) {
    for (size_t i = 0; i < MP_ARRAY_SIZE(os_vfs_table); i++) {
        mp_obj_dict_store(globals, (mp_obj_t)os_vfs_table[i].key, (mp_obj_t)os_vfs_table[i].value);
    }
}

// ---- the module ----
static mp_obj_t mod_dev_register_names(void) {
    mp_obj_t list = mp_obj_new_list(0, NULL);
    const char *name;
    mode_t mode;
    for (int i = 0; posix_dev_entry(i, &name, &mode); i++) {
        mp_obj_list_append(list, mp_obj_new_str_from_cstr(name));
    }
    return list;
}
static MP_DEFINE_CONST_FUN_OBJ_0(mod_devices_obj, mod_dev_register_names);

static const mp_rom_map_elem_t vfsposix_module_globals_table[] = {
    { MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR__vfsposix) },
    { MP_ROM_QSTR(MP_QSTR_DevFs), MP_ROM_PTR(&devfs_type) },
    { MP_ROM_QSTR(MP_QSTR_BlockDev), MP_ROM_PTR(&blockdev_type) },
    { MP_ROM_QSTR(MP_QSTR_devices), MP_ROM_PTR(&mod_devices_obj) },
};
static MP_DEFINE_CONST_DICT(vfsposix_module_globals, vfsposix_module_globals_table);

const mp_obj_module_t mp_module_vfsposix = {
    .base = { &mp_type_module },
    .globals = (mp_obj_dict_t *)&vfsposix_module_globals,
};

MP_REGISTER_MODULE(MP_QSTR__vfsposix, mp_module_vfsposix);
