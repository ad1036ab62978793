// lib/posix: /dev — the device table, the built-in null, zero, full and urandom, and files on block
// devices (read and write whole blocks or parts of them; a partial write reads, changes and writes
// its block).
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "posix_internal.h"
#include "posix_vfs.h"
#include "posix_vfs_internal.h"

#define DEV_NAME_MAX (15)

typedef struct _dev_entry_t {
    char name[DEV_NAME_MAX + 1]; // "" = free
    const posix_chardev_t *chr;  // one of chr, blk
    const posix_blockdev_t *blk;
    void *ctx;
    uint32_t gen; // changes when the entry is unregistered (block-device fds then fail)
} dev_entry_t;

static dev_entry_t devs[POSIX_DEV_MAX];
static void (*random_fill)(void *buf, size_t len);

void posix_set_random(void (*fill)(void *buf, size_t len)) {
    random_fill = fill;
}

// ---- null zero full urandom: one static file each, no state ----
static ssize_t null_read(posix_file_t *f, void *buf, size_t len) {
    (void)f;
    (void)buf;
    (void)len;
    return 0;
}

static ssize_t sink_write(posix_file_t *f, const void *buf, size_t len) {
    (void)f;
    (void)buf;
    return (ssize_t)len;
}

static ssize_t zero_read(posix_file_t *f, void *buf, size_t len) {
    (void)f;
    memset(buf, 0, len);
    return (ssize_t)len;
}

static ssize_t full_write(posix_file_t *f, const void *buf, size_t len) {
    (void)f;
    (void)buf;
    return len == 0 ? 0 : -ENOSPC;
}

static ssize_t urandom_read(posix_file_t *f, void *buf, size_t len) {
    (void)f;
    if (random_fill == NULL) {
        return -EIO;
    }
    random_fill(buf, len);
    return (ssize_t)len;
}

static off_t zero_lseek(posix_file_t *f, off_t offset, int whence) {
    (void)f;
    (void)offset;
    (void)whence;
    return 0; // as Linux: seeking a character device like these does nothing
}

static unsigned always_ready(posix_file_t *f) {
    (void)f;
    return POLLIN | POLLOUT;
}

#define SIMPLE_OPS(r, w) { .read = r, .write = w, .lseek = zero_lseek, .poll = always_ready, .release = simple_release, .mode = S_IFCHR | 0666 }
static void simple_release(posix_file_t *f) {
    free(f);
}

static const posix_file_ops_t simple_ops[4] = {
    SIMPLE_OPS(null_read, sink_write), SIMPLE_OPS(zero_read, sink_write),
    SIMPLE_OPS(zero_read, full_write), SIMPLE_OPS(urandom_read, sink_write),
};
static int simple_open(void *ctx, int flags, posix_file_t **out) {
    size_t i = (size_t)(uintptr_t)ctx;
    posix_file_t *f = malloc(sizeof(posix_file_t));
    if (f == NULL) {
        return -ENOMEM;
    }
    posix_file_init(f, &simple_ops[i], flags);
    *out = f;
    return 0;
}

static const posix_chardev_t simple_dev = { .open = simple_open, .mode = 0666 };
static const char *const simple_names[4] = { "null", "zero", "full", "urandom" };

// ---- block-device files ----
typedef struct _blk_file_t {
    posix_file_t file;
    dev_entry_t *dev;
    uint32_t gen;
    uint64_t pos; // under posix_lock
} blk_file_t;

static int blk_check(blk_file_t *b) {
    return b->dev->gen == b->gen && b->dev->blk != NULL ? 0 : -EIO;
}

static uint64_t blk_size(blk_file_t *b) {
    return (uint64_t)b->dev->blk->block_size * b->dev->blk->block_count;
}

static ssize_t blk_io(posix_file_t *f, void *rbuf, const void *wbuf, size_t len) {
    blk_file_t *b = (blk_file_t *)f;
    int r = blk_check(b);
    if (r < 0) {
        return r;
    }
    const posix_blockdev_t *d = b->dev->blk;
    if (wbuf != NULL && d->write == NULL) {
        return -EROFS;
    }
    posix_lock();
    uint64_t pos = b->pos;
    posix_unlock();
    uint64_t size = blk_size(b);
    if (pos >= size) {
        return wbuf != NULL && len > 0 ? -ENOSPC : 0;
    }
    if (len > size - pos) {
        len = (size_t)(size - pos);
    }
    uint8_t *tmp = NULL;
    size_t done = 0;
    if (wbuf == NULL) {
        // reads take any range
        r = d->read(b->dev->ctx, (uint32_t)(pos / d->block_size), (uint32_t)(pos % d->block_size), rbuf, (uint32_t)len);
        done = r == 0 ? len : 0;
    }
    while (wbuf != NULL && done < len && r == 0) {
        uint32_t block = (uint32_t)((pos + done) / d->block_size);
        uint32_t off = (uint32_t)((pos + done) % d->block_size);
        size_t n = d->block_size - off < len - done ? d->block_size - off : len - done;
        if (off == 0 && n == d->block_size) {
            r = d->write(b->dev->ctx, block, (const uint8_t *)wbuf + done, 1);
        } else {
            // a part of a block: read, change, write it (one block of C heap meanwhile)
            if (tmp == NULL && (tmp = malloc(d->block_size)) == NULL) {
                r = -ENOMEM;
                break;
            }
            r = d->read(b->dev->ctx, block, 0, tmp, d->block_size);
            if (r == 0) {
                memcpy(tmp + off, (const uint8_t *)wbuf + done, n);
                r = d->write(b->dev->ctx, block, tmp, 1);
            }
        }
        if (r == 0) {
            done += n;
        }
    }
    free(tmp);
    posix_lock();
    b->pos = pos + done;
    posix_unlock();
    return done > 0 ? (ssize_t)done : r;
}

static ssize_t blk_read(posix_file_t *f, void *buf, size_t len) {
    return blk_io(f, buf, NULL, len);
}

static ssize_t blk_write(posix_file_t *f, const void *buf, size_t len) {
    return blk_io(f, NULL, buf, len);
}

static off_t blk_lseek(posix_file_t *f, off_t offset, int whence) {
    blk_file_t *b = (blk_file_t *)f;
    int r = blk_check(b);
    if (r < 0) {
        return r;
    }
    posix_lock();
    int64_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? (int64_t)b->pos
        : whence == SEEK_END ? (int64_t)blk_size(b) : -1;
    off_t res = -EINVAL;
    if (base >= 0 && base + offset >= 0) {
        b->pos = (uint64_t)(base + offset);
        res = (off_t)b->pos;
    }
    posix_unlock();
    return res;
}

static int blk_fstat(posix_file_t *f, struct stat *st) {
    blk_file_t *b = (blk_file_t *)f;
    int r = blk_check(b);
    if (r < 0) {
        return r;
    }
    st->st_mode = S_IFBLK | (b->dev->blk->write != NULL ? 0660 : 0440);
    st->st_size = (off_t)blk_size(b);
    st->st_blksize = b->dev->blk->block_size;
    st->st_blocks = (blkcnt_t)(blk_size(b) / 512);
    return 0;
}

static int blk_ioctl(posix_file_t *f, unsigned long request, void *arg) {
    blk_file_t *b = (blk_file_t *)f;
    int r = blk_check(b);
    if (r < 0) {
        return r;
    }
    if (request == POSIX_BLKSSZGET) {
        *(int *)arg = (int)b->dev->blk->block_size;
        return 0;
    }
    if (request == POSIX_BLKGETSIZE64) {
        *(uint64_t *)arg = blk_size(b);
        return 0;
    }
    if (request == POSIX_BLKFLSBUF) {
        return b->dev->blk->sync != NULL ? b->dev->blk->sync(b->dev->ctx) : 0;
    }
    return -ENOTTY;
}

static void blk_release(posix_file_t *f) {
    free(f);
}

static const posix_file_ops_t blk_ops = {
    .read = blk_read, .write = blk_write, .lseek = blk_lseek, .fstat = blk_fstat, .ioctl = blk_ioctl,
    .poll = always_ready, .release = blk_release, .mode = S_IFBLK | 0660,
};

// ---- the table ----
static void builtins(void) {
    if (devs[0].name[0] == '\0' && devs[0].gen == 0) {
        for (size_t i = 0; i < 4; i++) {
            strcpy(devs[i].name, simple_names[i]);
            devs[i].chr = &simple_dev;
            devs[i].ctx = (void *)(uintptr_t)i;
            devs[i].gen = 1;
        }
    }
}

static const char *base_name(const char *name) {
    return strncmp(name, "/dev/", 5) == 0 ? name + 5 : name;
}

// With posix_lock held.
static dev_entry_t *dev_find_locked(const char *name) {
    builtins();
    for (size_t i = 0; i < POSIX_DEV_MAX; i++) {
        if (devs[i].name[0] != '\0' && strcmp(devs[i].name, name) == 0) {
            return &devs[i];
        }
    }
    return NULL;
}

static int dev_register(const char *name, const posix_chardev_t *chr, const posix_blockdev_t *blk, void *ctx) {
    name = base_name(name);
    size_t n = strlen(name);
    if (n == 0 || n > DEV_NAME_MAX || strchr(name, '/') != NULL || strcmp(name, ".") == 0 || strcmp(name, "..") == 0
        || (blk != NULL && (blk->read == NULL || blk->block_size == 0))) {
        return (int)posix_result(-EINVAL);
    }
    int r = -ENOSPC;
    posix_lock();
    if (dev_find_locked(name) != NULL) {
        r = -EEXIST;
    } else {
        for (size_t i = 0; i < POSIX_DEV_MAX; i++) {
            if (devs[i].name[0] == '\0') {
                memcpy(devs[i].name, name, n + 1);
                devs[i].chr = chr;
                devs[i].blk = blk;
                devs[i].ctx = ctx;
                devs[i].gen++;
                r = 0;
                break;
            }
        }
    }
    posix_unlock();
    return (int)posix_result(r);
}

int posix_chardev_register(const char *name, const posix_chardev_t *dev, void *ctx) {
    if (dev == NULL || dev->open == NULL) {
        return (int)posix_result(-EINVAL);
    }
    return dev_register(name, dev, NULL, ctx);
}

int posix_blockdev_register(const char *name, const posix_blockdev_t *dev, void *ctx) {
    if (dev == NULL) {
        return (int)posix_result(-EINVAL);
    }
    return dev_register(name, NULL, dev, ctx);
}

int posix_dev_unregister(const char *name) {
    posix_lock();
    dev_entry_t *d = dev_find_locked(base_name(name));
    if (d != NULL) {
        d->name[0] = '\0';
        d->chr = NULL;
        d->blk = NULL;
        d->gen++;
    }
    posix_unlock();
    return d != NULL ? 0 : (int)posix_result(-ENOENT);
}

const posix_blockdev_t *posix_blockdev_find(const char *name, void **ctx) {
    posix_lock();
    dev_entry_t *d = dev_find_locked(base_name(name));
    const posix_blockdev_t *b = d != NULL ? d->blk : NULL;
    if (b != NULL && ctx != NULL) {
        *ctx = d->ctx;
    }
    posix_unlock();
    return b;
}

bool posix_dev_entry(int i, const char **name, mode_t *mode) {
    posix_lock();
    builtins();
    bool found = false;
    for (size_t k = 0; k < POSIX_DEV_MAX && !found; k++) {
        if (devs[k].name[0] != '\0' && i-- == 0) {
            *name = devs[k].name;
            *mode = devs[k].chr != NULL ? (mode_t)(S_IFCHR | devs[k].chr->mode)
                : (mode_t)(S_IFBLK | (devs[k].blk->write != NULL ? 0660 : 0440));
            found = true;
        }
    }
    posix_unlock();
    return found;
}

// name: below /dev, normal ("" = /dev itself). Returns 0 or -errno.
int posix_dev_stat(const char *name, struct stat *st) {
    memset(st, 0, sizeof(*st));
    if (name[0] == '\0') {
        st->st_mode = S_IFDIR | 0755;
        st->st_nlink = 2;
        return 0;
    }
    posix_lock();
    dev_entry_t *d = dev_find_locked(name);
    int r = -ENOENT;
    if (d != NULL) {
        st->st_nlink = 1;
        st->st_rdev = (dev_t)(d - devs);
        if (d->chr != NULL) {
            st->st_mode = S_IFCHR | d->chr->mode;
        } else {
            st->st_mode = S_IFBLK | (d->blk->write != NULL ? 0660 : 0440);
            st->st_size = (off_t)((uint64_t)d->blk->block_size * d->blk->block_count);
            st->st_blksize = d->blk->block_size;
        }
        r = 0;
    }
    posix_unlock();
    return r;
}

int posix_dev_open(const char *name, int flags, posix_file_t **out) {
    if (name[0] == '\0') {
        return (flags & O_ACCMODE) != O_RDONLY ? -EISDIR : -ENOTSUP; // no fds for directories yet
    }
    posix_lock();
    dev_entry_t *d = dev_find_locked(name);
    dev_entry_t copy;
    if (d != NULL) {
        copy = *d;
    }
    posix_unlock();
    if (d == NULL) {
        return (flags & O_CREAT) ? -EACCES : -ENOENT;
    }
    if ((flags & O_CREAT) && (flags & O_EXCL)) {
        return -EEXIST;
    }
    if (copy.chr != NULL) {
        return copy.chr->open(copy.ctx, flags & ~(O_CREAT | O_EXCL | O_TRUNC | O_CLOEXEC), out);
    }
    if ((flags & O_ACCMODE) != O_RDONLY && copy.blk->write == NULL) {
        return -EROFS;
    }
    blk_file_t *b = calloc(1, sizeof(blk_file_t));
    if (b == NULL) {
        return -ENOMEM;
    }
    posix_file_init(&b->file, &blk_ops, flags & (O_ACCMODE | O_NONBLOCK));
    b->dev = d;
    b->gen = copy.gen;
    *out = &b->file;
    return 0;
}
