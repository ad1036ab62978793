// lib/posix: paths. One namespace for C and Python: "/dev" is this layer's device directory (char and
// block devices registered by the firmware and by C modules); every other path goes to the filesystem
// backend the firmware sets (MicroPython's VFS mount table: littlefs, FAT, any mounted VFS object), so
// C's open()/fopen() and Python's open() name the same files. Calls return -1 and set errno.
#ifndef POSIX_VFS_H
#define POSIX_VFS_H

#include "posix_file.h"

// Longest path (bytes, without the NUL) and longest name in a path.
#ifndef POSIX_PATH_MAX
#define POSIX_PATH_MAX (255)
#endif
#ifndef POSIX_NAME_MAX
#define POSIX_NAME_MAX (255)
#endif

// The normal form of `path`, absolute: relative paths are joined to `cwd` (absolute, normal), "." and
// empty names go, ".." takes the previous name off (".." of "/" is "/"), no trailing "/". Bytes other
// than '/' and NUL are kept as they are (any encoding). Returns 0, or -ENOENT for "", -ENAMETOOLONG
// when a name is longer than POSIX_NAME_MAX or the result longer than POSIX_PATH_MAX or `size` - 1.
int posix_path_normalize(const char *cwd, const char *path, char *out, size_t size);

// ---- devices under /dev ----
// A character device: open makes a file (posix_file_init'ed, no references) or returns -errno.
typedef struct _posix_chardev_t {
    int (*open)(void *ctx, int flags, posix_file_t **out);
    mode_t mode; // permission bits; S_IFCHR is added
} posix_chardev_t;

// A block device: fixed-size blocks. read takes any range of bytes (from `offset` in `block`, may go on
// into the next blocks); write takes whole blocks and erases as needed (NULL: read-only). Return 0 or
// -errno.
typedef struct _posix_blockdev_t {
    int (*read)(void *ctx, uint32_t block, uint32_t offset, void *buf, uint32_t len);
    int (*write)(void *ctx, uint32_t block, const void *buf, uint32_t count);
    int (*sync)(void *ctx); // may be NULL
    uint32_t block_size;
    uint32_t block_count;
} posix_blockdev_t;

// ioctls of block-device fds (Linux's numbers): block size (int *), size in bytes (uint64_t *), sync.
#define POSIX_BLKSSZGET     (0x1268)
#define POSIX_BLKGETSIZE64  (0x80041272)
#define POSIX_BLKFLSBUF     (0x1261)

// Registers /dev/<name> (a name without '/', up to 15 bytes; the structures stay valid until
// unregistered). 0, -EEXIST, -EINVAL, -ENOSPC (POSIX_DEV_MAX devices).
#ifndef POSIX_DEV_MAX
#define POSIX_DEV_MAX (16)
#endif
int posix_chardev_register(const char *name, const posix_chardev_t *dev, void *ctx);
int posix_blockdev_register(const char *name, const posix_blockdev_t *dev, void *ctx);
int posix_dev_unregister(const char *name); // 0 or -ENOENT; open fds keep working until closed only
                                            // for char devices (a block device's fds then fail EIO)

// The block device /dev/<name> (name: "mtdblock0" or "/dev/mtdblock0"), or NULL; ctx receives its ctx.
const posix_blockdev_t *posix_blockdev_find(const char *name, void **ctx);

// The i-th entry of /dev (0, 1, ...): its name and mode (S_IFCHR/S_IFBLK | permissions); false past the end.
bool posix_dev_entry(int i, const char **name, mode_t *mode);

// Random bytes for /dev/urandom (the firmware's ring-oscillator/entropy source); set once.
void posix_set_random(void (*fill)(void *buf, size_t len));

// ---- the filesystem backend: every path outside /dev, normal and absolute ----
typedef struct _posix_vfs_backend_t {
    int (*open)(const char *path, int flags, mode_t mode, posix_file_t **out);
    int (*stat)(const char *path, struct stat *st);
    int (*mkdir)(const char *path, mode_t mode);
    int (*unlink)(const char *path);
    int (*rmdir)(const char *path);
    int (*rename)(const char *from, const char *to);
    int (*getcwd)(char *buf, size_t size); // absolute, normal
    int (*chdir)(const char *path);
} posix_vfs_backend_t;
void posix_vfs_set_backend(const posix_vfs_backend_t *backend);

int posix_open(const char *path, int flags, mode_t mode);
int posix_stat(const char *path, struct stat *st);
int posix_mkdir(const char *path, mode_t mode);
int posix_unlink(const char *path);
int posix_rmdir(const char *path);
int posix_rename(const char *from, const char *to);
char *posix_getcwd(char *buf, size_t size);
// Writes what the file holds back to its device (a filesystem file, a block device); EINVAL for others.
int posix_fsync(int fd);
int posix_chdir(const char *path);

#endif // POSIX_VFS_H
