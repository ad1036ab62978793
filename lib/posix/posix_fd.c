// lib/posix: the file-descriptor table and the calls that only change it (close, dup, dup2, fcntl).
//
// Each slot holds a file with one reference; a call in progress holds one more (posix_file_get), so a
// file closed meanwhile stays valid until the call ends, and its kind's release runs when the last
// reference goes, outside the lock.
#include "posix_internal.h"

static posix_file_t *fd_table[POSIX_FD_MAX];
static uint8_t fd_flags[POSIX_FD_MAX]; // FD_CLOEXEC per fd (kept for fcntl; there is no exec)

void posix_file_init(posix_file_t *f, const posix_file_ops_t *ops, int flags) {
    f->ops = ops;
    f->waiters = NULL;
    f->refs = 0;
    f->flags = flags;
}

posix_file_t *posix_fd_lookup_locked(int fd) {
    if (fd < 0 || fd >= POSIX_FD_MAX) {
        return NULL;
    }
    return fd_table[fd];
}

posix_file_t *posix_fd_peek(int fd) {
    if (fd < 0 || fd >= POSIX_FD_MAX) {
        return NULL;
    }
    return *(posix_file_t *volatile *)&fd_table[fd];
}

posix_file_t *posix_file_get(int fd) {
    posix_lock();
    posix_file_t *f = posix_fd_lookup_locked(fd);
    if (f != NULL) {
        f->refs++;
    }
    posix_unlock();
    return f;
}

void posix_file_put(posix_file_t *f) {
    posix_lock();
    bool last = --f->refs == 0;
    posix_unlock();
    if (last && f->ops->release != NULL) {
        f->ops->release(f);
    }
}

// With the lock held: the lowest free slot >= min_fd, or -EMFILE.
static int lowest_free_locked(int min_fd) {
    for (int fd = min_fd < 0 ? 0 : min_fd; fd < POSIX_FD_MAX; fd++) {
        if (fd_table[fd] == NULL) {
            return fd;
        }
    }
    return -EMFILE;
}

int posix_fd_install(posix_file_t *f, int min_fd) {
    posix_lock();
    int fd = lowest_free_locked(min_fd);
    if (fd >= 0) {
        fd_table[fd] = f;
        fd_flags[fd] = 0;
        f->refs++;
    }
    posix_unlock();
    return fd;
}

int posix_fd_install_pair(posix_file_t *a, posix_file_t *b, int fds[2]) {
    int r = -EMFILE;
    posix_lock();
    int fa = lowest_free_locked(0);
    int fb = fa < 0 ? -EMFILE : lowest_free_locked(fa + 1);
    if (fb >= 0) {
        fd_table[fa] = a;
        fd_flags[fa] = 0;
        a->refs++;
        fd_table[fb] = b;
        fd_flags[fb] = 0;
        b->refs++;
        fds[0] = fa;
        fds[1] = fb;
        r = 0;
    }
    posix_unlock();
    return r;
}

// With the lock held: fd names f; returns what it named before (the caller drops that reference).
static posix_file_t *replace_locked(int fd, posix_file_t *f, uint8_t flags) {
    posix_file_t *old = fd_table[fd];
    fd_table[fd] = f;
    fd_flags[fd] = flags;
    if (f != NULL) {
        f->refs++;
    }
    if (old != NULL) {
        // A task blocked on fd wakes, sees that fd no longer names its file and fails with EBADF.
        posix_file_notify_locked(old);
    }
    return old;
}

int posix_fd_install_at(posix_file_t *f, int fd) {
    if (fd < 0 || fd >= POSIX_FD_MAX) {
        return -EBADF;
    }
    posix_lock();
    posix_file_t *old = replace_locked(fd, f, 0);
    posix_unlock();
    if (old != NULL) {
        posix_file_put(old);
    }
    return fd;
}

int posix_close(int fd) {
    posix_lock();
    posix_file_t *f = posix_fd_lookup_locked(fd);
    if (f != NULL) {
        replace_locked(fd, NULL, 0);
    }
    posix_unlock();
    if (f == NULL) {
        return posix_result(-EBADF);
    }
    posix_file_put(f);
    return 0;
}

static int dup_from(int fd, int min_fd, uint8_t flags) {
    if (min_fd < 0 || min_fd >= POSIX_FD_MAX) {
        return -EINVAL;
    }
    posix_lock();
    posix_file_t *f = posix_fd_lookup_locked(fd);
    int r = f == NULL ? -EBADF : lowest_free_locked(min_fd);
    if (r >= 0) {
        replace_locked(r, f, flags);
    }
    posix_unlock();
    return r;
}

int posix_dup(int fd) {
    return (int)posix_result(dup_from(fd, 0, 0));
}

int posix_dup2(int fd, int fd2) {
    if (fd2 < 0 || fd2 >= POSIX_FD_MAX) {
        // Checked after fd in POSIX terms, but both are EBADF.
        return (int)posix_result(-EBADF);
    }
    posix_lock();
    posix_file_t *f = posix_fd_lookup_locked(fd);
    posix_file_t *old = NULL;
    if (f != NULL && fd != fd2) {
        old = replace_locked(fd2, f, 0);
    }
    posix_unlock();
    if (f == NULL) {
        return (int)posix_result(-EBADF);
    }
    if (old != NULL) {
        posix_file_put(old);
    }
    return fd2;
}

int posix_fcntl(int fd, int cmd, int arg) {
    int r;
    switch (cmd) {
        case F_DUPFD:
            return (int)posix_result(dup_from(fd, arg, 0));
        case F_DUPFD_CLOEXEC:
            return (int)posix_result(dup_from(fd, arg, FD_CLOEXEC));
        default:
            break;
    }
    posix_lock();
    posix_file_t *f = posix_fd_lookup_locked(fd);
    if (f == NULL) {
        r = -EBADF;
    } else {
        switch (cmd) {
            case F_GETFL:
                r = f->flags;
                break;
            case F_SETFL:
                // Only these status flags change; the access mode and the rest stay.
                f->flags = (f->flags & ~(O_NONBLOCK | O_APPEND)) | (arg & (O_NONBLOCK | O_APPEND));
                r = 0;
                break;
            case F_GETFD:
                r = fd_flags[fd];
                break;
            case F_SETFD:
                fd_flags[fd] = (uint8_t)(arg & FD_CLOEXEC);
                r = 0;
                break;
            default:
                r = -EINVAL;
                break;
        }
    }
    posix_unlock();
    return (int)posix_result(r);
}

int posix_fd_count(void) {
    int n = 0;
    posix_lock();
    for (int fd = 0; fd < POSIX_FD_MAX; fd++) {
        n += fd_table[fd] != NULL;
    }
    posix_unlock();
    return n;
}
