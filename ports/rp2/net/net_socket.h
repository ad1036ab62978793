// MicroPythonRT rp2 port: sockets as fds (ports/rp2/net/net_socket.c), the calls under the BSD names.
//
// The net_sock_* calls never block: they return a value >= 0 or a negative errno (-EAGAIN when they
// would block, -EINPROGRESS for a connect under way). The BSD functions (socket, recv, ...) and the
// Python socket module block on top of them by polling the fd (posix_poll), so a blocked task waits on
// its task notification with the GIL released, and select/poll/asyncio see sockets like pipes.
#ifndef MPRT_NET_SOCKET_H
#define MPRT_NET_SOCKET_H

#include <stdbool.h>
#include "mprt_socket.h"

int net_sock_socket(int domain, int type, int protocol);
int net_sock_bind(int fd, const struct sockaddr *addr, socklen_t len);
int net_sock_listen(int fd, int backlog);
int net_sock_accept(int fd, struct sockaddr *addr, socklen_t *len, int flags);
int net_sock_connect(int fd, const struct sockaddr *addr, socklen_t len);
int net_sock_connect_result(int fd); // after POLLOUT: 0 or the error of the connect
ssize_t net_sock_sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *addr, socklen_t alen);
ssize_t net_sock_recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *addr, socklen_t *alen);
int net_sock_shutdown(int fd, int how);
int net_sock_setsockopt(int fd, int level, int name, const void *val, socklen_t len);
int net_sock_getsockopt(int fd, int level, int name, void *val, socklen_t *len);
int net_sock_getname(int fd, struct sockaddr *addr, socklen_t *len, bool local);
// Waits until fd polls `events` (POLLIN/POLLOUT) or timeout_ms passes (-1: forever): 0, -ETIMEDOUT,
// -EBADF, -EINTR.
int net_sock_wait(int fd, short events, int timeout_ms);
// The receive timeout (SO_RCVTIMEO) in ms, -1 for none; or a negative errno (not a socket).
int net_sock_rcvtimeo(int fd);
bool net_sock_is_socket(int fd);

// The stack: started once at boot (ports/rp2/rtos/rtos_main.c).
void mprt_net_start(void);

#endif // MPRT_NET_SOCKET_H
