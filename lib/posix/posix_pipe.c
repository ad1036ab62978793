// lib/posix: pipes. Both ends share a byte ring of POSIX_PIPE_BYTES; each end is its own open file
// description, freed with the pipe when both ends are released.
#include <stdlib.h>
#include <string.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include "posix_internal.h"

typedef struct _posix_pipe_t {
    posix_file_t rd;
    posix_file_t wr;
    bool rd_open; // under posix_lock, like everything below
    bool wr_open;
    uint16_t head;  // index of the oldest byte
    uint16_t count; // bytes held
    uint8_t buf[POSIX_PIPE_BYTES];
} posix_pipe_t;

static posix_pipe_t *pipe_of_rd(posix_file_t *f) {
    return (posix_pipe_t *)(void *)((uint8_t *)f - offsetof(posix_pipe_t, rd));
}

static posix_pipe_t *pipe_of_wr(posix_file_t *f) {
    return (posix_pipe_t *)(void *)((uint8_t *)f - offsetof(posix_pipe_t, wr));
}

static ssize_t pipe_read(posix_file_t *f, void *buf, size_t len) {
    posix_pipe_t *p = pipe_of_rd(f);
    if (len == 0) {
        return 0;
    }
    ssize_t r;
    posix_lock();
    if (p->count == 0) {
        r = p->wr_open ? -EAGAIN : 0; // no writer left: end of file
    } else {
        size_t n = len < p->count ? len : p->count;
        size_t first = POSIX_PIPE_BYTES - p->head;
        if (first > n) {
            first = n;
        }
        memcpy(buf, p->buf + p->head, first);
        memcpy((uint8_t *)buf + first, p->buf, n - first);
        p->head = (uint16_t)((p->head + n) % POSIX_PIPE_BYTES);
        p->count = (uint16_t)(p->count - n);
        posix_file_notify_locked(&p->wr);
        r = (ssize_t)n;
    }
    posix_unlock();
    return r;
}

static ssize_t pipe_write(posix_file_t *f, const void *buf, size_t len) {
    posix_pipe_t *p = pipe_of_wr(f);
    if (len == 0) {
        return 0;
    }
    ssize_t r;
    posix_lock();
    size_t room = POSIX_PIPE_BYTES - p->count;
    if (!p->rd_open) {
        r = -EPIPE;
    } else if (room == 0 || (len <= POSIX_PIPE_ATOMIC && room < len)) {
        r = -EAGAIN; // a write of up to POSIX_PIPE_ATOMIC bytes goes in whole or not at all
    } else {
        size_t n = len < room ? len : room;
        size_t tail = (p->head + p->count) % POSIX_PIPE_BYTES;
        size_t first = POSIX_PIPE_BYTES - tail;
        if (first > n) {
            first = n;
        }
        memcpy(p->buf + tail, buf, first);
        memcpy(p->buf, (const uint8_t *)buf + first, n - first);
        p->count = (uint16_t)(p->count + n);
        posix_file_notify_locked(&p->rd);
        r = (ssize_t)n;
    }
    posix_unlock();
    return r;
}

static unsigned pipe_poll_rd(posix_file_t *f) {
    posix_pipe_t *p = pipe_of_rd(f);
    posix_lock();
    unsigned m = (p->count > 0 ? POLLIN : 0) | (p->wr_open ? 0 : POLLHUP);
    posix_unlock();
    return m;
}

static unsigned pipe_poll_wr(posix_file_t *f) {
    posix_pipe_t *p = pipe_of_wr(f);
    posix_lock();
    unsigned m = !p->rd_open ? POLLERR : (POSIX_PIPE_BYTES - p->count >= POSIX_PIPE_ATOMIC ? POLLOUT : 0);
    posix_unlock();
    return m;
}

static int pipe_ioctl_rd(posix_file_t *f, unsigned long request, void *arg) {
    if (request != FIONREAD) {
        return -ENOTTY;
    }
    posix_pipe_t *p = pipe_of_rd(f);
    posix_lock();
    *(int *)arg = p->count;
    posix_unlock();
    return 0;
}

// An end is released: the other end's waiters see EOF / POLLERR; the last end frees the pipe.
static void pipe_release(posix_pipe_t *p, bool *end, posix_file_t *other) {
    posix_lock();
    *end = false;
    posix_file_notify_locked(other);
    bool last = !p->rd_open && !p->wr_open;
    posix_unlock();
    if (last) {
        free(p);
    }
}

static void pipe_release_rd(posix_file_t *f) {
    posix_pipe_t *p = pipe_of_rd(f);
    pipe_release(p, &p->rd_open, &p->wr);
}

static void pipe_release_wr(posix_file_t *f) {
    posix_pipe_t *p = pipe_of_wr(f);
    pipe_release(p, &p->wr_open, &p->rd);
}

static const posix_file_ops_t pipe_rd_ops = {
    .read = pipe_read,
    .ioctl = pipe_ioctl_rd,
    .poll = pipe_poll_rd,
    .release = pipe_release_rd,
    .mode = S_IFIFO | 0600,
};

static const posix_file_ops_t pipe_wr_ops = {
    .write = pipe_write,
    .poll = pipe_poll_wr,
    .release = pipe_release_wr,
    .mode = S_IFIFO | 0600,
    .write_all = true,
};

int posix_pipe(int fds[2]) {
    return posix_pipe2(fds, 0);
}

int posix_pipe2(int fds[2], int flags) {
    if (flags & ~(O_NONBLOCK | O_CLOEXEC)) {
        return (int)posix_result(-EINVAL);
    }
    posix_pipe_t *p = malloc(sizeof(*p));
    if (p == NULL) {
        return (int)posix_result(-ENFILE);
    }
    posix_file_init(&p->rd, &pipe_rd_ops, O_RDONLY | (flags & O_NONBLOCK));
    posix_file_init(&p->wr, &pipe_wr_ops, O_WRONLY | (flags & O_NONBLOCK));
    p->rd_open = true;
    p->wr_open = true;
    p->head = 0;
    p->count = 0;
    int r = posix_fd_install_pair(&p->rd, &p->wr, fds);
    if (r < 0) {
        free(p);
        return (int)posix_result(r);
    }
    if (flags & O_CLOEXEC) {
        posix_fcntl(fds[0], F_SETFD, FD_CLOEXEC);
        posix_fcntl(fds[1], F_SETFD, FD_CLOEXEC);
    }
    return 0;
}
