// lib/posix randomized fd-call fuzzer (host, ASan+UBSan, pthread shim of the kernel).
//
//   posix_fuzz ITERATIONS SEED
//
//   posix_fuzz ITERATIONS SEED THREADS   (the threaded phase, see run_threads)
//
// Makes random calls (pipe eventfd close dup dup2 fcntl read write poll select fstat isatty lseek ioctl)
// on random fds, valid and not, and checks every result, errno and byte read against a model of the fd
// table, the open file descriptions and their contents. Every 64 calls and at the end it checks the
// whole table against the model (count, flags, kinds, bytes queued); at the end it closes everything,
// and LeakSanitizer checks that nothing is left. A call the model says would block is made only on a
// non-blocking description. Prints "iterations N" and per-call counts; exits 1 at the first mismatch.
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <pthread.h>
#include "posix.h"
#include "task.h"

enum { K_FREE, K_PIPE_RD, K_PIPE_WR, K_EVENTFD };

#define MAX_DESCS (4 * POSIX_FD_MAX)
#define MAX_OBJS (2 * POSIX_FD_MAX)

typedef struct {
    int kind;
    int obj;      // index in pipes[] or efds[]
    int refs;     // fds naming it
    int nonblock;
} mdesc_t;

typedef struct {
    int used;
    uint8_t data[POSIX_PIPE_BYTES];
    int head, count;
    int rd, wr; // description indices
} mpipe_t;

typedef struct {
    int used;
    uint64_t count;
    int semaphore;
} mefd_t;

static mdesc_t descs[MAX_DESCS];
static mpipe_t pipes[MAX_OBJS];
static mefd_t efds[MAX_OBJS];
static int mfd[POSIX_FD_MAX]; // description index or -1

static uint64_t rng_state;
static uint64_t rnd(void) {
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * UINT64_C(2685821657736338717);
}
static int rnd_below(int n) {
    return (int)(rnd() % (uint64_t)n);
}

static unsigned long iteration;
static const char *op_names[] = { "pipe", "eventfd", "close", "dup", "dup2", "fcntl", "read", "write", "poll", "select", "info", "dupfd" };
#define N_OPS (int)(sizeof op_names / sizeof op_names[0])
static unsigned long op_count[N_OPS], errno_checks, bytes_checked, skipped_blocking;

#define FAIL(...) do { \
        printf("MISMATCH at iteration %lu (line %d): ", iteration, __LINE__); \
        printf(__VA_ARGS__); \
        printf("\n"); \
        exit(1); \
} while (0)

// The result of a call that must fail with errno e.
#define EXPECT_ERR(call, e, what) do { \
        long r_ = (long)(call); \
        int errno_ = errno; \
        if (r_ != -1 || errno_ != (e)) { \
            FAIL("%s: got %ld errno %d, expected -1 errno %d", what, r_, errno_, (e)); \
        } \
        errno_checks++; \
} while (0)

#define EXPECT_EQ(call, want, what) do { \
        long r_ = (long)(call); \
        int errno_ = errno; \
        if (r_ != (long)(want)) { \
            FAIL("%s: got %ld (errno %d), expected %ld", what, r_, errno_, (long)(want)); \
        } \
} while (0)

static int valid(int fd) {
    return fd >= 0 && fd < POSIX_FD_MAX && mfd[fd] >= 0;
}

static int any_fd(void) {
    // mostly fds in range, sometimes outside it
    return rnd_below(10) == 0 ? rnd_below(POSIX_FD_MAX + 8) - 4 : rnd_below(POSIX_FD_MAX);
}

static int lowest_free(int from) {
    for (int fd = from; fd < POSIX_FD_MAX; fd++) {
        if (mfd[fd] < 0) {
            return fd;
        }
    }
    return -1;
}

static int new_desc(int kind, int obj, int nonblock) {
    for (int i = 0; i < MAX_DESCS; i++) {
        if (descs[i].kind == K_FREE) {
            descs[i] = (mdesc_t) { kind, obj, 0, nonblock };
            return i;
        }
    }
    FAIL("model out of descriptions");
}

static int new_obj(int kind) {
    for (int i = 0; i < MAX_OBJS; i++) {
        if (kind == K_EVENTFD ? !efds[i].used : !pipes[i].used) {
            return i;
        }
    }
    FAIL("model out of objects");
}

static void ref_desc(int fd, int d) {
    mfd[fd] = d;
    descs[d].refs++;
}

static void unref_fd(int fd) {
    int d = mfd[fd];
    mfd[fd] = -1;
    if (--descs[d].refs > 0) {
        return;
    }
    mdesc_t *m = &descs[d];
    if (m->kind == K_EVENTFD) {
        efds[m->obj].used = 0;
    } else {
        mpipe_t *p = &pipes[m->obj];
        int other = m->kind == K_PIPE_RD ? p->wr : p->rd;
        if (m->kind == K_PIPE_RD) {
            p->rd = -1;
        } else {
            p->wr = -1;
        }
        if (other < 0) {
            p->used = 0;
        }
    }
    m->kind = K_FREE;
}

static int access_mode(const mdesc_t *m) {
    return m->kind == K_PIPE_RD ? O_RDONLY : m->kind == K_PIPE_WR ? O_WRONLY : O_RDWR;
}

// Readiness the model expects for poll.
static unsigned model_ready(int fd) {
    const mdesc_t *m = &descs[mfd[fd]];
    if (m->kind == K_EVENTFD) {
        uint64_t c = efds[m->obj].count;
        return (c > 0 ? POLLIN : 0) | (c < UINT64_C(0xfffffffffffffffe) ? POLLOUT : 0);
    }
    const mpipe_t *p = &pipes[m->obj];
    if (m->kind == K_PIPE_RD) {
        return (p->count > 0 ? POLLIN : 0) | (p->wr < 0 ? POLLHUP : 0);
    }
    return p->rd < 0 ? POLLERR : (POSIX_PIPE_BYTES - p->count >= POSIX_PIPE_ATOMIC ? POLLOUT : 0);
}

static uint8_t stream_byte(uint64_t *s) {
    *s = *s * 6364136223846793005u + 1442695040888963407u;
    return (uint8_t)(*s >> 56);
}

static void op_pipe(void) {
    int fds[2] = { -7, -7 };
    int a = lowest_free(0), b = a < 0 ? -1 : lowest_free(a + 1);
    int r = posix_pipe(fds);
    if (b < 0) {
        EXPECT_ERR(r, EMFILE, "pipe");
        return;
    }
    EXPECT_EQ(r, 0, "pipe");
    EXPECT_EQ(fds[0], a, "pipe fds[0]");
    EXPECT_EQ(fds[1], b, "pipe fds[1]");
    int o = new_obj(K_PIPE_RD);
    mpipe_t *p = &pipes[o];
    p->used = 1;
    p->head = p->count = 0;
    p->rd = new_desc(K_PIPE_RD, o, 0);
    p->wr = new_desc(K_PIPE_WR, o, 0);
    ref_desc(a, p->rd);
    ref_desc(b, p->wr);
}

static void op_eventfd(void) {
    static const int flag_choices[] = { 0, POSIX_EFD_SEMAPHORE, POSIX_EFD_NONBLOCK, POSIX_EFD_SEMAPHORE | POSIX_EFD_NONBLOCK, 0x40000000 };
    int flags = flag_choices[rnd_below(5)];
    unsigned init = rnd_below(4) == 0 ? 0xffffffffu : (unsigned)rnd_below(4);
    int want = lowest_free(0);
    int r = posix_eventfd(init, flags);
    if (flags == 0x40000000) {
        EXPECT_ERR(r, EINVAL, "eventfd bad flags");
        return;
    }
    if (want < 0) {
        EXPECT_ERR(r, EMFILE, "eventfd");
        return;
    }
    EXPECT_EQ(r, want, "eventfd");
    int o = new_obj(K_EVENTFD);
    efds[o] = (mefd_t) { 1, init, (flags & POSIX_EFD_SEMAPHORE) != 0 };
    ref_desc(want, new_desc(K_EVENTFD, o, (flags & POSIX_EFD_NONBLOCK) != 0));
}

static void op_close(void) {
    int fd = any_fd();
    int r = posix_close(fd);
    if (!valid(fd)) {
        EXPECT_ERR(r, EBADF, "close");
        return;
    }
    EXPECT_EQ(r, 0, "close");
    unref_fd(fd);
}

static void op_dup(void) {
    int fd = any_fd();
    int want = lowest_free(0);
    int r = posix_dup(fd);
    if (!valid(fd)) {
        EXPECT_ERR(r, EBADF, "dup");
    } else if (want < 0) {
        EXPECT_ERR(r, EMFILE, "dup");
    } else {
        EXPECT_EQ(r, want, "dup");
        ref_desc(want, mfd[fd]);
    }
}

static void op_dupfd(void) {
    int fd = any_fd();
    int min = rnd_below(POSIX_FD_MAX + 4) - 2;
    int r = posix_fcntl(fd, F_DUPFD, min);
    int want = min >= 0 && min < POSIX_FD_MAX ? lowest_free(min) : -1;
    if (min < 0 || min >= POSIX_FD_MAX) {
        EXPECT_ERR(r, EINVAL, "F_DUPFD bad minimum");
    } else if (!valid(fd)) {
        EXPECT_ERR(r, EBADF, "F_DUPFD");
    } else if (want < 0) {
        EXPECT_ERR(r, EMFILE, "F_DUPFD");
    } else {
        EXPECT_EQ(r, want, "F_DUPFD");
        ref_desc(want, mfd[fd]);
    }
}

static void op_dup2(void) {
    int fd = any_fd(), fd2 = any_fd();
    int r = posix_dup2(fd, fd2);
    if (!valid(fd) || fd2 < 0 || fd2 >= POSIX_FD_MAX) {
        EXPECT_ERR(r, EBADF, "dup2");
        return;
    }
    EXPECT_EQ(r, fd2, "dup2");
    if (fd != fd2) {
        int d = mfd[fd];
        descs[d].refs++; // keep it alive while fd2's old description goes
        if (mfd[fd2] >= 0) {
            unref_fd(fd2);
        }
        mfd[fd2] = d;
    }
}

static void op_fcntl(void) {
    int fd = any_fd();
    if (rnd_below(2)) {
        int r = posix_fcntl(fd, F_GETFL, 0);
        if (!valid(fd)) {
            EXPECT_ERR(r, EBADF, "F_GETFL");
            return;
        }
        const mdesc_t *m = &descs[mfd[fd]];
        EXPECT_EQ(r, access_mode(m) | (m->nonblock ? O_NONBLOCK : 0), "F_GETFL");
    } else {
        int flags = (rnd_below(2) ? O_NONBLOCK : 0) | (rnd_below(4) == 0 ? O_RDWR : 0);
        int r = posix_fcntl(fd, F_SETFL, flags);
        if (!valid(fd)) {
            EXPECT_ERR(r, EBADF, "F_SETFL");
            return;
        }
        EXPECT_EQ(r, 0, "F_SETFL");
        descs[mfd[fd]].nonblock = (flags & O_NONBLOCK) != 0;
    }
}

static void op_read(void) {
    int fd = any_fd();
    uint8_t buf[POSIX_PIPE_BYTES + 64];
    size_t len = rnd_below(8) == 0 ? (size_t)rnd_below(8) : (size_t)rnd_below(sizeof buf);
    if (!valid(fd)) {
        EXPECT_ERR(posix_read(fd, buf, len), EBADF, "read bad fd");
        return;
    }
    mdesc_t *m = &descs[mfd[fd]];
    if (m->kind == K_PIPE_WR) {
        EXPECT_ERR(posix_read(fd, buf, len), EBADF, "read write end");
        return;
    }
    if (m->kind == K_EVENTFD) {
        mefd_t *e = &efds[m->obj];
        if (len < 8) {
            EXPECT_ERR(posix_read(fd, buf, len), EINVAL, "eventfd short read");
            return;
        }
        if (e->count == 0) {
            if (!m->nonblock) {
                skipped_blocking++;
                return;
            }
            EXPECT_ERR(posix_read(fd, buf, len), EAGAIN, "eventfd empty");
            return;
        }
        uint64_t want = e->semaphore ? 1 : e->count, got;
        EXPECT_EQ(posix_read(fd, buf, len), 8, "eventfd read");
        memcpy(&got, buf, 8);
        if (got != want) {
            FAIL("eventfd read %llu, expected %llu", (unsigned long long)got, (unsigned long long)want);
        }
        e->count -= want;
        return;
    }
    mpipe_t *p = &pipes[m->obj];
    if (len == 0) {
        EXPECT_EQ(posix_read(fd, buf, len), 0, "pipe read 0");
        return;
    }
    if (p->count == 0) {
        if (p->wr < 0) {
            EXPECT_EQ(posix_read(fd, buf, len), 0, "pipe EOF");
        } else if (m->nonblock) {
            EXPECT_ERR(posix_read(fd, buf, len), EAGAIN, "pipe empty");
        } else {
            skipped_blocking++;
        }
        return;
    }
    size_t want = len < (size_t)p->count ? len : (size_t)p->count;
    EXPECT_EQ(posix_read(fd, buf, len), want, "pipe read");
    for (size_t i = 0; i < want; i++) {
        if (buf[i] != p->data[(p->head + i) % POSIX_PIPE_BYTES]) {
            FAIL("pipe byte %zu of %zu differs", i, want);
        }
    }
    bytes_checked += want;
    p->head = (int)((p->head + want) % POSIX_PIPE_BYTES);
    p->count -= (int)want;
}

static void op_write(void) {
    int fd = any_fd();
    uint8_t buf[POSIX_PIPE_BYTES + 64];
    size_t len = rnd_below(8) == 0 ? (size_t)rnd_below(10) : (size_t)rnd_below(sizeof buf);
    if (valid(fd) && descs[mfd[fd]].kind == K_PIPE_WR && rnd_below(4) == 0) {
        // the edges: exactly the atomic size and one off it, exactly the room left and one more
        size_t room = POSIX_PIPE_BYTES - (size_t)pipes[descs[mfd[fd]].obj].count;
        static const int deltas[] = { -1, 0, 1 };
        size_t base = rnd_below(2) ? POSIX_PIPE_ATOMIC : room;
        len = base + deltas[rnd_below(3)];
        if (len > sizeof buf || len == (size_t)-1) {
            len = base;
        }
    }
    uint64_t s = rnd();
    for (size_t i = 0; i < len; i++) {
        buf[i] = stream_byte(&s);
    }
    if (!valid(fd)) {
        EXPECT_ERR(posix_write(fd, buf, len), EBADF, "write bad fd");
        return;
    }
    mdesc_t *m = &descs[mfd[fd]];
    if (m->kind == K_PIPE_RD) {
        EXPECT_ERR(posix_write(fd, buf, len), EBADF, "write read end");
        return;
    }
    if (m->kind == K_EVENTFD) {
        mefd_t *e = &efds[m->obj];
        static const uint64_t values[] = { 0, 1, 2, 1000, UINT64_C(0xfffffffffffffffe), UINT64_MAX, UINT64_C(0x8000000000000000) };
        uint64_t v = values[rnd_below(7)];
        memcpy(buf, &v, 8);
        if (len < 8) {
            EXPECT_ERR(posix_write(fd, buf, len), EINVAL, "eventfd short write");
        } else if (v == UINT64_MAX) {
            EXPECT_ERR(posix_write(fd, buf, len), EINVAL, "eventfd write max");
        } else if (v > UINT64_C(0xfffffffffffffffe) - e->count) {
            if (m->nonblock) {
                EXPECT_ERR(posix_write(fd, buf, len), EAGAIN, "eventfd overflow");
            } else {
                skipped_blocking++;
            }
        } else {
            EXPECT_EQ(posix_write(fd, buf, len), 8, "eventfd write");
            e->count += v;
        }
        return;
    }
    mpipe_t *p = &pipes[m->obj];
    size_t room = POSIX_PIPE_BYTES - (size_t)p->count;
    if (len == 0) {
        EXPECT_EQ(posix_write(fd, buf, len), 0, "pipe write 0");
        return;
    }
    if (p->rd < 0) {
        EXPECT_ERR(posix_write(fd, buf, len), EPIPE, "pipe without reader");
        return;
    }
    bool blocks = room == 0 || (len <= POSIX_PIPE_ATOMIC && room < len);
    if (!m->nonblock && (blocks || room < len)) {
        skipped_blocking++; // it would wait for a reader
        return;
    }
    if (blocks) {
        EXPECT_ERR(posix_write(fd, buf, len), EAGAIN, "pipe full");
        return;
    }
    size_t want = len < room ? len : room;
    EXPECT_EQ(posix_write(fd, buf, len), want, "pipe write");
    for (size_t i = 0; i < want; i++) {
        p->data[(p->head + p->count + i) % POSIX_PIPE_BYTES] = buf[i];
    }
    p->count += (int)want;
}

static void op_poll(void) {
    struct pollfd pf[12];
    int n = rnd_below(12);
    int expect = 0;
    short want[12];
    for (int i = 0; i < n; i++) {
        pf[i].fd = rnd_below(12) == 0 ? -1 : any_fd();
        pf[i].events = (short)((rnd_below(2) ? POLLIN : 0) | (rnd_below(2) ? POLLOUT : 0) | (rnd_below(4) == 0 ? POLLPRI : 0));
        pf[i].revents = 0x5a;
        unsigned w = pf[i].fd < 0 ? 0 : !valid(pf[i].fd) ? POLLNVAL : model_ready(pf[i].fd) & ((unsigned)pf[i].events | POLLHUP | POLLERR);
        want[i] = (short)w;
        expect += w != 0;
    }
    EXPECT_EQ(posix_poll(pf, (nfds_t)n, 0), expect, "poll");
    for (int i = 0; i < n; i++) {
        if (pf[i].revents != want[i]) {
            FAIL("poll fd %d events %#x: revents %#x, expected %#x", pf[i].fd, pf[i].events, pf[i].revents, want[i]);
        }
    }
}

static void op_select(void) {
    fd_set r, w, wr, ww;
    FD_ZERO(&r);
    FD_ZERO(&w);
    int nfds = rnd_below(POSIX_FD_MAX + 2);
    bool bad = false;
    for (int fd = 0; fd < nfds; fd++) {
        int c = rnd_below(6);
        if (c == 1 || c == 3) {
            FD_SET(fd, &r);
        }
        if (c == 2 || c == 3) {
            FD_SET(fd, &w);
        }
        if ((c == 1 || c == 2 || c == 3) && !valid(fd)) {
            bad = bad || rnd_below(3) == 0;
            if (!bad) {
                FD_CLR(fd, &r);
                FD_CLR(fd, &w);
            }
        }
    }
    wr = r;
    ww = w;
    struct timeval tv = { 0, 0 };
    int ret = posix_select(nfds, &r, &w, NULL, &tv);
    if (bad) {
        EXPECT_ERR(ret, EBADF, "select with a closed fd");
        if (memcmp(&r, &wr, sizeof r) != 0 || memcmp(&w, &ww, sizeof w) != 0) {
            FAIL("select changed the sets on EBADF");
        }
        return;
    }
    int count = 0;
    for (int fd = 0; fd < nfds; fd++) {
        bool rr = FD_ISSET(fd, &wr) && (model_ready(fd) & (POLLIN | POLLHUP | POLLERR));
        bool rw = FD_ISSET(fd, &ww) && (model_ready(fd) & (POLLOUT | POLLERR));
        if (rr != (bool)FD_ISSET(fd, &r) || rw != (bool)FD_ISSET(fd, &w)) {
            FAIL("select fd %d: read %d write %d, expected %d %d", fd, FD_ISSET(fd, &r) != 0, FD_ISSET(fd, &w) != 0, rr, rw);
        }
        count += rr + rw;
    }
    EXPECT_EQ(ret, count, "select count");
}

static void op_info(void) {
    int fd = any_fd();
    struct stat st;
    int n = -1;
    switch (rnd_below(5)) {
        case 0: {
            int r = posix_fstat(fd, &st);
            if (!valid(fd)) {
                EXPECT_ERR(r, EBADF, "fstat");
            } else {
                EXPECT_EQ(r, 0, "fstat");
                int want = descs[mfd[fd]].kind == K_EVENTFD ? S_IFCHR : S_IFIFO;
                EXPECT_EQ(st.st_mode & S_IFMT, want, "fstat mode");
            }
            break;
        }
        case 1:
            errno = 0;
            EXPECT_EQ(posix_isatty(fd), 0, "isatty");
            EXPECT_EQ(errno, valid(fd) ? ENOTTY : EBADF, "isatty errno");
            errno_checks++;
            break;
        case 2:
            EXPECT_ERR(posix_lseek(fd, rnd_below(100), SEEK_SET), valid(fd) ? ESPIPE : EBADF, "lseek");
            break;
        case 3: {
            int r = posix_ioctl(fd, FIONREAD, &n);
            if (!valid(fd)) {
                EXPECT_ERR(r, EBADF, "FIONREAD");
            } else if (descs[mfd[fd]].kind != K_PIPE_RD) {
                EXPECT_ERR(r, ENOTTY, "FIONREAD");
            } else {
                EXPECT_EQ(r, 0, "FIONREAD");
                EXPECT_EQ(n, pipes[descs[mfd[fd]].obj].count, "FIONREAD count");
            }
            break;
        }
        default: {
            int on = rnd_below(2);
            int r = posix_ioctl(fd, FIONBIO, &on);
            if (!valid(fd)) {
                EXPECT_ERR(r, EBADF, "FIONBIO");
            } else {
                EXPECT_EQ(r, 0, "FIONBIO");
                descs[mfd[fd]].nonblock = on;
            }
            break;
        }
    }
}

// The whole table against the model.
static void check_table(void) {
    if (shim_lock_held()) {
        FAIL("the layer's lock is held between calls");
    }
    int count = 0;
    for (int fd = 0; fd < POSIX_FD_MAX; fd++) {
        int fl = posix_fcntl(fd, F_GETFL, 0);
        if (mfd[fd] < 0) {
            EXPECT_ERR(fl, EBADF, "table: closed fd");
            continue;
        }
        count++;
        const mdesc_t *m = &descs[mfd[fd]];
        EXPECT_EQ(fl, access_mode(m) | (m->nonblock ? O_NONBLOCK : 0), "table: flags");
        if (m->kind == K_PIPE_RD) {
            int n = -1;
            EXPECT_EQ(posix_ioctl(fd, FIONREAD, &n), 0, "table: FIONREAD");
            EXPECT_EQ(n, pipes[m->obj].count, "table: bytes queued");
        }
    }
    EXPECT_EQ(posix_fd_count(), count, "table: fds in use");
    for (int d = 0; d < MAX_DESCS; d++) {
        int refs = 0;
        for (int fd = 0; fd < POSIX_FD_MAX; fd++) {
            refs += mfd[fd] == d;
        }
        if (descs[d].kind != K_FREE && descs[d].refs != refs) {
            FAIL("model: description %d has %d refs, %d fds", d, descs[d].refs, refs);
        }
    }
}

// Nothing the fuzzer calls may block (the model lets through only calls that return at once): a call
// that reaches a wait is a mismatch, reported instead of hanging.
static bool blocked(void) {
    FAIL("a call blocked");
}

// ---- the threaded phase: no model (other threads change the table under each call), but every result
// must be one the call may give, under ASan, and the table must be empty and leak-free at the end. Every
// description is made non-blocking and stays so, and polls wait at most 2 ms, so nothing waits forever;
// closes and dup2s race with reads, writes and polls of the same fds on other threads.

static unsigned long thread_iterations;
static unsigned long thread_io_ok; // reads and writes that moved bytes
static volatile int thread_failed;

#define T_EXPECT(cond, ...) do { \
        if (!(cond)) { \
            printf("THREAD MISMATCH (line %d): ", __LINE__); \
            printf(__VA_ARGS__); \
            printf("\n"); \
            thread_failed = 1; \
            return NULL; \
        } \
} while (0)

static uint64_t t_rnd(uint64_t *s) {
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * UINT64_C(2685821657736338717);
}

static void *thread_fuzz(void *arg) {
    uint64_t s = (uintptr_t)arg * UINT64_C(0x9e3779b97f4a7c15) + 1;
    uint8_t buf[700];
    for (unsigned long i = 0; i < thread_iterations && !thread_failed; i++) {
        int fd = (int)(t_rnd(&s) % POSIX_FD_MAX);
        int op = (int)(t_rnd(&s) % 10);
        size_t len = (size_t)(t_rnd(&s) % sizeof buf);
        long r;
        errno = 0;
        switch (op) {
            case 0: {
                int p[2];
                r = posix_pipe2(p, O_NONBLOCK);
                T_EXPECT(r == 0 || errno == EMFILE || errno == ENFILE, "pipe2 %ld errno %d", r, errno);
                break;
            }
            case 1:
                r = posix_eventfd((unsigned)(t_rnd(&s) % 3), POSIX_EFD_NONBLOCK | (int)(t_rnd(&s) % 2));
                T_EXPECT(r >= 0 || errno == EMFILE, "eventfd %ld errno %d", r, errno);
                break;
            case 2:
                r = posix_close(fd);
                T_EXPECT(r == 0 || errno == EBADF, "close %ld errno %d", r, errno);
                break;
            case 3:
                r = t_rnd(&s) % 2 ? posix_dup(fd) : posix_dup2(fd, (int)(t_rnd(&s) % POSIX_FD_MAX));
                T_EXPECT(r >= 0 || errno == EBADF || errno == EMFILE, "dup %ld errno %d", r, errno);
                break;
            case 4:
            case 5:
                r = posix_read(fd, buf, len);
                if (r > 0) {
                    __atomic_fetch_add(&thread_io_ok, 1, __ATOMIC_RELAXED);
                }
                T_EXPECT(r >= 0 || errno == EBADF || errno == EAGAIN || errno == EINVAL, "read %ld errno %d", r, errno);
                break;
            case 6:
            case 7:
                memset(buf, 0xa5, 8);
                buf[7] = 0; // eventfd: a value below the maximum
                r = posix_write(fd, buf, len);
                if (r > 0) {
                    __atomic_fetch_add(&thread_io_ok, 1, __ATOMIC_RELAXED);
                }
                T_EXPECT(r >= 0 || errno == EBADF || errno == EAGAIN || errno == EPIPE || errno == EINVAL, "write %ld errno %d", r, errno);
                break;
            case 8: {
                struct pollfd pf[3];
                for (int k = 0; k < 3; k++) {
                    pf[k].fd = (int)(t_rnd(&s) % POSIX_FD_MAX);
                    pf[k].events = POLLIN | POLLOUT;
                }
                r = posix_poll(pf, 3, (int)(t_rnd(&s) % 3));
                T_EXPECT(r >= 0 && r <= 3, "poll %ld errno %d", r, errno);
                break;
            }
            default: {
                int fl = posix_fcntl(fd, F_GETFL, 0);
                T_EXPECT(fl >= 0 ? (fl & O_NONBLOCK) != 0 : errno == EBADF, "F_GETFL %d errno %d", fl, errno);
                int n = -1;
                r = posix_ioctl(fd, FIONREAD, &n);
                T_EXPECT((r == 0 && n >= 0 && n <= POSIX_PIPE_BYTES) || errno == EBADF || errno == ENOTTY, "FIONREAD %ld errno %d", r, errno);
                break;
            }
        }
    }
    return NULL;
}

static int run_threads(unsigned long iterations, int threads) {
    thread_iterations = iterations / (unsigned long)threads;
    pthread_t t[16];
    for (int i = 0; i < threads; i++) {
        pthread_create(&t[i], NULL, thread_fuzz, (void *)(uintptr_t)(rng_state + (uint64_t)i));
    }
    for (int i = 0; i < threads; i++) {
        pthread_join(t[i], NULL);
    }
    if (thread_failed) {
        return 1;
    }
    for (int fd = 0; fd < POSIX_FD_MAX; fd++) {
        posix_close(fd);
    }
    if (posix_fd_count() != 0 || shim_lock_held()) {
        printf("THREAD MISMATCH: %d fds left after closing all\n", posix_fd_count());
        return 1;
    }
    printf("threads %d\niterations %lu\nio ok %lu\n", threads, thread_iterations * (unsigned long)threads, thread_io_ok);
    return 0;
}

int main(int argc, char **argv) {
    static const posix_block_hooks_t hooks = { blocked, NULL };
    if (argc > 3) {
        // posix_fuzz ITERATIONS SEED THREADS: the threaded phase
        int threads = atoi(argv[3]);
        rng_state = strtoull(argv[2], NULL, 10) | 1;
        return run_threads(strtoul(argv[1], NULL, 10), threads < 1 ? 1 : threads > 16 ? 16 : threads);
    }
    posix_set_block_hooks(&hooks);
    unsigned long iterations = argc > 1 ? strtoul(argv[1], NULL, 10) : 100000;
    rng_state = argc > 2 ? strtoull(argv[2], NULL, 10) : 20261206;
    if (rng_state == 0) {
        rng_state = 1;
    }
    for (int fd = 0; fd < POSIX_FD_MAX; fd++) {
        mfd[fd] = -1;
    }
    // Weights: creating and closing balance so the table is often near full and near empty.
    static const int weights[N_OPS] = { 6, 6, 10, 4, 5, 6, 18, 18, 8, 5, 6, 3 };
    int total = 0;
    for (int i = 0; i < N_OPS; i++) {
        total += weights[i];
    }
    for (iteration = 0; iteration < iterations; iteration++) {
        int pick = rnd_below(total), op = 0;
        while (pick >= weights[op]) {
            pick -= weights[op++];
        }
        op_count[op]++;
        switch (op) {
            case 0:
                op_pipe();
                break;
            case 1:
                op_eventfd();
                break;
            case 2:
                op_close();
                break;
            case 3:
                op_dup();
                break;
            case 4:
                op_dup2();
                break;
            case 5:
                op_fcntl();
                break;
            case 6:
                op_read();
                break;
            case 7:
                op_write();
                break;
            case 8:
                op_poll();
                break;
            case 9:
                op_select();
                break;
            case 10:
                op_info();
                break;
            default:
                op_dupfd();
                break;
        }
        if (iteration % 64 == 63) {
            check_table();
        }
    }
    check_table();
    for (int fd = 0; fd < POSIX_FD_MAX; fd++) {
        if (mfd[fd] >= 0) {
            EXPECT_EQ(posix_close(fd), 0, "final close");
            unref_fd(fd);
        }
    }
    EXPECT_EQ(posix_fd_count(), 0, "fds left");
    printf("iterations %lu\n", iterations);
    for (int i = 0; i < N_OPS; i++) {
        printf("%s %lu\n", op_names[i], op_count[i]);
    }
    printf("errno checks %lu\nbytes checked %lu\nskipped (would block) %lu\n", errno_checks, bytes_checked, skipped_blocking);
    return 0;
}
