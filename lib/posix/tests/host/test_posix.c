// lib/posix host unit tests (pthread shim of the kernel, ASan+UBSan): the fd table, pipes, eventfd,
// poll/select, blocking across threads, close waking waiters, the block hooks.
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <time.h>
#include <signal.h>
#include "posix.h"
#include "task.h"
#include "check.h"

const char *check_failed;
int check_line;

static uint32_t now_ms(void) {
    return xTaskGetTickCount();
}

static void sleep_ms(unsigned ms) {
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

static void close_all(void) {
    for (int fd = 0; fd < POSIX_FD_MAX; fd++) {
        posix_close(fd);
    }
}

// ---- the fd table ----

static void test_bad_fds(void) {
    char c = 0;
    struct stat st;
    CHECK_ERR(posix_read(-1, &c, 1), EBADF);
    CHECK_ERR(posix_write(POSIX_FD_MAX, &c, 1), EBADF);
    CHECK_ERR(posix_read(5, &c, 1), EBADF);
    CHECK_ERR(posix_close(5), EBADF);
    CHECK_ERR(posix_lseek(3, 0, SEEK_SET), EBADF);
    CHECK_ERR(posix_fstat(7, &st), EBADF);
    CHECK_ERR(posix_dup(9), EBADF);
    CHECK_ERR(posix_dup2(9, 1), EBADF);
    CHECK_ERR(posix_fcntl(9, F_GETFL, 0), EBADF);
    CHECK_ERR(posix_ioctl(9, FIONREAD, &c), EBADF);
    errno = 0;
    CHECK(posix_isatty(4) == 0 && errno == EBADF);
    CHECK(posix_fd_count() == 0);
}

static void test_lowest_fd_and_emfile(void) {
    int fds[POSIX_FD_MAX];
    for (int i = 0; i < POSIX_FD_MAX; i++) {
        fds[i] = posix_eventfd(0, 0);
        CHECK(fds[i] == i);
    }
    int p[2];
    CHECK_ERR(posix_eventfd(0, 0), EMFILE);
    CHECK_ERR(posix_pipe(p), EMFILE);
    CHECK_ERR(posix_dup(0), EMFILE);
    CHECK(posix_close(7) == 0);
    // one free fd is not enough for a pipe, and the failed pipe leaves nothing behind
    CHECK_ERR(posix_pipe(p), EMFILE);
    CHECK(posix_fd_count() == POSIX_FD_MAX - 1);
    CHECK(posix_close(3) == 0);
    CHECK(posix_pipe(p) == 0 && p[0] == 3 && p[1] == 7);
    close_all();
    CHECK(posix_fd_count() == 0);
}

static void test_dup_shares_description(void) {
    int p[2];
    CHECK(posix_pipe(p) == 0);
    int d = posix_dup(p[0]);
    CHECK(d == 2);
    CHECK(posix_fcntl(p[0], F_GETFL, 0) == O_RDONLY);
    CHECK(posix_fcntl(d, F_SETFL, O_NONBLOCK | O_WRONLY) == 0); // the access mode does not change
    CHECK(posix_fcntl(p[0], F_GETFL, 0) == (O_RDONLY | O_NONBLOCK));
    char c;
    CHECK_ERR(posix_read(p[0], &c, 1), EAGAIN);
    CHECK(posix_write(p[1], "x", 1) == 1);
    CHECK(posix_read(d, &c, 1) == 1 && c == 'x');
    // the read end stays open while a dup names it
    CHECK(posix_close(p[0]) == 0);
    CHECK(posix_write(p[1], "y", 1) == 1);
    CHECK(posix_read(d, &c, 1) == 1 && c == 'y');
    // dup2 onto an open fd closes it first; dup2(fd, fd) just checks fd
    CHECK(posix_dup2(d, p[1]) == p[1]);
    CHECK(posix_dup2(d, d) == d);
    CHECK_ERR(posix_dup2(p[0], p[0]), EBADF);
    CHECK_ERR(posix_dup2(d, -1), EBADF);
    CHECK_ERR(posix_dup2(d, POSIX_FD_MAX), EBADF);
    CHECK(posix_read(p[1], &c, 1) == 0); // the write end is gone: end of file
    CHECK(posix_fcntl(d, F_DUPFD, 10) == 10);
    CHECK(posix_fcntl(d, F_DUPFD_CLOEXEC, 10) == 11);
    CHECK(posix_fcntl(11, F_GETFD, 0) == FD_CLOEXEC && posix_fcntl(10, F_GETFD, 0) == 0);
    CHECK_ERR(posix_fcntl(d, F_DUPFD, POSIX_FD_MAX), EINVAL);
    CHECK_ERR(posix_fcntl(d, 12345, 0), EINVAL);
    int on = 0;
    CHECK(posix_ioctl(d, FIONBIO, &on) == 0 && posix_fcntl(d, F_GETFL, 0) == O_RDONLY);
    close_all();
    CHECK(posix_fd_count() == 0);
    // pipe2 sets the flags at once
    CHECK(posix_pipe2(p, O_NONBLOCK | O_CLOEXEC) == 0);
    CHECK(posix_fcntl(p[0], F_GETFL, 0) == (O_RDONLY | O_NONBLOCK) && posix_fcntl(p[1], F_GETFL, 0) == (O_WRONLY | O_NONBLOCK));
    CHECK(posix_fcntl(p[0], F_GETFD, 0) == FD_CLOEXEC && posix_fcntl(p[1], F_GETFD, 0) == FD_CLOEXEC);
    CHECK_ERR(posix_pipe2(p, O_APPEND), EINVAL);
    CHECK(posix_errno() == &errno);
    close_all();
}

// ---- pipes ----

static void test_pipe_basics(void) {
    int p[2];
    CHECK(posix_pipe(p) == 0 && p[0] == 0 && p[1] == 1);
    struct stat st;
    CHECK(posix_fstat(p[0], &st) == 0 && S_ISFIFO(st.st_mode));
    errno = 0;
    CHECK(posix_isatty(p[0]) == 0 && errno == ENOTTY);
    CHECK_ERR(posix_lseek(p[0], 0, SEEK_CUR), ESPIPE);
    CHECK_ERR(posix_ioctl(p[1], FIONREAD, &st), ENOTTY);
    char buf[2048];
    CHECK_ERR(posix_read(p[1], buf, 1), EBADF);
    CHECK_ERR(posix_write(p[0], buf, 1), EBADF);
    CHECK(posix_write(p[1], "hello", 5) == 5);
    CHECK(posix_write(p[1], "", 0) == 0);
    int n = -1;
    CHECK(posix_ioctl(p[0], FIONREAD, &n) == 0 && n == 5);
    CHECK(posix_read(p[0], buf, 3) == 3 && memcmp(buf, "hel", 3) == 0);
    CHECK(posix_read(p[0], buf, sizeof buf) == 2 && memcmp(buf, "lo", 2) == 0);
    // non-blocking: a write of up to POSIX_PIPE_ATOMIC bytes is whole or EAGAIN, a longer one partial
    CHECK(posix_fcntl(p[1], F_SETFL, O_NONBLOCK) == 0);
    CHECK(posix_fcntl(p[0], F_SETFL, O_NONBLOCK) == 0);
    for (int i = 0; i < (int)sizeof buf; i++) {
        buf[i] = (char)i;
    }
    CHECK(posix_write(p[1], buf, POSIX_PIPE_BYTES - 10) == POSIX_PIPE_BYTES - 10);
    CHECK_ERR(posix_write(p[1], buf, 11), EAGAIN);
    CHECK(posix_write(p[1], buf, 10) == 10);
    CHECK_ERR(posix_write(p[1], buf, 1), EAGAIN);
    char in[2048];
    CHECK(posix_read(p[0], in, sizeof in) == POSIX_PIPE_BYTES);
    CHECK(memcmp(in, buf, POSIX_PIPE_BYTES - 10) == 0 && memcmp(in + POSIX_PIPE_BYTES - 10, buf, 10) == 0);
    CHECK_ERR(posix_read(p[0], in, 1), EAGAIN);
    CHECK(posix_write(p[1], buf, 100) == 100);
    CHECK(posix_write(p[1], buf, sizeof buf) == POSIX_PIPE_BYTES - 100); // partial, across the wrap
    CHECK(posix_read(p[0], in, 100) == 100);
    CHECK(posix_read(p[0], in, sizeof in) == POSIX_PIPE_BYTES - 100 && memcmp(in, buf, POSIX_PIPE_BYTES - 100) == 0);
    // the reader gone: EPIPE; the writer gone: end of file
    CHECK(posix_close(p[0]) == 0);
    CHECK_ERR(posix_write(p[1], "x", 1), EPIPE);
    struct pollfd pf = { p[1], POLLOUT, 0 };
    CHECK(posix_poll(&pf, 1, 0) == 1 && pf.revents == POLLERR);
    CHECK(posix_close(p[1]) == 0);
    CHECK(posix_pipe(p) == 0);
    CHECK(posix_write(p[1], "z", 1) == 1);
    CHECK(posix_close(p[1]) == 0);
    struct pollfd pr = { p[0], POLLIN, 0 };
    CHECK(posix_poll(&pr, 1, 0) == 1 && pr.revents == (POLLIN | POLLHUP));
    CHECK(posix_read(p[0], in, 10) == 1 && in[0] == 'z');
    CHECK(posix_read(p[0], in, 10) == 0);
    close_all();
}

// ---- eventfd ----

static void test_eventfd(void) {
    int e = posix_eventfd(3, 0);
    CHECK(e == 0);
    uint64_t v = 4;
    CHECK(posix_write(e, &v, 8) == 8);
    CHECK(posix_read(e, &v, 8) == 8 && v == 7); // the summed counter
    CHECK(posix_fcntl(e, F_GETFL, 0) == O_RDWR);
    CHECK(posix_fcntl(e, F_SETFL, O_NONBLOCK) == 0);
    CHECK_ERR(posix_read(e, &v, 8), EAGAIN);
    CHECK_ERR(posix_read(e, &v, 4), EINVAL);
    CHECK_ERR(posix_write(e, &v, 7), EINVAL);
    v = UINT64_MAX;
    CHECK_ERR(posix_write(e, &v, 8), EINVAL);
    v = UINT64_MAX - 1;
    CHECK(posix_write(e, &v, 8) == 8);
    struct pollfd pf = { e, POLLIN | POLLOUT, 0 };
    CHECK(posix_poll(&pf, 1, 0) == 1 && pf.revents == POLLIN);
    v = 1;
    CHECK_ERR(posix_write(e, &v, 8), EAGAIN); // would overflow
    v = 0;
    CHECK(posix_write(e, &v, 8) == 8);        // adding 0 is fine
    CHECK(posix_read(e, &v, 8) == 8 && v == UINT64_MAX - 1);
    CHECK(posix_poll(&pf, 1, 0) == 1 && pf.revents == POLLOUT);
    // semaphore mode hands out 1 per read
    int s = posix_eventfd(2, POSIX_EFD_SEMAPHORE | POSIX_EFD_NONBLOCK);
    CHECK(s == 1 && posix_fcntl(s, F_GETFL, 0) == (O_RDWR | O_NONBLOCK));
    CHECK(posix_read(s, &v, 8) == 8 && v == 1);
    CHECK(posix_read(s, &v, 8) == 8 && v == 1);
    CHECK_ERR(posix_read(s, &v, 8), EAGAIN);
    CHECK_ERR(posix_eventfd(0, 0x40000000), EINVAL);
    int c = posix_eventfd(0, POSIX_EFD_CLOEXEC);
    CHECK(c == 2 && posix_fcntl(c, F_GETFD, 0) == FD_CLOEXEC);
    close_all();
}

// ---- poll and select without blocking ----

static void test_poll_select_now(void) {
    int p[2];
    CHECK(posix_pipe(p) == 0);
    int e = posix_eventfd(0, 0);
    struct pollfd pf[4] = { { p[0], POLLIN, 7 }, { p[1], POLLOUT, 0 }, { -1, POLLIN, 7 }, { 20, POLLIN, 0 } };
    CHECK(posix_poll(pf, 4, 0) == 2);
    CHECK(pf[0].revents == 0 && pf[1].revents == POLLOUT && pf[2].revents == 0 && pf[3].revents == POLLNVAL);
    CHECK(posix_poll(pf, 2, 0) == 1);
    CHECK(posix_poll(NULL, 0, 0) == 0);
    struct pollfd many[POSIX_FD_MAX + 1];
    CHECK_ERR(posix_poll(many, POSIX_FD_MAX + 1, 0), EINVAL);
    fd_set r, w;
    FD_ZERO(&r);
    FD_ZERO(&w);
    FD_SET(p[0], &r);
    FD_SET(e, &r);
    FD_SET(p[1], &w);
    struct timeval tv = { 0, 0 };
    CHECK(posix_select(e + 1, &r, &w, NULL, &tv) == 1);
    CHECK(!FD_ISSET(p[0], &r) && !FD_ISSET(e, &r) && FD_ISSET(p[1], &w));
    uint64_t one = 1;
    CHECK(posix_write(e, &one, 8) == 8);
    FD_SET(p[0], &r);
    FD_SET(e, &r);
    CHECK(posix_select(e + 1, &r, NULL, NULL, &tv) == 1 && FD_ISSET(e, &r) && !FD_ISSET(p[0], &r));
    FD_SET(10, &r);
    CHECK_ERR(posix_select(11, &r, NULL, NULL, &tv), EBADF);
    CHECK(FD_ISSET(10, &r)); // left as it was
    CHECK_ERR(posix_select(-1, NULL, NULL, NULL, &tv), EINVAL);
    tv.tv_usec = 1000000;
    CHECK_ERR(posix_select(1, NULL, NULL, NULL, &tv), EINVAL);
    // timeouts
    uint32_t t0 = now_ms();
    CHECK(posix_poll(pf, 1, 60) == 0);
    uint32_t t1 = now_ms();
    CHECK(t1 - t0 >= 60 && t1 - t0 < 1000);
    struct timeval tv2 = { 0, 30000 };
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    CHECK(posix_select(p[0] + 1, &r, NULL, NULL, &tv2) == 0 && !FD_ISSET(p[0], &r));
    CHECK(now_ms() - t1 >= 30);
    close_all();
}

// ---- blocking across threads ----

static TaskHandle_t main_task_for_wake;

static void *wake_later(void *arg) {
    (void)arg;
    sleep_ms(30);
    posix_wake_task(main_task_for_wake);
    return NULL;
}

typedef struct {
    int fd;
    unsigned delay_ms;
    const void *data;
    size_t len;
    ssize_t result;
    int err;
} job_t;

static void *write_later(void *arg) {
    job_t *j = arg;
    sleep_ms(j->delay_ms);
    j->result = posix_write(j->fd, j->data, j->len);
    j->err = errno;
    return NULL;
}

static void *close_later(void *arg) {
    job_t *j = arg;
    sleep_ms(j->delay_ms);
    j->result = posix_close(j->fd);
    return NULL;
}

static void test_blocking_read_woken_by_writer(void) {
    int p[2];
    CHECK(posix_pipe(p) == 0);
    job_t j = { p[1], 50, "ping", 4, 0, 0 };
    pthread_t t;
    pthread_create(&t, NULL, write_later, &j);
    unsigned w0 = shim_task_wakeups();
    uint32_t t0 = now_ms();
    char buf[8];
    ssize_t n = posix_read(p[0], buf, sizeof buf);
    uint32_t dt = now_ms() - t0;
    pthread_join(t, NULL);
    CHECK(n == 4 && memcmp(buf, "ping", 4) == 0);
    CHECK(dt >= 45);
    // it slept through the 50 ms: woken once, by the write
    CHECK(shim_task_wakeups() - w0 == 1);
    close_all();
}

static void test_blocking_write_waits_for_room(void) {
    int p[2];
    CHECK(posix_pipe(p) == 0);
    static char big[3 * POSIX_PIPE_BYTES + 17];
    for (size_t i = 0; i < sizeof big; i++) {
        big[i] = (char)(i * 7);
    }
    job_t j = { p[1], 0, big, sizeof big, 0, 0 };
    pthread_t t;
    pthread_create(&t, NULL, write_later, &j);
    static char in[sizeof big];
    size_t got = 0;
    while (got < sizeof big) {
        sleep_ms(2);
        ssize_t n = posix_read(p[0], in + got, 100);
        CHECK(n > 0);
        got += (size_t)n;
    }
    pthread_join(t, NULL);
    CHECK(j.result == (ssize_t)sizeof big); // a blocking write returns when all is written
    CHECK(memcmp(in, big, sizeof big) == 0);
    close_all();
}

static void test_close_wakes_blocked_read(void) {
    int p[2];
    CHECK(posix_pipe(p) == 0);
    job_t j = { p[0], 40, NULL, 0, 0, 0 };
    pthread_t t;
    pthread_create(&t, NULL, close_later, &j);
    char c;
    uint32_t t0 = now_ms();
    CHECK_ERR(posix_read(p[0], &c, 1), EBADF);
    CHECK(now_ms() - t0 >= 35);
    pthread_join(t, NULL);
    CHECK(j.result == 0);
    close_all();
}

static void *dup2_later(void *arg) {
    job_t *j = arg;
    sleep_ms(j->delay_ms);
    int e = posix_eventfd(0, 0);
    j->result = posix_dup2(e, j->fd);
    posix_close(e);
    return NULL;
}

static void test_close_wakes_blocked_poll_and_select(void) {
    int e = posix_eventfd(0, 0);
    int e2 = posix_eventfd(0, 0);
    job_t j = { e, 30, NULL, 0, 0, 0 };
    pthread_t t;
    pthread_create(&t, NULL, close_later, &j);
    struct pollfd pf[2] = { { e2, POLLIN, 0 }, { e, POLLIN, 0 } };
    CHECK(posix_poll(pf, 2, -1) == 1 && pf[0].revents == 0 && pf[1].revents == POLLNVAL);
    pthread_join(t, NULL);
    e = posix_eventfd(0, 0);
    j.fd = e;
    pthread_create(&t, NULL, close_later, &j);
    fd_set r;
    FD_ZERO(&r);
    FD_SET(e, &r);
    FD_SET(e2, &r);
    CHECK_ERR(posix_select(POSIX_FD_MAX, &r, NULL, NULL, NULL), EBADF);
    pthread_join(t, NULL);
    close_all();
    // dup2 over an fd being waited on is a close too
    int p[2];
    CHECK(posix_pipe(p) == 0);
    job_t k = { p[0], 30, NULL, 0, 0, 0 };
    pthread_create(&t, NULL, dup2_later, &k);
    char c;
    CHECK_ERR(posix_read(p[0], &c, 1), EBADF);
    pthread_join(t, NULL);
    CHECK(k.result == p[0]);
    close_all();
}

static void *poll_forever(void *arg) {
    job_t *j = arg;
    struct pollfd pf = { j->fd, POLLIN, 0 };
    j->result = posix_poll(&pf, 1, -1);
    j->err = pf.revents;
    return NULL;
}

static void test_select_blocks_until_eventfd(void) {
    int p[2];
    CHECK(posix_pipe(p) == 0);
    int e = posix_eventfd(0, 0);
    uint64_t v = 5;
    job_t j = { e, 60, &v, 8, 0, 0 };
    pthread_t t;
    pthread_create(&t, NULL, write_later, &j);
    fd_set r;
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    FD_SET(e, &r);
    unsigned w0 = shim_task_wakeups();
    uint32_t t0 = now_ms();
    CHECK(posix_select(e + 1, &r, NULL, NULL, NULL) == 1);
    CHECK(now_ms() - t0 >= 55);
    CHECK(FD_ISSET(e, &r) && !FD_ISSET(p[0], &r));
    CHECK(shim_task_wakeups() - w0 == 1);
    pthread_join(t, NULL);
    // several pollers of one eventfd are all woken
    job_t a = { e, 0, NULL, 0, 0, 0 }, b = a;
    uint64_t got;
    CHECK(posix_read(e, &got, 8) == 8 && got == 5);
    pthread_t ta, tb;
    pthread_create(&ta, NULL, poll_forever, &a);
    pthread_create(&tb, NULL, poll_forever, &b);
    sleep_ms(30);
    CHECK(posix_write(e, &v, 8) == 8);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    CHECK(a.result == 1 && a.err == POLLIN && b.result == 1 && b.err == POLLIN);
    close_all();
}

static void test_poll_wake_returns_on_any_wake(void) {
    int e = posix_eventfd(0, 0);
    struct pollfd pf = { e, POLLIN, 0 };
    main_task_for_wake = xTaskGetCurrentTaskHandle();
    // a notification posted before the call ends it at once: the caller's other source spoke
    posix_wake_task(main_task_for_wake);
    uint32_t t0 = now_ms();
    CHECK(posix_poll_wake(&pf, 1, 1000) == 0 && pf.revents == 0);
    CHECK(now_ms() - t0 < 500);
    // a wake-up from elsewhere during the wait ends it with nothing ready
    pthread_t t;
    pthread_create(&t, NULL, wake_later, NULL);
    t0 = now_ms();
    CHECK(posix_poll_wake(&pf, 1, 5000) == 0);
    uint32_t dt = now_ms() - t0;
    pthread_join(t, NULL);
    CHECK(dt >= 25 && dt < 2000);
    // readiness is reported as by poll, and the timeout holds
    uint64_t one = 1;
    CHECK(posix_write(e, &one, 8) == 8);
    CHECK(posix_poll_wake(&pf, 1, 1000) == 1 && pf.revents == POLLIN);
    CHECK(posix_read(e, &one, 8) == 8);
    t0 = now_ms();
    CHECK(posix_poll_wake(&pf, 1, 40) == 0);
    CHECK(now_ms() - t0 >= 40);
    CHECK(posix_poll_wake(NULL, 0, 20) == 0);
    close_all();
}

// ---- the block hooks and posix_wake_task ----

static int hook_begins, hook_ends;
static volatile int interrupt_pending;

static volatile int interrupt_before_block;

static bool hook_begin(void) {
    hook_begins++;
    return interrupt_before_block != 0;
}

static bool hook_end(void) {
    hook_ends++;
    return interrupt_pending != 0;
}

static TaskHandle_t main_task;

static void *interrupt_later(void *arg) {
    (void)arg;
    sleep_ms(40);
    interrupt_pending = 1;
    posix_wake_task(main_task);
    return NULL;
}

static void test_hooks_and_eintr(void) {
    static const posix_block_hooks_t hooks = { hook_begin, hook_end };
    posix_set_block_hooks(&hooks);
    hook_begins = hook_ends = 0;
    interrupt_pending = 0;
    main_task = xTaskGetCurrentTaskHandle();
    int p[2];
    CHECK(posix_pipe(p) == 0);
    char c;
    // no wait, no hook
    CHECK(posix_write(p[1], "a", 1) == 1 && posix_read(p[0], &c, 1) == 1);
    CHECK(hook_begins == 0 && hook_ends == 0);
    pthread_t t;
    pthread_create(&t, NULL, interrupt_later, NULL);
    CHECK_ERR(posix_read(p[0], &c, 1), EINTR);
    pthread_join(t, NULL);
    CHECK(hook_begins == 1 && hook_ends == 1);
    interrupt_pending = 0;
    pthread_create(&t, NULL, interrupt_later, NULL);
    struct pollfd pf = { p[0], POLLIN, 0 };
    CHECK_ERR(posix_poll(&pf, 1, 5000), EINTR);
    pthread_join(t, NULL);
    CHECK(hook_begins == 2 && hook_ends == 2);
    // an interruption already pending when the call would block: it gives up without blocking
    interrupt_pending = 0;
    interrupt_before_block = 1;
    unsigned w0 = shim_task_wakeups();
    CHECK_ERR(posix_select(p[0] + 1, NULL, NULL, NULL, NULL), EINTR);
    CHECK(shim_task_wakeups() == w0 && hook_begins == 3 && hook_ends == 3);
    interrupt_before_block = 0;
    posix_set_block_hooks(NULL);
    close_all();
}

// ---- many messages between threads, in order ----

#define MESSAGES 10000

static void *producer(void *arg) {
    int fd = *(int *)arg;
    for (uint32_t i = 0; i < MESSAGES; i++) {
        uint32_t msg[3] = { i, i * 2654435761u, ~i };
        if (posix_write(fd, msg, sizeof msg) != sizeof msg) {
            return (void *)1;
        }
    }
    return NULL;
}

static void test_messages_between_threads(void) {
    int p[2];
    CHECK(posix_pipe(p) == 0);
    CHECK(posix_fcntl(p[0], F_SETFL, O_NONBLOCK) == 0);
    pthread_t t;
    pthread_create(&t, NULL, producer, &p[1]);
    uint32_t next = 0;
    uint8_t buf[1000];
    size_t have = 0;
    while (next < MESSAGES) {
        struct pollfd pf = { p[0], POLLIN, 0 };
        CHECK(posix_poll(&pf, 1, 5000) == 1 && (pf.revents & POLLIN));
        ssize_t n = posix_read(p[0], buf + have, sizeof buf - have);
        CHECK(n > 0);
        have += (size_t)n;
        size_t off = 0;
        while (have - off >= 12) {
            uint32_t msg[3];
            memcpy(msg, buf + off, 12);
            CHECK(msg[0] == next && msg[1] == next * 2654435761u && msg[2] == ~next);
            next++;
            off += 12;
        }
        memmove(buf, buf + off, have - off);
        have -= off;
    }
    void *r;
    pthread_join(t, &r);
    CHECK(r == NULL);
    CHECK(posix_close(p[1]) == 0);
    char c;
    CHECK(posix_read(p[0], &c, 1) == 0);
    close_all();
}

// ---- the table from several threads at once ----

static void *table_churn(void *arg) {
    unsigned seed = (unsigned)(uintptr_t)arg;
    for (int i = 0; i < 20000; i++) {
        seed = seed * 1103515245u + 12345u;
        int p[2];
        if (posix_pipe(p) != 0) {
            if (errno != EMFILE) {
                return (void *)1;
            }
            continue;
        }
        // Our own fds stay ours: what we write we read back.
        uint32_t v = seed;
        int d = posix_dup(p[1]);
        int wfd = d >= 0 && (seed & 1) ? d : p[1];
        if (posix_write(wfd, &v, 4) != 4) {
            return (void *)2;
        }
        uint32_t got = 0;
        if (posix_read(p[0], &got, 4) != 4 || got != v) {
            return (void *)3;
        }
        if (posix_close(p[0]) != 0 || posix_close(p[1]) != 0 || (d >= 0 && posix_close(d) != 0)) {
            return (void *)4;
        }
    }
    return NULL;
}

static void test_table_from_threads(void) {
    pthread_t t[4];
    for (uintptr_t i = 0; i < 4; i++) {
        pthread_create(&t[i], NULL, table_churn, (void *)(i + 1));
    }
    for (int i = 0; i < 4; i++) {
        void *r;
        pthread_join(t[i], &r);
        CHECK(r == NULL);
    }
    CHECK(posix_fd_count() == 0);
}

typedef void (*test_fn)(void);
static const struct {
    const char *name;
    test_fn fn;
} tests[] = {
    { "bad_fds", test_bad_fds },
    { "lowest_fd_and_emfile", test_lowest_fd_and_emfile },
    { "dup_shares_description", test_dup_shares_description },
    { "pipe_basics", test_pipe_basics },
    { "eventfd", test_eventfd },
    { "poll_select_now", test_poll_select_now },
    { "blocking_read_woken_by_writer", test_blocking_read_woken_by_writer },
    { "blocking_write_waits_for_room", test_blocking_write_waits_for_room },
    { "close_wakes_blocked_read", test_close_wakes_blocked_read },
    { "close_wakes_blocked_poll_and_select", test_close_wakes_blocked_poll_and_select },
    { "select_blocks_until_eventfd", test_select_blocks_until_eventfd },
    { "poll_wake_returns_on_any_wake", test_poll_wake_returns_on_any_wake },
    { "hooks_and_eintr", test_hooks_and_eintr },
    { "messages_between_threads", test_messages_between_threads },
    { "table_from_threads", test_table_from_threads },
};

static const char *current_test;

// A test that hangs (a waiter never woken) fails instead of blocking the run.
static void on_alarm(int sig) {
    (void)sig;
    printf("FAIL %s: timed out after 20 s\n", current_test);
    fflush(stdout);
    _exit(1);
}

int main(void) {
    int failed = 0, n = (int)(sizeof tests / sizeof tests[0]);
    signal(SIGALRM, on_alarm);
    for (int i = 0; i < n; i++) {
        check_failed = NULL;
        current_test = tests[i].name;
        alarm(20);
        tests[i].fn();
        if (check_failed != NULL) {
            printf("FAIL %s: %s:%d: %s\n", tests[i].name, __FILE__, check_line, check_failed);
            failed++;
            close_all();
        } else {
            printf("PASS %s\n", tests[i].name);
        }
    }
    printf("SUMMARY %d passed, %d failed\n", n - failed, failed);
    return failed != 0;
}
