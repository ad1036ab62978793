// lib/posix: <poll.h> for the firmware (Picolibc has none). The event bits are Linux's, which are also
// MicroPython's MP_STREAM_POLL_* values. Host builds use the host's own header.
#ifndef POSIX_POLL_H
#define POSIX_POLL_H

typedef unsigned int nfds_t;

struct pollfd {
    int fd;        // ignored when negative
    short events;  // requested: POLLIN POLLPRI POLLOUT
    short revents; // returned: those ready, and POLLERR POLLHUP POLLNVAL always
};

#define POLLIN   (0x0001)
#define POLLPRI  (0x0002)
#define POLLOUT  (0x0004)
#define POLLERR  (0x0008)
#define POLLHUP  (0x0010)
#define POLLNVAL (0x0020)
#define POLLRDNORM POLLIN
#define POLLWRNORM POLLOUT

int poll(struct pollfd *fds, nfds_t nfds, int timeout_ms);

#endif // POSIX_POLL_H
