// lib/posix: read, write and the other calls on one open fd; blocking is done here for every kind.
#include <string.h>
#include <sys/ioctl.h>
#include "posix_internal.h"

static unsigned readiness(posix_file_t *f) {
    return f->ops->poll != NULL ? f->ops->poll(f) : (POLLIN | POLLOUT);
}

// Blocks until f (named by fd) reports one of `events` (or POLLHUP/POLLERR), or fd stops naming f
// (-EBADF), or the block hook gives up (-EINTR).
static int wait_ready(int fd, posix_file_t *f, unsigned events) {
    posix_waiter_t w;
    posix_deadline_t d;
    posix_deadline_init(&d, portMAX_DELAY);
    posix_wait_arm();
    posix_lock();
    bool named = posix_fd_lookup_locked(fd) == f;
    if (named) {
        posix_waiter_link(f, &w);
    }
    posix_unlock();
    if (!named) {
        return -EBADF;
    }
    int r = 0;
    if ((readiness(f) & (events | POLLHUP | POLLERR)) == 0) {
        r = posix_wait_block(&d);
    }
    posix_lock();
    posix_waiter_unlink(f, &w);
    if (r == 0 && posix_fd_lookup_locked(fd) != f) {
        r = -EBADF;
    }
    posix_unlock();
    return r;
}

ssize_t posix_read(int fd, void *buf, size_t len) {
    posix_file_t *f = posix_file_get(fd);
    if (f == NULL) {
        return posix_result(-EBADF);
    }
    ssize_t r;
    if ((f->flags & O_ACCMODE) == O_WRONLY) {
        r = -EBADF;
    } else if (f->ops->read == NULL) {
        r = -EINVAL;
    } else {
        for (;;) {
            r = f->ops->read(f, buf, len);
            if (r != -EAGAIN || (f->flags & O_NONBLOCK)) {
                break;
            }
            r = wait_ready(fd, f, POLLIN);
            if (r < 0) {
                break;
            }
        }
    }
    posix_file_put(f);
    return posix_result(r);
}

ssize_t posix_write(int fd, const void *buf, size_t len) {
    posix_file_t *f = posix_file_get(fd);
    if (f == NULL) {
        return posix_result(-EBADF);
    }
    ssize_t r;
    size_t done = 0;
    if ((f->flags & O_ACCMODE) == O_RDONLY) {
        r = -EBADF;
    } else if (f->ops->write == NULL) {
        r = -EINVAL;
    } else {
        // A blocking write to a write_all kind returns when everything is written (or on an error after
        // a part); otherwise it returns what one write took.
        for (;;) {
            r = f->ops->write(f, (const uint8_t *)buf + done, len - done);
            if (r > 0) {
                done += (size_t)r;
                if (done == len || (f->flags & O_NONBLOCK) || !f->ops->write_all) {
                    break;
                }
                continue;
            }
            if (r != -EAGAIN || (f->flags & O_NONBLOCK)) {
                break;
            }
            r = wait_ready(fd, f, POLLOUT);
            if (r < 0) {
                break;
            }
        }
    }
    posix_file_put(f);
    return done > 0 ? (ssize_t)done : posix_result(r);
}

off_t posix_lseek(int fd, off_t offset, int whence) {
    posix_file_t *f = posix_file_get(fd);
    if (f == NULL) {
        return posix_result(-EBADF);
    }
    off_t r = f->ops->lseek != NULL ? f->ops->lseek(f, offset, whence) : -ESPIPE;
    posix_file_put(f);
    return posix_result(r);
}

int posix_fstat(int fd, struct stat *st) {
    posix_file_t *f = posix_file_get(fd);
    if (f == NULL) {
        return posix_result(-EBADF);
    }
    memset(st, 0, sizeof(*st));
    st->st_mode = f->ops->mode;
    st->st_nlink = 1;
    int r = f->ops->fstat != NULL ? f->ops->fstat(f, st) : 0;
    posix_file_put(f);
    return posix_result(r);
}

int posix_ioctl(int fd, unsigned long request, void *arg) {
    posix_file_t *f = posix_file_get(fd);
    if (f == NULL) {
        return posix_result(-EBADF);
    }
    int r;
    if (request == FIONBIO) {
        posix_lock();
        f->flags = *(const int *)arg ? (f->flags | O_NONBLOCK) : (f->flags & ~O_NONBLOCK);
        posix_fd_changed_locked();
        posix_unlock();
        r = 0;
    } else {
        r = f->ops->ioctl != NULL ? f->ops->ioctl(f, request, arg) : -ENOTTY;
    }
    posix_file_put(f);
    return posix_result(r);
}

int posix_isatty(int fd) {
    posix_file_t *f = posix_file_get(fd);
    if (f == NULL) {
        return (int)posix_result(-EBADF) + 1; // 0 with errno EBADF
    }
    int r = f->ops->tty ? 1 : 0;
    posix_file_put(f);
    if (r == 0) {
        errno = ENOTTY;
    }
    return r;
}
