// lib/posix: the standard names of the layer's calls, for the firmware and the native modules linked
// against it (Picolibc declares them and defines none). Not built on the host, where the host's C
// library owns these names.
#include <stdarg.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/eventfd.h>
#include "posix.h"
#include "posix_vfs.h"
#include <stdio.h>

ssize_t read(int fd, void *buf, size_t len) {
    return posix_read(fd, buf, len);
}

ssize_t write(int fd, const void *buf, size_t len) {
    return posix_write(fd, buf, len);
}

int close(int fd) {
    return posix_close(fd);
}

off_t lseek(int fd, off_t offset, int whence) {
    return posix_lseek(fd, offset, whence);
}

int fstat(int fd, struct stat *st) {
    return posix_fstat(fd, st);
}

int ioctl(int fd, unsigned long request, ...) {
    va_list ap;
    va_start(ap, request);
    void *arg = va_arg(ap, void *);
    va_end(ap);
    return posix_ioctl(fd, request, arg);
}

int fcntl(int fd, int cmd, ...) {
    va_list ap;
    va_start(ap, cmd);
    int arg = cmd == F_GETFL || cmd == F_GETFD ? 0 : va_arg(ap, int);
    va_end(ap);
    return posix_fcntl(fd, cmd, arg);
}

int dup(int fd) {
    return posix_dup(fd);
}

int dup2(int fd, int fd2) {
    return posix_dup2(fd, fd2);
}

int pipe(int fds[2]) {
    return posix_pipe(fds);
}

int isatty(int fd) {
    return posix_isatty(fd);
}

int poll(struct pollfd *fds, nfds_t nfds, int timeout_ms) {
    return posix_poll(fds, nfds, timeout_ms);
}

int select(int nfds, fd_set *readfds, fd_set *writefds, fd_set *exceptfds, struct timeval *timeout) {
    return posix_select(nfds, readfds, writefds, exceptfds, timeout);
}

int eventfd(unsigned int initval, int flags) {
    return posix_eventfd(initval, flags);
}

int eventfd_read(int fd, eventfd_t *value) {
    return posix_read(fd, value, sizeof(*value)) == (ssize_t)sizeof(*value) ? 0 : -1;
}

int eventfd_write(int fd, eventfd_t value) {
    return posix_write(fd, &value, sizeof(value)) == (ssize_t)sizeof(value) ? 0 : -1;
}

// ---- paths (posix_vfs.h); Picolibc's stdio (fopen, remove, ...) calls these ----
int open(const char *path, int flags, ...) {
    mode_t mode = 0;
    if (flags & O_CREAT) {
        va_list ap;
        va_start(ap, flags);
        mode = (mode_t)va_arg(ap, int);
        va_end(ap);
    }
    return posix_open(path, flags, mode);
}

int stat(const char *restrict path, struct stat *restrict st) {
    return posix_stat(path, st);
}

int mkdir(const char *path, mode_t mode) {
    return posix_mkdir(path, mode);
}

int unlink(const char *path) {
    return posix_unlink(path);
}

int rmdir(const char *path) {
    return posix_rmdir(path);
}

int rename(const char *from, const char *to) {
    return posix_rename(from, to);
}

char *getcwd(char *buf, size_t size) {
    return posix_getcwd(buf, size);
}

int chdir(const char *path) {
    return posix_chdir(path);
}

int fsync(int fd) {
    return posix_fsync(fd);
}
