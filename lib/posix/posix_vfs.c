// lib/posix: the path calls (posix_vfs.h): a path is made normal and absolute, then goes to /dev or to
// the filesystem backend.
#include <stdlib.h>
#include <string.h>
#include "posix_internal.h"
#include "posix_vfs_internal.h"

static const posix_vfs_backend_t *backend;

void posix_vfs_set_backend(const posix_vfs_backend_t *b) {
    backend = b;
}

typedef struct _path_t {
    char buf[POSIX_PATH_MAX + 1];
    const char *dev; // below "/dev/" ("" = /dev), or NULL when the backend's
} path_t;

// 0 or -errno.
static int resolve(const char *path, path_t *p) {
    if (path == NULL) {
        return -EFAULT;
    }
    char cwd[POSIX_PATH_MAX + 1];
    const char *c = "/";
    if (path[0] != '/' && backend != NULL && backend->getcwd != NULL && backend->getcwd(cwd, sizeof(cwd)) == 0) {
        c = cwd;
    }
    int r = posix_path_normalize(c, path, p->buf, sizeof(p->buf));
    if (r < 0) {
        return r;
    }
    p->dev = NULL;
    if (strncmp(p->buf, "/dev", 4) == 0 && (p->buf[4] == '\0' || p->buf[4] == '/')) {
        p->dev = p->buf[4] == '\0' ? "" : p->buf + 5;
        if (strchr(p->dev, '/') != NULL) {
            return -ENOENT; // /dev is flat (a device is no directory: -ENOTDIR would also do)
        }
    }
    return 0;
}

int posix_open(const char *path, int flags, mode_t mode) {
    path_t p;
    int r = resolve(path, &p);
    posix_file_t *f = NULL;
    if (r == 0) {
        if (p.dev != NULL) {
            r = posix_dev_open(p.dev, flags, &f);
        } else if (backend != NULL && backend->open != NULL) {
            r = backend->open(p.buf, flags, mode, &f);
        } else {
            r = -ENOENT;
        }
    }
    if (r < 0) {
        return (int)posix_result(r);
    }
    int fd = posix_fd_install(f, 0);
    if (fd < 0) {
        // a new file nobody holds goes (a device may hand out a file of its own that others hold)
        posix_lock();
        bool unused = f->refs == 0;
        posix_unlock();
        if (unused && f->ops->release != NULL) {
            f->ops->release(f);
        }
        return (int)posix_result(fd);
    }
    if (flags & O_CLOEXEC) {
        posix_fcntl(fd, F_SETFD, FD_CLOEXEC);
    }
    return fd;
}

int posix_stat(const char *path, struct stat *st) {
    path_t p;
    int r = resolve(path, &p);
    if (r == 0) {
        if (p.dev != NULL) {
            r = posix_dev_stat(p.dev, st);
        } else if (backend != NULL && backend->stat != NULL) {
            memset(st, 0, sizeof(*st));
            r = backend->stat(p.buf, st);
        } else {
            r = -ENOENT;
        }
    }
    return (int)posix_result(r);
}

// A call on one path that /dev refuses (its entries are not made or removed through paths).
static int one_path(const char *path, int (*op)(const char *), int dev_error) {
    path_t p;
    int r = resolve(path, &p);
    if (r == 0) {
        if (p.dev != NULL) {
            struct stat st;
            r = posix_dev_stat(p.dev, &st) == 0 ? dev_error : (dev_error == -EEXIST ? -EACCES : -ENOENT);
        } else {
            r = backend != NULL && op != NULL ? op(p.buf) : -ENOENT;
        }
    }
    return (int)posix_result(r);
}

int posix_mkdir(const char *path, mode_t mode) {
    path_t p;
    int r = resolve(path, &p);
    if (r == 0) {
        struct stat st;
        if (p.dev != NULL) {
            r = posix_dev_stat(p.dev, &st) == 0 ? -EEXIST : -EACCES;
        } else {
            r = backend != NULL && backend->mkdir != NULL ? backend->mkdir(p.buf, mode) : -ENOENT;
        }
    }
    return (int)posix_result(r);
}

int posix_unlink(const char *path) {
    return one_path(path, backend != NULL ? backend->unlink : NULL, -EACCES);
}

int posix_rmdir(const char *path) {
    return one_path(path, backend != NULL ? backend->rmdir : NULL, -EACCES);
}

int posix_chdir(const char *path) {
    return one_path(path, backend != NULL ? backend->chdir : NULL, -ENOTDIR);
}

int posix_rename(const char *from, const char *to) {
    path_t *p = malloc(2 * sizeof(path_t));
    if (p == NULL) {
        return (int)posix_result(-ENOMEM);
    }
    int r = resolve(from, &p[0]);
    if (r == 0) {
        r = resolve(to, &p[1]);
    }
    if (r == 0) {
        if (p[0].dev != NULL || p[1].dev != NULL) {
            r = p[0].dev != NULL && p[1].dev != NULL ? -EACCES : -EXDEV;
        } else if (backend == NULL || backend->rename == NULL) {
            r = -ENOENT;
        } else {
            r = backend->rename(p[0].buf, p[1].buf);
        }
    }
    free(p);
    return (int)posix_result(r);
}

char *posix_getcwd(char *buf, size_t size) {
    char cwd[POSIX_PATH_MAX + 1];
    int r = 0;
    if (backend != NULL && backend->getcwd != NULL) {
        r = backend->getcwd(cwd, sizeof(cwd));
    } else {
        strcpy(cwd, "/");
    }
    if (r == 0 && (buf == NULL || size == 0)) {
        r = -EINVAL;
    } else if (r == 0 && strlen(cwd) + 1 > size) {
        r = -ERANGE;
    }
    if (r < 0) {
        posix_result(r);
        return NULL;
    }
    strcpy(buf, cwd);
    return buf;
}

int posix_fsync(int fd) {
    int r = posix_ioctl(fd, POSIX_BLKFLSBUF, NULL);
    if (r < 0 && errno == ENOTTY) {
        errno = EINVAL; // as POSIX for a file that cannot be synchronised (a pipe, a console)
    }
    return r;
}
