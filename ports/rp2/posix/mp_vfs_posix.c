// MicroPythonRT rp2 port: files and /dev on lib/posix (docs/vfs.md).
//
// One mount table: MicroPython's (extmod/vfs.c: littlefs at "/" on the flash partition, FAT, any VFS
// object, all through the stock `vfs` module). lib/posix's path calls for paths outside /dev come here
// (the backend below) and open files of that table as fds of a new kind (mpfile), so C's open(),
// fopen(), read() and Python's open() and os functions reach the same files. /dev is lib/posix's device
// table; Python reaches it through DevFs, a VFS object mounted at /dev at boot (ports/rp2/modules/_boot.py)
// whose files are fds. The VFS runs Python objects: a file of the backend is used from Python threads
// (and C called from them) only; other tasks get ENOTSUP for it (/dev works from any task).
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
#include "py/mpthread.h"
#include "extmod/vfs.h"
#include "hardware/regs/addressmap.h"
#include "mprt_config.h"
#include "posix_file.h"
#include "posix_vfs.h"
#include "mp_posix.h"
#include "mp_vfs_posix.h"

// ---- errno ----
static const uint8_t errno_pairs[][2] = {
    // Picolibc, MicroPython (Linux)
    { ENOTEMPTY, 39 }, { ENAMETOOLONG, 36 }, { ELOOP, 40 }, { ETIMEDOUT, MP_ETIMEDOUT },
    { EOPNOTSUPP, MP_EOPNOTSUPP },
};

int mp_posix_errno_to_py(int e) {
    if (e == ENOTSUP) {
        return MP_EOPNOTSUPP;
    }
    for (size_t i = 0; i < MP_ARRAY_SIZE(errno_pairs); i++) {
        if (errno_pairs[i][0] == e) {
            return errno_pairs[i][1];
        }
    }
    return e;
}

int mp_posix_errno_from_py(int e) {
    for (size_t i = 0; i < MP_ARRAY_SIZE(errno_pairs); i++) {
        if (errno_pairs[i][1] == e) {
            return errno_pairs[i][0];
        }
    }
    return e;
}

void mp_posix_raise(int posix_errno) {
    mp_raise_OSError(mp_posix_errno_to_py(posix_errno));
}

// The negative errno of a caught exception; a KeyboardInterrupt (or any other non-OSError that is
// a BaseException but not an Exception) stays pending for the caller to raise: -EINTR.
static int exc_errno(mp_obj_t exc) {
    const mp_obj_type_t *t = mp_obj_get_type(exc);
    if (mp_obj_is_subclass_fast(MP_OBJ_FROM_PTR(t), MP_OBJ_FROM_PTR(&mp_type_OSError))) {
        mp_obj_t v = mp_obj_exception_get_value(exc);
        if (mp_obj_is_small_int(v)) {
            return -mp_posix_errno_from_py(MP_OBJ_SMALL_INT_VALUE(v));
        }
        return -EIO;
    }
    if (!mp_obj_is_subclass_fast(MP_OBJ_FROM_PTR(t), MP_OBJ_FROM_PTR(&mp_type_Exception))) {
        MP_STATE_THREAD(mp_pending_exception) = exc;
        return -EINTR;
    }
    return t == &mp_type_MemoryError ? -ENOMEM : -EIO;
}

static mp_obj_t path_obj(const char *path) {
    // bytes as they are (a name need not be UTF-8)
    return mp_obj_new_str_copy(&mp_type_str, (const byte *)path, strlen(path));
}

// ---- the file kind: a MicroPython stream of the VFS ----
#define MPFILE_SLOTS (POSIX_FD_MAX)
MP_REGISTER_ROOT_POINTER(mp_obj_t mprt_posix_files[MPFILE_SLOTS]);
static uint32_t vm_gen; // which VM the slots belong to

typedef struct _mpfile_t {
    posix_file_t file;
    uint32_t gen;
    uint8_t slot;
} mpfile_t;

// The stream, or NULL when the caller may not run Python (not a Python thread, or the VM that opened
// it is gone).
static mp_obj_t mpfile_obj(mpfile_t *m) {
    if (mp_thread_get_state() == NULL || m->gen != vm_gen) {
        return MP_OBJ_NULL;
    }
    return MP_STATE_PORT(mprt_posix_files)[m->slot];
}

// A stream call: the stream's result, or MP_STREAM_ERROR with *err set (a positive errno of lib/posix).
typedef struct _stream_call_t {
    mp_obj_t obj;
    int op; // 'r' read, 'w' write, 'i' ioctl
    void *buf;
    size_t len;
    uintptr_t request;
} stream_call_t;

static mp_int_t stream_call(stream_call_t *c, int *err) {
    const mp_stream_p_t *s = mp_get_stream(c->obj);
    nlr_buf_t nlr;
    mp_int_t r = MP_STREAM_ERROR;
    if (nlr_push(&nlr) == 0) {
        int e = 0;
        if (c->op == 'r') {
            r = (mp_int_t)s->read(c->obj, c->buf, c->len, &e);
        } else if (c->op == 'w') {
            r = (mp_int_t)s->write(c->obj, c->buf, c->len, &e);
        } else {
            r = (mp_int_t)s->ioctl(c->obj, c->request, (uintptr_t)c->buf, &e);
        }
        nlr_pop();
        if (r == (mp_int_t)MP_STREAM_ERROR) {
            *err = mp_posix_errno_from_py(e);
        }
    } else {
        *err = -exc_errno(MP_OBJ_FROM_PTR(nlr.ret_val));
    }
    return r;
}

static off_t mpfile_seek(mp_obj_t obj, off_t offset, int whence) {
    struct mp_stream_seek_t seek = { .offset = offset, .whence = whence };
    stream_call_t c = { .obj = obj, .op = 'i', .buf = &seek, .request = MP_STREAM_SEEK };
    int err;
    if (stream_call(&c, &err) == (mp_int_t)MP_STREAM_ERROR) {
        return -err;
    }
    return (off_t)seek.offset;
}

static ssize_t mpfile_read(posix_file_t *f, void *buf, size_t len) {
    mp_obj_t obj = mpfile_obj((mpfile_t *)f);
    if (obj == MP_OBJ_NULL) {
        return -ENOTSUP;
    }
    stream_call_t c = { .obj = obj, .op = 'r', .buf = buf, .len = len };
    int err;
    mp_int_t r = stream_call(&c, &err);
    return r == (mp_int_t)MP_STREAM_ERROR ? -err : (ssize_t)r;
}

static ssize_t mpfile_write(posix_file_t *f, const void *buf, size_t len) {
    mp_obj_t obj = mpfile_obj((mpfile_t *)f);
    if (obj == MP_OBJ_NULL) {
        return -ENOTSUP;
    }
    if (f->flags & O_APPEND) {
        off_t p = mpfile_seek(obj, 0, SEEK_END);
        if (p < 0) {
            return p;
        }
    }
    stream_call_t c = { .obj = obj, .op = 'w', .buf = (void *)buf, .len = len };
    int err;
    mp_int_t r = stream_call(&c, &err);
    return r == (mp_int_t)MP_STREAM_ERROR ? -err : (ssize_t)r;
}

static off_t mpfile_lseek(posix_file_t *f, off_t offset, int whence) {
    mp_obj_t obj = mpfile_obj((mpfile_t *)f);
    if (obj == MP_OBJ_NULL) {
        return -ENOTSUP;
    }
    if (whence != SEEK_SET && whence != SEEK_CUR && whence != SEEK_END) {
        return -EINVAL;
    }
    return mpfile_seek(obj, offset, whence);
}

static int mpfile_fstat(posix_file_t *f, struct stat *st) {
    mp_obj_t obj = mpfile_obj((mpfile_t *)f);
    if (obj == MP_OBJ_NULL) {
        return -ENOTSUP;
    }
    off_t pos = mpfile_seek(obj, 0, SEEK_CUR);
    off_t end = pos < 0 ? pos : mpfile_seek(obj, 0, SEEK_END);
    if (end < 0) {
        return end;
    }
    mpfile_seek(obj, pos, SEEK_SET);
    st->st_mode = S_IFREG | 0666;
    st->st_nlink = 1;
    st->st_size = end;
    st->st_blksize = 512;
    st->st_blocks = (end + 511) / 512;
    return 0;
}

static int mpfile_ioctl(posix_file_t *f, unsigned long request, void *arg) {
    (void)arg;
    if (request != POSIX_BLKFLSBUF) { // fsync
        return -ENOTTY;
    }
    mp_obj_t obj = mpfile_obj((mpfile_t *)f);
    if (obj == MP_OBJ_NULL) {
        return -ENOTSUP;
    }
    stream_call_t c = { .obj = obj, .op = 'i', .request = MP_STREAM_FLUSH };
    int err;
    return stream_call(&c, &err) == (mp_int_t)MP_STREAM_ERROR ? -err : 0;
}

static unsigned mpfile_poll(posix_file_t *f) {
    (void)f;
    return POLLIN | POLLOUT; // regular files are always ready
}

static void mpfile_release(posix_file_t *f) {
    mpfile_t *m = (mpfile_t *)f;
    mp_obj_t obj = mpfile_obj(m);
    if (obj != MP_OBJ_NULL) {
        stream_call_t c = { .obj = obj, .op = 'i', .request = MP_STREAM_CLOSE };
        int err;
        stream_call(&c, &err);
        MP_STATE_PORT(mprt_posix_files)[m->slot] = MP_OBJ_NULL;
    }
    // A file closed by a task that cannot run Python keeps its slot until the next soft reset (and
    // the VM's finaliser closes the stream).
    free(m);
}

static const posix_file_ops_t mpfile_ops = {
    .read = mpfile_read,
    .write = mpfile_write,
    .lseek = mpfile_lseek,
    .fstat = mpfile_fstat,
    .ioctl = mpfile_ioctl,
    .poll = mpfile_poll,
    .release = mpfile_release,
    .mode = S_IFREG | 0666,
};

// ---- the backend: MicroPython's mount table ----
#define BACKEND_BEGIN \
    if (mp_thread_get_state() == NULL) { \
        return -ENOTSUP; \
    } \
    nlr_buf_t nlr; \
    if (nlr_push(&nlr) != 0) { \
        return exc_errno(MP_OBJ_FROM_PTR(nlr.ret_val)); \
    }
#define BACKEND_END \
    nlr_pop(); \
    return 0;

static void stat_from_tuple(mp_obj_t t, struct stat *st) {
    size_t n;
    mp_obj_t *items;
    mp_obj_get_array(t, &n, &items);
    if (n >= 10) {
        st->st_mode = (mode_t)mp_obj_get_int_truncated(items[0]);
        st->st_ino = (ino_t)mp_obj_get_int_truncated(items[1]);
        st->st_nlink = 1;
        st->st_size = (off_t)mp_obj_get_int_truncated(items[6]);
        st->st_atime = (time_t)mp_obj_get_int_truncated(items[7]);
        st->st_mtime = (time_t)mp_obj_get_int_truncated(items[8]);
        st->st_ctime = (time_t)mp_obj_get_int_truncated(items[9]);
    }
}

static int backend_stat(const char *path, struct stat *st) {
    BACKEND_BEGIN
    stat_from_tuple(mp_vfs_stat(path_obj(path)), st);
    BACKEND_END
}

static int backend_open(const char *path, int flags, mode_t mode, posix_file_t **out) {
    (void)mode; // the filesystems keep no permissions
    if (mp_thread_get_state() == NULL) {
        return -ENOTSUP;
    }
    int slot = -1;
    for (int i = 0; i < MPFILE_SLOTS && slot < 0; i++) {
        if (MP_STATE_PORT(mprt_posix_files)[i] == MP_OBJ_NULL) {
            slot = i;
        }
    }
    if (slot < 0) {
        return -ENFILE;
    }
    struct stat st;
    memset(&st, 0, sizeof(st));
    int r = backend_stat(path, &st);
    bool exists = r == 0;
    if (r < 0 && r != -ENOENT) {
        return r;
    }
    int acc = flags & O_ACCMODE;
    if (exists && (flags & O_CREAT) && (flags & O_EXCL)) {
        return -EEXIST;
    }
    if (!exists && !(flags & O_CREAT)) {
        return -ENOENT;
    }
    if (exists && S_ISDIR(st.st_mode)) {
        return -EISDIR; // no fds for directories (os.scandir/listdir read them)
    }
    const char *m;
    if (exists && !(flags & O_TRUNC)) {
        m = acc == O_RDONLY ? "rb" : "r+b";
    } else {
        m = acc == O_RDWR ? "w+b" : "wb";
    }
    mpfile_t *file = calloc(1, sizeof(mpfile_t));
    if (file == NULL) {
        return -ENOMEM;
    }
    nlr_buf_t nlr;
    if (nlr_push(&nlr) != 0) {
        free(file);
        return exc_errno(MP_OBJ_FROM_PTR(nlr.ret_val));
    }
    mp_obj_t args[2] = { path_obj(path), mp_obj_new_str_from_cstr(m) };
    mp_obj_t obj = mp_vfs_open(2, args, (mp_map_t *)&mp_const_empty_map);
    if (acc == O_RDONLY && !exists) {
        // made by O_CREAT|O_RDONLY: open it again for reading
        mp_stream_close(obj);
        args[1] = MP_OBJ_NEW_QSTR(MP_QSTR_rb);
        obj = mp_vfs_open(2, args, (mp_map_t *)&mp_const_empty_map);
    }
    nlr_pop();
    MP_STATE_PORT(mprt_posix_files)[slot] = obj;
    posix_file_init(&file->file, &mpfile_ops, flags & (O_ACCMODE | O_NONBLOCK | O_APPEND));
    file->gen = vm_gen;
    file->slot = (uint8_t)slot;
    *out = &file->file;
    return 0;
}

static int backend_mkdir(const char *path, mode_t mode) {
    (void)mode;
    BACKEND_BEGIN
    mp_vfs_mkdir(path_obj(path));
    BACKEND_END
}

static int backend_unlink(const char *path) {
    BACKEND_BEGIN
    mp_vfs_remove(path_obj(path));
    BACKEND_END
}

static int backend_rmdir(const char *path) {
    BACKEND_BEGIN
    mp_vfs_rmdir(path_obj(path));
    BACKEND_END
}

static int backend_rename(const char *from, const char *to) {
    BACKEND_BEGIN
    const char *rest;
    mp_vfs_mount_t *a = mp_vfs_lookup_path(from, &rest);
    mp_vfs_mount_t *b = mp_vfs_lookup_path(to, &rest);
    if (a != b && a != MP_VFS_NONE && a != MP_VFS_ROOT && b != MP_VFS_NONE && b != MP_VFS_ROOT) {
        nlr_pop();
        return -EXDEV; // as os.rename (MicroPython's says EPERM)
    }
    mp_vfs_rename(path_obj(from), path_obj(to));
    BACKEND_END
}

static int backend_chdir(const char *path) {
    BACKEND_BEGIN
    mp_vfs_chdir(path_obj(path));
    BACKEND_END
}

static int backend_getcwd(char *buf, size_t size) {
    BACKEND_BEGIN
    size_t len;
    const char *cwd = mp_obj_str_get_data(mp_vfs_getcwd(), &len);
    nlr_pop();
    if (len + 1 > size) {
        return -ERANGE;
    }
    memcpy(buf, cwd, len);
    buf[len] = '\0';
    return 0;
}

static const posix_vfs_backend_t mp_backend = {
    .open = backend_open,
    .stat = backend_stat,
    .mkdir = backend_mkdir,
    .unlink = backend_unlink,
    .rmdir = backend_rmdir,
    .rename = backend_rename,
    .getcwd = backend_getcwd,
    .chdir = backend_chdir,
};

// ---- /dev/mtdN, /dev/mtdblockN: the flash filesystem partition (read-only from C: Python mounts it
// through rp2.Flash, which owns writing and erasing) ----
static int flash_read(void *ctx, uint32_t block, uint32_t offset, void *buf, uint32_t len) {
    (void)ctx;
    memcpy(buf, (const void *)(XIP_BASE + MICROPY_HW_FLASH_STORAGE_BASE + block * 4096u + offset), len);
    return 0;
}

static const posix_blockdev_t flash_dev = {
    .read = flash_read,
    .block_size = 4096,
    .block_count = MICROPY_HW_FLASH_STORAGE_BYTES / 4096,
};

static void random_fill(void *buf, size_t len) {
    extern uint32_t rosc_random_u32(void);
    uint8_t *b = buf;
    while (len > 0) {
        uint32_t v = rosc_random_u32();
        size_t n = len < 4 ? len : 4;
        memcpy(b, &v, n);
        b += n;
        len -= n;
    }
}

void mp_vfs_posix_start(void) {
    vm_gen++;
    for (size_t i = 0; i < MPFILE_SLOTS; i++) {
        MP_STATE_PORT(mprt_posix_files)[i] = MP_OBJ_NULL;
    }
    static bool registered;
    if (!registered) {
        registered = true;
        posix_vfs_set_backend(&mp_backend);
        posix_set_random(random_fill);
        posix_blockdev_register("mtdblock0", &flash_dev, NULL);
        posix_blockdev_register("mtd0", &flash_dev, NULL);
    }
}
