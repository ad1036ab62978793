// lib/posix: poll and select. The caller is put on the wait list of every file it polls, then blocks
// on its task notification until one of them changes, an fd is closed (POLLNVAL / EBADF) or the
// timeout expires: it is not scheduled in between.
#include <stdlib.h>
#include <string.h>
#include "posix_internal.h"

typedef struct _poll_entry_t {
    posix_file_t *file;
    posix_waiter_t waiter;
} poll_entry_t;

static TickType_t ticks_of_ms(long long ms) {
    if (ms < 0) {
        return portMAX_DELAY;
    }
    unsigned long long t = ((unsigned long long)ms * configTICK_RATE_HZ + 999) / 1000;
    return t >= portMAX_DELAY ? portMAX_DELAY - 1 : (TickType_t)t;
}

// poll with a timeout in ticks; returns the number of fds with events or a negative errno. With `wake`,
// see posix_poll_wake.
static int poll_ticks(struct pollfd *fds, nfds_t nfds, TickType_t ticks, bool wake) {
    if (nfds > POSIX_FD_MAX) {
        return -EINVAL;
    }
    poll_entry_t stack[POSIX_POLL_STACK_FDS];
    poll_entry_t *e = stack;
    if (nfds > POSIX_POLL_STACK_FDS) {
        e = malloc(nfds * sizeof(*e));
        if (e == NULL) {
            return -EAGAIN;
        }
    }
    posix_deadline_t d;
    posix_deadline_init(&d, ticks);
    if (!wake) {
        posix_wait_arm();
    }
    posix_lock();
    for (nfds_t i = 0; i < nfds; i++) {
        posix_file_t *f = fds[i].fd < 0 ? NULL : posix_fd_lookup_locked(fds[i].fd);
        e[i].file = f;
        if (f != NULL) {
            f->refs++;
            posix_waiter_link(f, &e[i].waiter);
        }
    }
    posix_unlock();

    int n;
    bool woken = false;
    for (;;) {
        n = 0;
        for (nfds_t i = 0; i < nfds; i++) {
            posix_file_t *f = e[i].file;
            unsigned revents = 0;
            if (fds[i].fd >= 0) {
                posix_lock();
                bool named = f != NULL && posix_fd_lookup_locked(fds[i].fd) == f;
                posix_unlock();
                if (!named) {
                    revents = POLLNVAL;
                } else {
                    unsigned ready = f->ops->poll != NULL ? f->ops->poll(f) : (POLLIN | POLLOUT);
                    revents = ready & ((unsigned)fds[i].events | POLLHUP | POLLERR);
                }
            }
            fds[i].revents = (short)revents;
            n += revents != 0;
        }
        if (n > 0 || woken) {
            break;
        }
        int r = posix_wait_block(&d);
        if (r == -ETIMEDOUT) {
            break;
        }
        if (r < 0) {
            n = r;
            break;
        }
        woken = wake;
    }

    posix_lock();
    for (nfds_t i = 0; i < nfds; i++) {
        if (e[i].file != NULL) {
            posix_waiter_unlink(e[i].file, &e[i].waiter);
        }
    }
    posix_unlock();
    for (nfds_t i = 0; i < nfds; i++) {
        if (e[i].file != NULL) {
            posix_file_put(e[i].file);
        }
    }
    if (e != stack) {
        free(e);
    }
    return n;
}

int posix_poll(struct pollfd *fds, nfds_t nfds, int timeout_ms) {
    return (int)posix_result(poll_ticks(fds, nfds, ticks_of_ms(timeout_ms), false));
}

int posix_poll_wake(struct pollfd *fds, nfds_t nfds, int timeout_ms) {
    return (int)posix_result(poll_ticks(fds, nfds, ticks_of_ms(timeout_ms), true));
}

int posix_select(int nfds, fd_set *readfds, fd_set *writefds, fd_set *exceptfds, struct timeval *timeout) {
    if (nfds < 0 || nfds > FD_SETSIZE) {
        return (int)posix_result(-EINVAL);
    }
    TickType_t ticks = portMAX_DELAY;
    if (timeout != NULL) {
        if (timeout->tv_sec < 0 || timeout->tv_usec < 0 || timeout->tv_usec >= 1000000) {
            return (int)posix_result(-EINVAL);
        }
        ticks = ticks_of_ms((long long)timeout->tv_sec * 1000 + (timeout->tv_usec + 999) / 1000);
    }
    struct pollfd pfds[POSIX_FD_MAX];
    nfds_t n = 0;
    for (int fd = 0; fd < nfds; fd++) {
        short ev = (short)((readfds != NULL && FD_ISSET(fd, readfds) ? POLLIN : 0)
            | (writefds != NULL && FD_ISSET(fd, writefds) ? POLLOUT : 0)
            | (exceptfds != NULL && FD_ISSET(fd, exceptfds) ? POLLPRI : 0));
        if (ev == 0) {
            continue;
        }
        if (fd >= POSIX_FD_MAX) {
            return (int)posix_result(-EBADF); // no such fd can be open
        }
        pfds[n].fd = fd;
        pfds[n].events = ev;
        pfds[n].revents = 0;
        n++;
    }
    int r = poll_ticks(pfds, n, ticks, false);
    if (r < 0) {
        return (int)posix_result(r);
    }
    for (nfds_t i = 0; i < n; i++) {
        if (pfds[i].revents & POLLNVAL) {
            return (int)posix_result(-EBADF); // the sets are left as they were
        }
    }
    if (readfds != NULL) {
        FD_ZERO(readfds);
    }
    if (writefds != NULL) {
        FD_ZERO(writefds);
    }
    if (exceptfds != NULL) {
        FD_ZERO(exceptfds);
    }
    int count = 0;
    for (nfds_t i = 0; i < n; i++) {
        short ev = pfds[i].events, rev = pfds[i].revents;
        int fd = pfds[i].fd;
        if ((ev & POLLIN) && (rev & (POLLIN | POLLHUP | POLLERR))) {
            FD_SET(fd, readfds);
            count++;
        }
        if ((ev & POLLOUT) && (rev & (POLLOUT | POLLERR))) {
            FD_SET(fd, writefds);
            count++;
        }
        if ((ev & POLLPRI) && (rev & POLLPRI)) {
            FD_SET(fd, exceptfds);
            count++;
        }
    }
    return count;
}
