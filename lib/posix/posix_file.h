// lib/posix: the interface of a kind of file (pipe, eventfd, console, later files, sockets, devices).
//
// A kind embeds a posix_file_t (an open file description) in its own structure and supplies a
// posix_file_ops_t. The layer does the fd table, reference counts, O_NONBLOCK and all blocking: an
// operation never blocks, it returns -EAGAIN when it would, and the kind calls posix_file_notify
// whenever the readiness it reports through `poll` may have changed. Operations return a value >= 0
// or a negative errno and are called without the layer's lock held; a kind guards its own state with
// posix_lock/posix_unlock (short sections: no blocking inside).
#ifndef POSIX_FILE_H
#define POSIX_FILE_H

#include "posix.h"

typedef struct _posix_file_t posix_file_t;
typedef struct _posix_waiter_t posix_waiter_t;

typedef struct _posix_file_ops_t {
    ssize_t (*read)(posix_file_t *f, void *buf, size_t len);        // NULL: EINVAL
    ssize_t (*write)(posix_file_t *f, const void *buf, size_t len); // NULL: EINVAL
    off_t (*lseek)(posix_file_t *f, off_t offset, int whence);      // NULL: ESPIPE
    int (*fstat)(posix_file_t *f, struct stat *st);                 // NULL: st_mode = `mode` only
    int (*ioctl)(posix_file_t *f, unsigned long request, void *arg); // NULL: ENOTTY
    unsigned (*poll)(posix_file_t *f);  // readiness now: POLLIN POLLOUT POLLHUP POLLERR
    void (*release)(posix_file_t *f);   // the last reference is gone: free the file
    mode_t mode;                        // S_IFIFO, S_IFCHR, ... for fstat
    bool tty;                           // isatty
    bool write_all;                     // a blocking write goes on until all is written (pipes);
                                        // otherwise it returns what the first write took
} posix_file_ops_t;

struct _posix_file_t {
    const posix_file_ops_t *ops;
    posix_waiter_t *waiters;   // tasks blocked on this file (under posix_lock)
    uint16_t refs;             // fd table entries + calls in progress (under posix_lock)
    int flags;                 // O_ACCMODE bits | O_NONBLOCK | O_APPEND (under posix_lock)
};

// The layer's lock: the scheduler is suspended on both cores' task side (vTaskSuspendAll), so not
// for use from interrupt handlers. Not recursive.
void posix_lock(void);
void posix_unlock(void);

// Sets up a file with no references; then posix_fd_install gives it an fd.
void posix_file_init(posix_file_t *f, const posix_file_ops_t *ops, int flags);

// The lowest free fd >= min_fd now names f (one more reference); -EMFILE when none is free.
int posix_fd_install(posix_file_t *f, int min_fd);

// The two lowest free fds name a and b (fds[0], fds[1]), or -EMFILE and neither is installed.
int posix_fd_install_pair(posix_file_t *a, posix_file_t *b, int fds[2]);

// fd names f from now on, replacing what it named (that file's waiters wake with EBADF); -EBADF if
// fd is out of range. For the firmware's stdin/stdout/stderr.
int posix_fd_install_at(posix_file_t *f, int fd);

// The file fd names, with one more reference (posix_file_put drops it), or NULL.
posix_file_t *posix_file_get(int fd);
void posix_file_put(posix_file_t *f);

// The file fd names at this moment (NULL if none), read without the lock and without taking a
// reference, so callable from any context (interrupt handlers, scheduler suspended): only for
// comparing with a file that never goes away (the firmware's console, on its fast path).
posix_file_t *posix_fd_peek(int fd);

// Wakes every task blocked on f so it looks at f's readiness again. posix_file_notify_locked is the
// same with posix_lock already held.
void posix_file_notify(posix_file_t *f);
void posix_file_notify_locked(posix_file_t *f);

#endif // POSIX_FILE_H
