// lib/posix: what the layer's files share and nobody else needs.
#ifndef POSIX_INTERNAL_H
#define POSIX_INTERNAL_H

#include <errno.h>
#include <fcntl.h>
#include "FreeRTOS.h"
#include "task.h"
#include "posix_file.h"

// A task blocked on a file: one per (task, file) for the length of a wait, on the task's stack.
struct _posix_waiter_t {
    posix_waiter_t *next;
    TaskHandle_t task;
};

// With posix_lock held: add w (for the calling task) to f's waiters / take it off again.
void posix_waiter_link(posix_file_t *f, posix_waiter_t *w);
void posix_waiter_unlink(posix_file_t *f, posix_waiter_t *w);

// A wait: posix_wait_arm before looking at readiness (a notification from then on is not lost), then
// posix_wait_block, which blocks until a notification or the deadline. Returns 0 when woken,
// -ETIMEDOUT when the deadline passed, -EINTR when the block hook says to give up.
// A deadline of portMAX_DELAY ticks never passes.
typedef struct _posix_deadline_t {
    TimeOut_t start;
    TickType_t ticks;
} posix_deadline_t;
void posix_deadline_init(posix_deadline_t *d, TickType_t ticks);
void posix_wait_arm(void);
int posix_wait_block(posix_deadline_t *d);

// With posix_lock held: the file fd names, or NULL.
posix_file_t *posix_fd_lookup_locked(int fd);

// With posix_lock held: what an fd names, or a file's status flags, changed (posix_fd_generation).
void posix_fd_changed_locked(void);

// Sets errno from a negative result and returns -1; other results pass through.
static inline ssize_t posix_result(ssize_t r) {
    if (r < 0) {
        errno = (int)-r;
        return -1;
    }
    return r;
}

#endif // POSIX_INTERNAL_H
