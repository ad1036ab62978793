// MicroPythonRT rp2 port: files and /dev on lib/posix (docs/vfs.md).
//
// One mount table: MicroPython's (extmod/vfs.c: littlefs at "/" on the flash partition, FAT, any VFS
// object, all through the stock `vfs` module). lib/posix's path calls for paths outside /dev come here
// (the backend below) and open files of that table as fds of a new kind (mpfile), so C's open(),
// fopen(), read() and Python's open() and os functions reach the same files. /dev is lib/posix's device
// table; Python reaches it through DevFs, a VFS object mounted at /dev at boot (ports/rp2/modules/_boot.py)
// whose files are fds. The VFS runs Python objects: a task that is no Python thread runs the VM as a
// guest for each call (vm_run); /dev needs no VM.
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
#include "FreeRTOS.h"
#include "task.h"
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

// ---- running the VM for a call ----
// A Python thread (or C called from one) holds the GIL already. Any other task runs the VM as a guest
// for the length of one call: a zeroed thread state on its stack (scanned by the GC as the running
// thread's stack), the GIL taken and given back. The task needs stack for the filesystem (2 KB or
// more); its stack limit for the VM's check is what the task has left.
static bool vm_running;

typedef struct _vm_guest_t {
    mp_state_thread_t ts;
    bool entered;
} vm_guest_t;

static bool guest_enter(vm_guest_t *g) {
    g->entered = false;
    if (mp_thread_get_state() != NULL) {
        return true;
    }
    if (!vm_running || xTaskGetSchedulerState() == taskSCHEDULER_SUSPENDED) {
        // No VM yet; or the caller holds the scheduler lock (Picolibc's stdio holds it, as its FILE
        // lock, around the FILE's read and write calls): it cannot wait for the GIL.
        return false;
    }
    memset(&g->ts, 0, sizeof(g->ts));
    size_t free_bytes = uxTaskGetStackHighWaterMark(NULL) * sizeof(StackType_t);
    mp_thread_init_state(&g->ts, free_bytes > 768 ? free_bytes - 512 : 256, NULL, NULL);
    mprt_rtos_gil_guest_enter();
    g->entered = true;
    return true;
}

static void guest_exit(vm_guest_t *g) {
    if (g->entered) {
        mprt_rtos_gil_guest_exit();
        mp_thread_set_state(NULL);
    }
}

// Runs fn(arg) with the VM at hand and exceptions caught: its result, or the exception's -errno, or
// -ENOTSUP when the caller cannot run the VM now.
static int vm_run(int (*fn)(void *arg), void *arg) {
    #if MPRT_RTOS_FREERTOS
    // pico-sdk's flash safety helper for the FreeRTOS-Kernel needs the scheduler, which Picolibc's stdio
    // suspends around a FILE's I/O (its FILE lock): refused rather than failing in the flash write
    if (xTaskGetSchedulerState() == taskSCHEDULER_SUSPENDED) {
        return -EDEADLK;
    }
    #endif
    vm_guest_t g;
    if (!guest_enter(&g)) {
        return -ENOTSUP;
    }
    int r;
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        r = fn(arg);
        nlr_pop();
    } else {
        r = exc_errno(MP_OBJ_FROM_PTR(nlr.ret_val));
        if (r == -EINTR && g.entered) {
            // a guest has no pending exceptions to raise later
            MP_STATE_THREAD(mp_pending_exception) = MP_OBJ_NULL;
            r = -EIO;
        }
    }
    guest_exit(&g);
    return r;
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

// A stream call on a file: op 'r' read, 'w' write (after a seek to the end with O_APPEND), 's' seek,
// 'f' flush, 'c' close, 't' size (fstat).
typedef struct _stream_call_t {
    mpfile_t *file;
    int op;
    void *buf;
    size_t len;
    struct mp_stream_seek_t seek;
    mp_int_t result;
} stream_call_t;

static int stream_ioctl(mp_obj_t obj, const mp_stream_p_t *s, uintptr_t request, void *arg, mp_int_t *result) {
    int e = 0;
    mp_uint_t r = s->ioctl(obj, request, (uintptr_t)arg, &e);
    if (r == MP_STREAM_ERROR) {
        return -mp_posix_errno_from_py(e);
    }
    *result = (mp_int_t)r;
    return 0;
}

static int stream_call_fn(void *arg) {
    stream_call_t *c = arg;
    if (c->file->gen != vm_gen) {
        return -EBADF; // opened by a VM gone since (soft reset)
    }
    mp_obj_t obj = MP_STATE_PORT(mprt_posix_files)[c->file->slot];
    if (obj == MP_OBJ_NULL) {
        return -EBADF;
    }
    const mp_stream_p_t *s = mp_get_stream(obj);
    int e = 0;
    mp_uint_t r;
    switch (c->op) {
        case 'w':
            if (c->file->file.flags & O_APPEND) {
                struct mp_stream_seek_t end = { .offset = 0, .whence = SEEK_END };
                int k = stream_ioctl(obj, s, MP_STREAM_SEEK, &end, &c->result);
                if (k < 0) {
                    return k;
                }
            }
            r = s->write(obj, c->buf, c->len, &e);
            break;
        case 'r':
            r = s->read(obj, c->buf, c->len, &e);
            break;
        case 's':
            return stream_ioctl(obj, s, MP_STREAM_SEEK, &c->seek, &c->result);
        case 'f':
            return stream_ioctl(obj, s, MP_STREAM_FLUSH, NULL, &c->result);
        case 'c':
            MP_STATE_PORT(mprt_posix_files)[c->file->slot] = MP_OBJ_NULL;
            return stream_ioctl(obj, s, MP_STREAM_CLOSE, NULL, &c->result);
        default: { // 't': the size, the position kept
            struct mp_stream_seek_t pos = { .offset = 0, .whence = SEEK_CUR };
            struct mp_stream_seek_t end = { .offset = 0, .whence = SEEK_END };
            int k = stream_ioctl(obj, s, MP_STREAM_SEEK, &pos, &c->result);
            if (k == 0) {
                k = stream_ioctl(obj, s, MP_STREAM_SEEK, &end, &c->result);
            }
            if (k == 0) {
                c->result = (mp_int_t)end.offset;
                struct mp_stream_seek_t back = { .offset = pos.offset, .whence = SEEK_SET };
                mp_int_t ignored;
                k = stream_ioctl(obj, s, MP_STREAM_SEEK, &back, &ignored);
            }
            return k;
        }
    }
    if (r == MP_STREAM_ERROR) {
        return -mp_posix_errno_from_py(e);
    }
    c->result = (mp_int_t)r;
    return 0;
}

static ssize_t mpfile_call(posix_file_t *f, int op, void *buf, size_t len) {
    stream_call_t c = { .file = (mpfile_t *)f, .op = op, .buf = buf, .len = len };
    int r = vm_run(stream_call_fn, &c);
    return r < 0 ? r : (ssize_t)c.result;
}

static ssize_t mpfile_read(posix_file_t *f, void *buf, size_t len) {
    return mpfile_call(f, 'r', buf, len);
}

static ssize_t mpfile_write(posix_file_t *f, const void *buf, size_t len) {
    return mpfile_call(f, 'w', (void *)buf, len);
}

static off_t mpfile_lseek(posix_file_t *f, off_t offset, int whence) {
    if (whence != SEEK_SET && whence != SEEK_CUR && whence != SEEK_END) {
        return -EINVAL;
    }
    stream_call_t c = { .file = (mpfile_t *)f, .op = 's', .seek = { .offset = offset, .whence = whence } };
    int r = vm_run(stream_call_fn, &c);
    return r < 0 ? r : (off_t)c.seek.offset;
}

static int mpfile_fstat(posix_file_t *f, struct stat *st) {
    ssize_t size = mpfile_call(f, 't', NULL, 0);
    if (size < 0) {
        return (int)size;
    }
    st->st_mode = S_IFREG | 0666;
    st->st_nlink = 1;
    st->st_size = size;
    st->st_blksize = 512;
    st->st_blocks = (size + 511) / 512;
    return 0;
}

static int mpfile_ioctl(posix_file_t *f, unsigned long request, void *arg) {
    (void)arg;
    if (request != POSIX_BLKFLSBUF) { // fsync
        return -ENOTTY;
    }
    ssize_t r = mpfile_call(f, 'f', NULL, 0);
    return r < 0 ? (int)r : 0;
}

static unsigned mpfile_poll(posix_file_t *f) {
    (void)f;
    return POLLIN | POLLOUT; // regular files are always ready
}

static void mpfile_release(posix_file_t *f) {
    mpfile_t *m = (mpfile_t *)f;
    if (m->gen == vm_gen) {
        // closes the stream (a file of a VM gone since was closed by that VM's finaliser)
        mpfile_call(f, 'c', NULL, 0);
    }
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
typedef struct _path_call_t {
    const char *path;
    const char *path2; // rename's target
    struct stat *st;
    int flags;
    posix_file_t **out;
    char *buf; // getcwd
    size_t size;
} path_call_t;

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

static int stat_fn(void *arg) {
    path_call_t *c = arg;
    stat_from_tuple(mp_vfs_stat(path_obj(c->path)), c->st);
    return 0;
}

static int backend_stat(const char *path, struct stat *st) {
    path_call_t c = { .path = path, .st = st };
    return vm_run(stat_fn, &c);
}

static int open_fn(void *arg) {
    path_call_t *c = arg;
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
    bool exists = true;
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        stat_from_tuple(mp_vfs_stat(path_obj(c->path)), &st);
        nlr_pop();
    } else {
        int e = exc_errno(MP_OBJ_FROM_PTR(nlr.ret_val));
        if (e != -ENOENT) {
            return e;
        }
        exists = false;
    }
    int flags = c->flags;
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
    qstr mode;
    if (exists && !(flags & O_TRUNC)) {
        mode = acc == O_RDONLY ? MP_QSTR_rb : MP_QSTR_r_plus_b;
    } else {
        mode = acc == O_RDWR ? MP_QSTR_w_plus_b : MP_QSTR_wb;
    }
    mp_obj_t args[2] = { path_obj(c->path), MP_OBJ_NEW_QSTR(mode) };
    mp_obj_t obj = mp_vfs_open(2, args, (mp_map_t *)&mp_const_empty_map);
    if (acc == O_RDONLY && !exists) {
        // made by O_CREAT|O_RDONLY: open it again for reading
        mp_stream_close(obj);
        args[1] = MP_OBJ_NEW_QSTR(MP_QSTR_rb);
        obj = mp_vfs_open(2, args, (mp_map_t *)&mp_const_empty_map);
    }
    mpfile_t *file = calloc(1, sizeof(mpfile_t));
    if (file == NULL) {
        mp_stream_close(obj);
        return -ENOMEM;
    }
    MP_STATE_PORT(mprt_posix_files)[slot] = obj;
    posix_file_init(&file->file, &mpfile_ops, flags & (O_ACCMODE | O_NONBLOCK | O_APPEND));
    file->gen = vm_gen;
    file->slot = (uint8_t)slot;
    *c->out = &file->file;
    return 0;
}

static int backend_open(const char *path, int flags, mode_t mode, posix_file_t **out) {
    (void)mode; // the filesystems keep no permissions
    path_call_t c = { .path = path, .flags = flags, .out = out };
    return vm_run(open_fn, &c);
}

static int mkdir_fn(void *arg) {
    mp_vfs_mkdir(path_obj(((path_call_t *)arg)->path));
    return 0;
}

static int backend_mkdir(const char *path, mode_t mode) {
    (void)mode;
    path_call_t c = { .path = path };
    return vm_run(mkdir_fn, &c);
}

static int unlink_fn(void *arg) {
    mp_vfs_remove(path_obj(((path_call_t *)arg)->path));
    return 0;
}

static int backend_unlink(const char *path) {
    path_call_t c = { .path = path };
    return vm_run(unlink_fn, &c);
}

static int rmdir_fn(void *arg) {
    mp_vfs_rmdir(path_obj(((path_call_t *)arg)->path));
    return 0;
}

static int backend_rmdir(const char *path) {
    path_call_t c = { .path = path };
    return vm_run(rmdir_fn, &c);
}

static int rename_fn(void *arg) {
    path_call_t *c = arg;
    const char *rest;
    mp_vfs_mount_t *a = mp_vfs_lookup_path(c->path, &rest);
    mp_vfs_mount_t *b = mp_vfs_lookup_path(c->path2, &rest);
    if (a != b && a != MP_VFS_NONE && a != MP_VFS_ROOT && b != MP_VFS_NONE && b != MP_VFS_ROOT) {
        return -EXDEV; // as os.rename (MicroPython's says EPERM)
    }
    mp_vfs_rename(path_obj(c->path), path_obj(c->path2));
    return 0;
}

static int backend_rename(const char *from, const char *to) {
    path_call_t c = { .path = from, .path2 = to };
    return vm_run(rename_fn, &c);
}

static int chdir_fn(void *arg) {
    mp_vfs_chdir(path_obj(((path_call_t *)arg)->path));
    return 0;
}

static int backend_chdir(const char *path) {
    path_call_t c = { .path = path };
    return vm_run(chdir_fn, &c);
}

static int getcwd_fn(void *arg) {
    path_call_t *c = arg;
    size_t len;
    const char *cwd = mp_obj_str_get_data(mp_vfs_getcwd(), &len);
    if (len + 1 > c->size) {
        return -ERANGE;
    }
    memcpy(c->buf, cwd, len);
    c->buf[len] = '\0';
    return 0;
}

static int backend_getcwd(char *buf, size_t size) {
    path_call_t c = { .buf = buf, .size = size };
    return vm_run(getcwd_fn, &c);
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
    vm_running = true;
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
