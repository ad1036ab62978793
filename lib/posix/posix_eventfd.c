// lib/posix: eventfd, a 64-bit counter: write adds, read takes the whole count (or 1 with
// POSIX_EFD_SEMAPHORE), as Linux's eventfd(2).
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include "posix_internal.h"

#define EVENTFD_MAX (UINT64_C(0xfffffffffffffffe))

typedef struct _posix_eventfd_t {
    posix_file_t file; // first: the file is the eventfd
    uint64_t count;    // under posix_lock
    bool semaphore;
} posix_eventfd_t;

static ssize_t eventfd_read_op(posix_file_t *f, void *buf, size_t len) {
    posix_eventfd_t *e = (posix_eventfd_t *)f;
    if (len < sizeof(uint64_t)) {
        return -EINVAL;
    }
    uint64_t v = 0;
    posix_lock();
    if (e->count > 0) {
        v = e->semaphore ? 1 : e->count;
        e->count -= v;
        posix_file_notify_locked(f);
    }
    posix_unlock();
    if (v == 0) {
        return -EAGAIN;
    }
    memcpy(buf, &v, sizeof(v));
    return sizeof(v);
}

static ssize_t eventfd_write_op(posix_file_t *f, const void *buf, size_t len) {
    posix_eventfd_t *e = (posix_eventfd_t *)f;
    if (len < sizeof(uint64_t)) {
        return -EINVAL;
    }
    uint64_t v;
    memcpy(&v, buf, sizeof(v));
    if (v == UINT64_MAX) {
        return -EINVAL;
    }
    ssize_t r = sizeof(v);
    posix_lock();
    if (v > EVENTFD_MAX - e->count) {
        r = -EAGAIN; // would overflow: wait for a reader
    } else if (v > 0) {
        e->count += v;
        posix_file_notify_locked(f);
    }
    posix_unlock();
    return r;
}

static unsigned eventfd_poll_op(posix_file_t *f) {
    posix_eventfd_t *e = (posix_eventfd_t *)f;
    posix_lock();
    unsigned m = (e->count > 0 ? POLLIN : 0) | (e->count < EVENTFD_MAX ? POLLOUT : 0);
    posix_unlock();
    return m;
}

static void eventfd_release_op(posix_file_t *f) {
    free(f);
}

static const posix_file_ops_t eventfd_ops = {
    .read = eventfd_read_op,
    .write = eventfd_write_op,
    .poll = eventfd_poll_op,
    .release = eventfd_release_op,
    .mode = S_IFCHR | 0600,
};

int posix_eventfd(unsigned int initval, int flags) {
    if (flags & ~(POSIX_EFD_SEMAPHORE | POSIX_EFD_NONBLOCK | POSIX_EFD_CLOEXEC)) {
        return (int)posix_result(-EINVAL);
    }
    posix_eventfd_t *e = malloc(sizeof(*e));
    if (e == NULL) {
        return (int)posix_result(-ENOMEM);
    }
    posix_file_init(&e->file, &eventfd_ops, O_RDWR | (flags & POSIX_EFD_NONBLOCK));
    e->count = initval;
    e->semaphore = (flags & POSIX_EFD_SEMAPHORE) != 0;
    int fd = posix_fd_install(&e->file, 0);
    if (fd < 0) {
        free(e);
        return (int)posix_result(fd);
    }
    if (flags & POSIX_EFD_CLOEXEC) {
        posix_fcntl(fd, F_SETFD, FD_CLOEXEC);
    }
    return fd;
}
