// lib/posix path fuzzer (host, ASan+UBSan): random paths made of ".", "..", empty names ("//"), short
// and long names (up to and past POSIX_NAME_MAX), /dev names and bytes that are no UTF-8, joined to
// random working directories; each goes through posix_path_normalize and is checked against a model
// (a stack of names), and through posix_open/posix_stat/posix_mkdir/posix_rename with a recording
// backend: /dev paths must reach the device table (open succeeding exactly for the registered names)
// and every other path must reach the backend as the model's normal form. Prints "iterations N".
//
//   posix_path_fuzz ITERATIONS SEED
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include "posix.h"
#include "posix_vfs.h"

static uint64_t rng_state;
static uint64_t rnd(void) {
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * UINT64_C(2685821657736338717);
}

#define FAIL(...) do { \
        fprintf(stderr, "iteration %ld: ", iter); \
        fprintf(stderr, __VA_ARGS__); \
        fprintf(stderr, "\n"); \
        exit(1); \
} while (0)

static long iter;

// ---- the model: names on a stack ----
typedef struct {
    const char *p[400];
    size_t n[400];
    int count;
} names_t;

// -1 when a name is too long
static int model_add(names_t *s, const char *path) {
    size_t len = strlen(path);
    size_t i = 0;
    while (i < len) {
        size_t j = i;
        while (j < len && path[j] != '/') {
            j++;
        }
        size_t n = j - i;
        if (n > POSIX_NAME_MAX) {
            return -1;
        }
        if (n == 2 && path[i] == '.' && path[i + 1] == '.') {
            if (s->count > 0) {
                s->count--;
            }
        } else if (n > 0 && !(n == 1 && path[i] == '.')) {
            s->p[s->count] = path + i;
            s->n[s->count] = n;
            s->count++;
        }
        i = j + 1;
    }
    return 0;
}

// expected result: 0 and out, or -errno
static int model(const char *cwd, const char *path, char *out, size_t size) {
    if (path[0] == '\0') {
        return -ENOENT;
    }
    names_t s;
    s.count = 0;
    if (path[0] != '/' && model_add(&s, cwd) < 0) {
        return -ENAMETOOLONG;
    }
    if (model_add(&s, path) < 0) {
        return -ENAMETOOLONG;
    }
    // the too-long check applies to every intermediate form too ("a/../b" may pass through a long
    // path): the layer fails as soon as the path it builds is longer than the limit
    size_t cap = size - 1 < POSIX_PATH_MAX ? size - 1 : POSIX_PATH_MAX;
    size_t total = 0;
    for (int k = 0; k < s.count; k++) {
        total += 1 + s.n[k];
    }
    if (total > cap) {
        return -ENAMETOOLONG;
    }
    char *o = out;
    for (int k = 0; k < s.count; k++) {
        *o++ = '/';
        memcpy(o, s.p[k], s.n[k]);
        o += s.n[k];
    }
    if (o == out) {
        *o++ = '/';
    }
    *o = '\0';
    return 0;
}

// the longest intermediate form while normalizing (for the too-long rule above)
static size_t model_peak(const char *cwd, const char *path) {
    names_t s;
    s.count = 0;
    size_t peak = 0, cur = 0;
    const char *parts[2] = { path[0] != '/' ? cwd : "", path };
    for (int q = 0; q < 2; q++) {
        const char *x = parts[q];
        size_t len = strlen(x), i = 0;
        while (i < len) {
            size_t j = i;
            while (j < len && x[j] != '/') {
                j++;
            }
            size_t n = j - i;
            if (n == 2 && x[i] == '.' && x[i + 1] == '.') {
                if (s.count > 0) {
                    s.count--;
                    cur -= 1 + s.n[s.count];
                }
            } else if (n > 0 && !(n == 1 && x[i] == '.')) {
                s.p[s.count] = x + i;
                s.n[s.count] = n;
                s.count++;
                cur += 1 + n;
                if (cur > peak) {
                    peak = cur;
                }
            }
            i = j + 1;
        }
    }
    return peak;
}

// ---- random paths ----
static char longname[POSIX_NAME_MAX + 3];

static void add_piece(char *buf, size_t *len, size_t cap) {
    char piece[POSIX_NAME_MAX + 3];
    size_t n = 0;
    switch (rnd() % 12) {
        case 0:
            piece[n++] = '.';
            break;
        case 1:
            piece[0] = piece[1] = '.';
            n = 2;
            break;
        case 2:
            break; // an empty name: "//"
        case 3:
            memcpy(piece, "dev", 3);
            n = 3;
            break;
        case 4: {
            static const char *const d[] = { "null", "zero", "full", "urandom", "blk0", "nul", "null0", "..." };
            strcpy(piece, d[rnd() % 8]);
            n = strlen(piece);
            break;
        }
        case 5: {
            // a long name: around POSIX_NAME_MAX
            n = POSIX_NAME_MAX - 2 + rnd() % 5;
            memcpy(piece, longname, n);
            break;
        }
        case 6: {
            // bytes that are no UTF-8 (never '/' nor NUL)
            n = 1 + rnd() % 6;
            for (size_t k = 0; k < n; k++) {
                piece[k] = (char)(0x80 + rnd() % 0x80);
            }
            break;
        }
        default: {
            n = 1 + rnd() % 8;
            for (size_t k = 0; k < n; k++) {
                piece[k] = "abcxyz.._-"[rnd() % 10];
            }
            break;
        }
    }
    if (*len + n + 2 >= cap) {
        return;
    }
    memcpy(buf + *len, piece, n);
    *len += n;
    size_t slashes = rnd() % 4 == 0 ? 2 + rnd() % 2 : 1;
    while (slashes-- > 0 && *len + 1 < cap) {
        buf[(*len)++] = '/';
    }
}

static void random_path(char *buf, size_t cap) {
    size_t len = 0;
    if (rnd() % 2) {
        buf[len++] = '/';
    }
    int pieces = (int)(rnd() % 8);
    for (int k = 0; k < pieces; k++) {
        add_piece(buf, &len, cap);
    }
    if (len > 1 && rnd() % 2 && buf[len - 1] == '/') {
        len--; // no trailing slash
    }
    buf[len] = '\0';
}

// ---- a backend that records what reaches it ----
static char last_path[POSIX_PATH_MAX + 2];
static int backend_calls;
static char backend_cwd[POSIX_PATH_MAX + 1] = "/";

static int rec(const char *path) {
    backend_calls++;
    if (strlen(path) > POSIX_PATH_MAX) {
        return -EFAULT;
    }
    strcpy(last_path, path);
    return -ENOENT;
}
static int b_open(const char *path, int flags, mode_t mode, posix_file_t **out) {
    (void)flags;
    (void)mode;
    (void)out;
    return rec(path);
}
static int b_stat(const char *path, struct stat *st) {
    (void)st;
    return rec(path);
}
static int b_mkdir(const char *path, mode_t mode) {
    (void)mode;
    return rec(path);
}
static int b_rename(const char *from, const char *to) {
    (void)from;
    return rec(to);
}
static int b_getcwd(char *buf, size_t size) {
    if (strlen(backend_cwd) + 1 > size) {
        return -ERANGE;
    }
    strcpy(buf, backend_cwd);
    return 0;
}
static const posix_vfs_backend_t backend = {
    .open = b_open, .stat = b_stat, .mkdir = b_mkdir, .unlink = rec, .rmdir = rec, .rename = b_rename,
    .getcwd = b_getcwd,
};

static int blk_read(void *ctx, uint32_t block, uint32_t offset, void *buf, uint32_t len) {
    (void)ctx;
    (void)offset;
    memset(buf, (int)block, len);
    return 0;
}
static const posix_blockdev_t blk = { .read = blk_read, .block_size = 64, .block_count = 4 };

static bool is_device(const char *name) {
    static const char *const d[] = { "null", "zero", "full", "urandom", "blk0" };
    for (int k = 0; k < 5; k++) {
        if (strcmp(name, d[k]) == 0) {
            return true;
        }
    }
    return false;
}

static void fill_random(void *buf, size_t len) {
    uint8_t *b = buf;
    for (size_t k = 0; k < len; k++) {
        b[k] = (uint8_t)rnd();
    }
}

int main(int argc, char **argv) {
    long iterations = argc > 1 ? atol(argv[1]) : 100000;
    rng_state = argc > 2 ? strtoull(argv[2], NULL, 10) * 2 + 1 : 88172645463325252ULL;
    memset(longname, 'n', sizeof(longname));
    posix_vfs_set_backend(&backend);
    posix_set_random(fill_random);
    if (posix_blockdev_register("blk0", &blk, NULL) != 0) {
        FAIL("register blk0");
    }
    if (posix_blockdev_register("blk0", &blk, NULL) != -1 || errno != EEXIST) {
        FAIL("register twice");
    }
    long counts[4] = { 0 };
    static char path[3 * POSIX_PATH_MAX], out[POSIX_PATH_MAX + 1], want[POSIX_PATH_MAX + 1], again[POSIX_PATH_MAX + 1];
    for (iter = 0; iter < iterations; iter++) {
        // a working directory: a normal path, sometimes deep
        char cwd_raw[3 * POSIX_PATH_MAX];
        random_path(cwd_raw, sizeof(cwd_raw));
        if (posix_path_normalize("/", cwd_raw, backend_cwd, sizeof(backend_cwd)) != 0) {
            strcpy(backend_cwd, "/");
        }
        random_path(path, sizeof(path));
        size_t size = rnd() % 8 == 0 ? 1 + rnd() % 40 : sizeof(out);
        int r = posix_path_normalize(backend_cwd, path, out, size);
        int m = model(backend_cwd, path, want, size);
        if (m == 0 && model_peak(backend_cwd, path) > (size - 1 < POSIX_PATH_MAX ? size - 1 : POSIX_PATH_MAX)) {
            m = -ENAMETOOLONG; // an intermediate form did not fit
        }
        if (size < 2) {
            m = -ENAMETOOLONG;
        }
        if (r != m || (r == 0 && strcmp(out, want) != 0)) {
            FAIL("normalize(cwd '%s', '%s', size %zu) = %d '%s', model %d '%s'", backend_cwd, path, size, r,
                r == 0 ? out : "", m, m == 0 ? want : "");
        }
        counts[r == 0 ? 0 : 1]++;
        if (r == 0) {
            // the normal form is a fixed point, absolute, with no ".", "..", "//" and no trailing '/'
            if (out[0] != '/' || strstr(out, "//") || strstr(out, "/./") || strstr(out, "/../")
                || (strlen(out) > 1 && out[strlen(out) - 1] == '/')
                || (strlen(out) >= 2 && strcmp(out + strlen(out) - 2, "/.") == 0)
                || (strlen(out) >= 3 && strcmp(out + strlen(out) - 3, "/..") == 0)) {
                FAIL("not normal: '%s'", out);
            }
            if (posix_path_normalize("/elsewhere", out, again, sizeof(again)) != 0 || strcmp(again, out) != 0) {
                FAIL("not a fixed point: '%s' -> '%s'", out, again);
            }
        }
        // the calls: where does the path go?
        int full = posix_path_normalize(backend_cwd, path, want, sizeof(want));
        bool dev = full == 0 && strncmp(want, "/dev", 4) == 0 && (want[4] == '\0' || want[4] == '/');
        const char *devname = dev ? (want[4] == '\0' ? "" : want + 5) : NULL;
        backend_calls = 0;
        last_path[0] = '\0';
        errno = 0;
        int op = (int)(rnd() % 4);
        int fd = -1;
        int oflags = rnd() % 2 ? O_RDONLY : O_RDWR;
        struct stat st;
        switch (op) {
            case 0:
                fd = posix_open(path, oflags, 0666);
                break;
            case 1:
                fd = posix_stat(path, &st);
                break;
            case 2:
                fd = posix_mkdir(path, 0777);
                break;
            default:
                fd = posix_rename("/tmp-source", path);
                break;
        }
        int e = errno;
        if (full != 0) {
            if (fd != -1 || e != -full || backend_calls != 0) {
                FAIL("op %d '%s': %d errno %d, expected errno %d and no backend call", op, path, fd, e, -full);
            }
        } else if (!dev) {
            if (fd != -1 || e != ENOENT || backend_calls != 1 || strcmp(last_path, want) != 0) {
                FAIL("op %d '%s': backend got '%s' (%d calls), expected '%s'", op, path, last_path, backend_calls, want);
            }
        } else if (strchr(devname, '/') != NULL) {
            // /dev is flat: nothing below its entries
            if (fd != -1 || e != ENOENT || backend_calls != 0) {
                FAIL("op %d '%s': %d errno %d, expected ENOENT", op, path, fd, e);
            }
        } else {
            if (backend_calls != 0) {
                FAIL("op %d '%s': a /dev path reached the backend", op, path);
            }
            bool exists = devname[0] == '\0' || is_device(devname);
            if (op == 0) {
                if (strcmp(devname, "blk0") == 0 && oflags == O_RDWR) {
                    if (fd != -1 || e != EROFS) {
                        FAIL("open '%s' read-write: %d errno %d, expected EROFS", path, fd, e);
                    }
                } else if (exists && devname[0] != '\0') {
                    if (fd < 0) {
                        FAIL("open '%s' (%s) failed: %d", path, devname, e);
                    }
                    char b[4];
                    ssize_t n = posix_read(fd, b, sizeof(b));
                    if (strcmp(devname, "null") == 0 ? n != 0 : n != 4) {
                        FAIL("read %s: %zd", devname, n);
                    }
                    posix_close(fd);
                    counts[2]++;
                } else if (fd != -1 || e != (devname[0] == '\0' ? (exists ? ENOTSUP : ENOENT) : ENOENT)) {
                    if (!(devname[0] == '\0' && e == EISDIR)) {
                        FAIL("open '%s': %d errno %d", path, fd, e);
                    }
                }
            } else if (op == 1) {
                if (exists ? fd != 0 : (fd != -1 || e != ENOENT)) {
                    FAIL("stat '%s': %d errno %d", path, fd, e);
                }
                if (exists) {
                    counts[3]++;
                }
            } else if (op == 2) {
                if (fd != -1 || e != (exists ? EEXIST : EACCES)) {
                    FAIL("mkdir '%s': %d errno %d", path, fd, e);
                }
            } else if (fd != -1 || e != EXDEV) {
                FAIL("rename to '%s': %d errno %d", path, fd, e);
            }
        }
    }
    if (posix_fd_count() != 0) {
        FAIL("%d fds left", posix_fd_count());
    }
    posix_dev_unregister("blk0");
    printf("iterations %ld normal %ld refused %ld device-opens %ld device-stats %ld\n", iterations, counts[0], counts[1],
        counts[2], counts[3]);
    return 0;
}
