// lib/posix: the file-descriptor layer over Picolibc, shared by C code and MicroPython.
//
// Every call here behaves as the POSIX function of the same name without the prefix: it returns -1
// and sets errno on failure. On the firmware the standard names (read, write, poll, ...) are these
// functions (posix_names.c); the host tests call the prefixed names, so the host's own C library
// keeps its read and write.
//
// Thread safety: any task on either core may call any function at any time; the fd table and each
// file's state change under the layer's lock (posix_lock). A call that blocks blocks only the calling
// task, on a task notification (POSIX_NOTIFY_INDEX): it is not scheduled again until a file it waits
// on changes, its timeout expires, the fd it waits on is closed (the call then fails with EBADF, or
// poll reports POLLNVAL) or posix_wake_task interrupts it (EINTR). Around that wait it calls the
// block hooks, so the firmware can release MicroPython's GIL.
#ifndef POSIX_H
#define POSIX_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/select.h>
#include <sys/time.h>
#include <poll.h>
#include "posix_config.h"

ssize_t posix_read(int fd, void *buf, size_t len);
ssize_t posix_write(int fd, const void *buf, size_t len);
int posix_close(int fd);
off_t posix_lseek(int fd, off_t offset, int whence);
int posix_fstat(int fd, struct stat *st);
int posix_ioctl(int fd, unsigned long request, void *arg); // FIONBIO (int *), FIONREAD (int *), kind-specific
int posix_fcntl(int fd, int cmd, int arg);                 // F_GETFL F_SETFL F_GETFD F_SETFD F_DUPFD F_DUPFD_CLOEXEC
int posix_dup(int fd);
int posix_dup2(int fd, int fd2);
int posix_pipe(int fds[2]);
int posix_pipe2(int fds[2], int flags); // flags: O_NONBLOCK, O_CLOEXEC (POSIX.1-2024)
int posix_isatty(int fd);
int posix_poll(struct pollfd *fds, nfds_t nfds, int timeout_ms);
// As posix_poll, for callers that also wait for other things signalled through the same task
// notification (the firmware's select over fds and MicroPython streams): it keeps a notification
// posted before the call (the caller checked its other sources before calling, so one posted since
// must end the wait), and returns after the first wake-up even when no fd is ready (0), so the caller
// can check its other sources again.
int posix_poll_wake(struct pollfd *fds, nfds_t nfds, int timeout_ms);
int posix_select(int nfds, fd_set *readfds, fd_set *writefds, fd_set *exceptfds, struct timeval *timeout);

// eventfd: the counter's flags are POSIX_EFD_* (equal to Linux's EFD_* on the host and to the
// firmware's <sys/eventfd.h>: EFD_NONBLOCK == O_NONBLOCK).
#define POSIX_EFD_SEMAPHORE (1)
#define POSIX_EFD_NONBLOCK  (O_NONBLOCK)
#define POSIX_EFD_CLOEXEC   (O_CLOEXEC)
int posix_eventfd(unsigned int initval, int flags);

// Hooks around every wait of a blocking call: block_begin just before the task blocks, block_end
// after it wakes. Either returns true when the call must give up with EINTR (e.g. a pending
// KeyboardInterrupt): block_begin runs after the wait is armed, so a wake-up posted after whatever
// it checks is not lost. block_end runs even when block_begin gave up. Either may be NULL. The
// firmware sets them once, before any task blocks.
typedef struct _posix_block_hooks_t {
    bool (*block_begin)(void);
    bool (*block_end)(void);
} posix_block_hooks_t;
void posix_set_block_hooks(const posix_block_hooks_t *hooks);

// Wakes a task blocked in this layer (if it is): its wait ends, block_end is asked whether to give up.
// `task` is a TaskHandle_t. Callable from any task.
void posix_wake_task(void *task);

// The calling task's errno, for code that cannot reach the C library's thread-local errno directly
// (loadable native modules: the module linker has no thread-local relocations).
int *posix_errno(void);

// The number of fds in use (for tests and statistics).
int posix_fd_count(void);

#endif // POSIX_H
