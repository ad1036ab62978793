// MicroPythonRT rp2 port: sockets as a kind of file of lib/posix, on lwIP's netconn API.
//
// Every netconn call messages the tcpip task (lwIP runs nowhere else); a netconn is always in
// non-blocking mode, so no call here blocks: an operation that would returns -EAGAIN and the fd layer
// (or the Python socket module) waits on the fd. Readiness is computed from the netconn's mailboxes
// and a writable flag; lwIP's event callback (run in the tcpip task) only wakes the fd's waiters with
// posix_file_notify. Options that touch a PCB run in the tcpip task through tcpip_api_call.
// Written from POSIX's socket pages and lwIP's api.h; no code from lwIP's sockets.c.
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/ioctl.h>

#include "posix.h"
#include "posix_file.h"
#include "net_socket.h"

#include "lwip/api.h"
#include "lwip/tcp.h"
#include "lwip/udp.h"
#include "lwip/ip_addr.h"
#include "lwip/priv/tcpip_priv.h"

typedef struct _net_sock_t {
    posix_file_t file;
    struct netconn *conn;
    struct pbuf *rx;        // TCP: received data not read yet, from rx_off
    struct netbuf *rx_nb;   // UDP: a datagram kept by MSG_PEEK
    uint16_t rx_off;
    uint8_t family;
    uint8_t type;
    bool listening;
    bool connecting;
    bool connected;
    bool writable;          // TCP: the last write did not fill the send buffer, or SENDPLUS since
    bool eof;               // TCP: the peer's FIN was read
    bool rd_shut;
    bool wr_shut;
    int rcvtimeo_ms;        // SO_RCVTIMEO, -1: none
    int linger;             // SO_LINGER's time, -1: off (0: close resets the connection)
} net_sock_t;

static const posix_file_ops_t net_sock_ops;

static int errno_of(err_t e) {
    switch (e) {
        case ERR_OK:
            return 0;
        case ERR_MEM:
            return ENOMEM;
        case ERR_BUF:
            return ENOBUFS;
        case ERR_TIMEOUT:
            return ETIMEDOUT;
        case ERR_RTE:
            return EHOSTUNREACH;
        case ERR_INPROGRESS:
            return EINPROGRESS;
        case ERR_WOULDBLOCK:
            return EAGAIN;
        case ERR_USE:
            return EADDRINUSE;
        case ERR_ALREADY:
            return EALREADY;
        case ERR_ISCONN:
            return EISCONN;
        case ERR_CONN:
        case ERR_CLSD:
            return ENOTCONN;
        case ERR_ABRT:
            return ECONNABORTED;
        case ERR_RST:
            return ECONNRESET;
        case ERR_IF:
            return ENETDOWN;
        default:
            return EINVAL;
    }
}

// ---- the kind of file ----

static bool claimed(struct netconn *c) {
    return c->callback_arg.ptr != NULL && c->callback_arg.ptr != (void *)-1;
}

// lwIP's event callback, in the tcpip task (and in callers of netconn_recv): wake the waiters.
static void sock_event(struct netconn *conn, enum netconn_evt evt, u16_t len) {
    (void)len;
    posix_lock();
    if (claimed(conn)) {
        net_sock_t *s = conn->callback_arg.ptr;
        if (evt == NETCONN_EVT_SENDPLUS) {
            s->writable = true;
        }
        posix_file_notify_locked(&s->file);
    }
    posix_unlock();
}

static bool mbox_has(sys_mbox_t *b) {
    return sys_mbox_valid(b) && uxQueueMessagesWaiting(b->h) > 0;
}

static unsigned sock_poll(posix_file_t *f) {
    net_sock_t *s = (net_sock_t *)f;
    struct netconn *c = s->conn;
    unsigned ev = 0;
    if (s->listening) {
        if (mbox_has(&c->acceptmbox) || !sys_mbox_valid(&c->acceptmbox)) {
            ev |= POLLIN;
        }
        return ev;
    }
    if (s->rx != NULL || s->rx_nb != NULL || s->eof || s->rd_shut || mbox_has(&c->recvmbox)) {
        ev |= POLLIN;
    }
    if (s->type == SOCK_DGRAM) {
        ev |= POLLOUT;
    } else if (s->connecting) {
        if (c->state != NETCONN_CONNECT) {
            ev |= POLLOUT;
            if (c->pending_err != ERR_OK) {
                ev |= POLLERR | POLLHUP;
            }
        }
    } else if (s->connected) {
        if (!sys_mbox_valid(&c->recvmbox)) {
            ev |= POLLIN;
        }
        if (s->writable || s->wr_shut) {
            ev |= POLLOUT;
        }
        if (c->pending_err != ERR_OK) {
            ev |= POLLIN | POLLOUT | POLLERR;
        }
        // lwIP detaches the PCB when the connection is gone (reset, aborted, both ways closed): Linux's
        // TCP_CLOSE state, which polls POLLHUP
        if ((s->eof && s->wr_shut) || c->pcb.tcp == NULL) {
            ev |= POLLHUP;
        }
    } else {
        ev |= POLLOUT | POLLHUP; // an unconnected stream socket, as Linux
    }
    return ev;
}

typedef struct {
    struct tcpip_api_call_data call;
    struct netconn *conn;
} abort_call_t;

// SO_LINGER {1, 0}: the connection is reset (RST) rather than closed. The PCB is detached from the netconn
// first (no callbacks into it), so netconn_delete then only frees the netconn.
static err_t abort_in_tcpip(struct tcpip_api_call_data *call) {
    struct netconn *c = ((abort_call_t *)call)->conn;
    struct tcp_pcb *p = c->pcb.tcp;
    if (p != NULL && p->state != LISTEN) {
        tcp_arg(p, NULL);
        tcp_recv(p, NULL);
        tcp_sent(p, NULL);
        tcp_err(p, NULL);
        tcp_poll(p, NULL, 0);
        c->pcb.tcp = NULL;
        tcp_abort(p);
    }
    return ERR_OK;
}

static void sock_free(net_sock_t *s) {
    if (s->conn != NULL && s->type == SOCK_STREAM && s->linger == 0 && !s->listening) {
        abort_call_t a = { .conn = s->conn };
        tcpip_api_call(abort_in_tcpip, &a.call);
    }
    if (s->conn != NULL) {
        posix_lock();
        s->conn->callback_arg.ptr = NULL;
        posix_unlock();
        if (s->rx != NULL) {
            pbuf_free(s->rx);
        }
        if (s->rx_nb != NULL) {
            netbuf_delete(s->rx_nb);
        }
        netconn_delete(s->conn);
    }
    free(s);
}

static void sock_release(posix_file_t *f) {
    sock_free((net_sock_t *)f);
}

static ssize_t sock_read(posix_file_t *f, void *buf, size_t len);
static ssize_t sock_write(posix_file_t *f, const void *buf, size_t len);

static int sock_ioctl(posix_file_t *f, unsigned long request, void *arg) {
    net_sock_t *s = (net_sock_t *)f;
    if (request == FIONREAD) {
        int n = 0;
        if (s->rx != NULL) {
            n = s->rx->tot_len - s->rx_off;
        } else if (s->rx_nb != NULL) {
            n = netbuf_len(s->rx_nb);
        }
        *(int *)arg = n;
        return 0;
    }
    return -ENOTTY;
}

static const posix_file_ops_t net_sock_ops = {
    .read = sock_read,
    .write = sock_write,
    .ioctl = sock_ioctl,
    .poll = sock_poll,
    .release = sock_release,
    .mode = S_IFSOCK,
};

// The socket fd names, with a reference (put_sock drops it); NULL with *err set otherwise.
static net_sock_t *get_sock(int fd, int *err) {
    posix_file_t *f = posix_file_get(fd);
    if (f == NULL) {
        *err = -EBADF;
        return NULL;
    }
    if (f->ops != &net_sock_ops) {
        posix_file_put(f);
        *err = -ENOTSOCK;
        return NULL;
    }
    return (net_sock_t *)f;
}

static void put_sock(net_sock_t *s) {
    posix_file_put(&s->file);
}

bool net_sock_is_socket(int fd) {
    int err;
    net_sock_t *s = get_sock(fd, &err);
    if (s == NULL) {
        return false;
    }
    put_sock(s);
    return true;
}

static net_sock_t *sock_new(struct netconn *conn, int family, int type, int flags) {
    net_sock_t *s = calloc(1, sizeof(net_sock_t));
    if (s == NULL) {
        return NULL;
    }
    s->conn = conn;
    s->family = (uint8_t)family;
    s->type = (uint8_t)type;
    s->rcvtimeo_ms = -1;
    s->linger = -1;
    netconn_set_nonblocking(conn, 1);
    posix_file_init(&s->file, &net_sock_ops, O_RDWR | (flags & O_NONBLOCK));
    posix_lock();
    conn->callback_arg.ptr = s;
    posix_unlock();
    return s;
}

static int sock_install(net_sock_t *s) {
    int fd = posix_fd_install(&s->file, 0);
    if (fd < 0) {
        sock_free(s);
    }
    return fd;
}

int net_sock_socket(int domain, int type, int protocol) {
    int flags = (type & SOCK_NONBLOCK) ? O_NONBLOCK : 0;
    type &= ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (domain != AF_INET && domain != AF_INET6) {
        return -EAFNOSUPPORT;
    }
    enum netconn_type nt;
    if (type == SOCK_STREAM && (protocol == 0 || protocol == IPPROTO_TCP)) {
        nt = domain == AF_INET ? NETCONN_TCP : NETCONN_TCP_IPV6;
    } else if (type == SOCK_DGRAM && (protocol == 0 || protocol == IPPROTO_UDP)) {
        nt = domain == AF_INET ? NETCONN_UDP : NETCONN_UDP_IPV6;
    } else if (type == SOCK_STREAM || type == SOCK_DGRAM) {
        return -EPROTONOSUPPORT;
    } else {
        return -EPROTONOSUPPORT;
    }
    struct netconn *conn = netconn_new_with_callback(nt, sock_event);
    if (conn == NULL) {
        return -ENOMEM;
    }
    net_sock_t *s = sock_new(conn, domain, type, flags);
    if (s == NULL) {
        netconn_delete(conn);
        return -ENOMEM;
    }
    return sock_install(s);
}

// ---- addresses ----

static int addr_from(net_sock_t *s, const struct sockaddr *sa, socklen_t len, ip_addr_t *ip, u16_t *port) {
    if (sa == NULL) {
        return -EINVAL;
    }
    if (sa->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        ip_addr_set_zero_ip4(ip);
        ip_2_ip4(ip)->addr = in->sin_addr.s_addr;
        *port = ntohs(in->sin_port);
        if (s->family == AF_INET6 && ip_addr_isany(ip)) {
            *ip = *IP_ANY_TYPE;
        }
        return 0;
    }
    if (sa->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6) && s->family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        ip_addr_set_zero_ip6(ip);
        memcpy(ip_2_ip6(ip)->addr, in6->sin6_addr.s6_addr, 16);
        ip6_addr_clear_zone(ip_2_ip6(ip));
        *port = ntohs(in6->sin6_port);
        if (ip6_addr_isipv4mappedipv6(ip_2_ip6(ip))) {
            unmap_ipv4_mapped_ipv6(ip_2_ip4(ip), ip_2_ip6(ip));
            IP_SET_TYPE_VAL(*ip, IPADDR_TYPE_V4);
        } else if (ip6_addr_isany(ip_2_ip6(ip))) {
            *ip = netconn_get_ipv6only(s->conn) ? *IP6_ADDR_ANY : *IP_ANY_TYPE;
        }
        return 0;
    }
    return sa->sa_family == AF_INET || sa->sa_family == AF_INET6 ? -EINVAL : -EAFNOSUPPORT;
}

static void addr_to(net_sock_t *s, const ip_addr_t *ip, u16_t port, struct sockaddr *sa, socklen_t *len) {
    if (sa == NULL || len == NULL) {
        return;
    }
    struct sockaddr_storage st;
    memset(&st, 0, sizeof(st));
    socklen_t n;
    if (s->family == AF_INET) {
        struct sockaddr_in *in = (struct sockaddr_in *)&st;
        in->sin_family = AF_INET;
        in->sin_port = htons(port);
        in->sin_addr.s_addr = IP_IS_V4(ip) ? ip_2_ip4(ip)->addr : 0;
        n = sizeof(struct sockaddr_in);
    } else {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&st;
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(port);
        if (IP_IS_V6(ip) && !IP_IS_ANY_TYPE_VAL(*ip)) {
            memcpy(in6->sin6_addr.s6_addr, ip_2_ip6(ip)->addr, 16);
        } else if (!ip_addr_isany(ip)) {
            in6->sin6_addr.s6_addr[10] = 0xff;
            in6->sin6_addr.s6_addr[11] = 0xff;
            memcpy(&in6->sin6_addr.s6_addr[12], &ip_2_ip4(ip)->addr, 4);
        }
        n = sizeof(struct sockaddr_in6);
    }
    memcpy(sa, &st, *len < n ? *len : n);
    *len = n;
}

// ---- calls (never blocking) ----

#define WITH_SOCK(fd) \
    int err_ = 0; \
    net_sock_t *s = get_sock(fd, &err_); \
    if (s == NULL) { \
        return err_; \
    }

int net_sock_bind(int fd, const struct sockaddr *addr, socklen_t len) {
    WITH_SOCK(fd);
    ip_addr_t ip;
    u16_t port;
    int r = addr_from(s, addr, len, &ip, &port);
    if (r == 0) {
        r = -errno_of(netconn_bind(s->conn, &ip, port));
    }
    put_sock(s);
    return r;
}

int net_sock_listen(int fd, int backlog) {
    WITH_SOCK(fd);
    int r;
    if (s->type != SOCK_STREAM) {
        r = -EOPNOTSUPP;
    } else if (s->listening) {
        r = 0;
    } else {
        if (backlog < 1) {
            backlog = 1;
        }
        r = -errno_of(netconn_listen_with_backlog(s->conn, backlog > 255 ? 255 : (u8_t)backlog));
        if (r == 0) {
            s->listening = true;
        }
    }
    put_sock(s);
    return r;
}

int net_sock_accept(int fd, struct sockaddr *addr, socklen_t *len, int flags) {
    WITH_SOCK(fd);
    int r;
    struct netconn *nc = NULL;
    if (!s->listening) {
        r = -EINVAL;
    } else {
        err_t e = netconn_accept(s->conn, &nc);
        r = -errno_of(e);
        if (e == ERR_OK) {
            net_sock_t *ns = sock_new(nc, s->family, SOCK_STREAM, flags);
            if (ns == NULL) {
                netconn_delete(nc);
                r = -ENOMEM;
            } else {
                ns->connected = true;
                ns->writable = true;
                ip_addr_t ip;
                u16_t port = 0;
                ip_addr_set_zero(&ip);
                netconn_peer(nc, &ip, &port);
                addr_to(ns, &ip, port, addr, len);
                r = sock_install(ns);
            }
        }
    }
    put_sock(s);
    return r;
}

// A connect under way that lwIP has finished becomes connected (0) or failed (a negative errno).
static int connect_settle(net_sock_t *s) {
    if (!s->connecting) {
        return s->connected ? 0 : -ENOTCONN;
    }
    if (s->conn->state == NETCONN_CONNECT) {
        return -EALREADY;
    }
    s->connecting = false;
    err_t e = netconn_err(s->conn);
    if (e == ERR_OK && s->conn->pcb.tcp != NULL) {
        s->connected = true;
        s->writable = true;
        return 0;
    }
    return (e == ERR_RST || e == ERR_OK || e == ERR_ABRT) ? -ECONNREFUSED : -errno_of(e);
}

int net_sock_connect(int fd, const struct sockaddr *addr, socklen_t len) {
    WITH_SOCK(fd);
    ip_addr_t ip;
    u16_t port;
    int r = addr_from(s, addr, len, &ip, &port);
    if (r == 0) {
        if (s->type == SOCK_STREAM && s->connecting) {
            r = connect_settle(s);
            r = r == 0 ? -EISCONN : r;
        } else if (s->type == SOCK_STREAM && (s->connected || s->listening)) {
            r = -EISCONN;
        } else {
            err_t e = netconn_connect(s->conn, &ip, port);
            if (s->type == SOCK_DGRAM) {
                r = -errno_of(e);
                s->connected = r == 0;
            } else if (e == ERR_INPROGRESS) {
                s->connecting = true;
                r = -EINPROGRESS;
            } else if (e == ERR_OK) {
                s->connected = true;
                s->writable = true;
                r = 0;
            } else {
                r = e == ERR_RST ? -ECONNREFUSED : -errno_of(e);
            }
        }
    }
    put_sock(s);
    return r;
}

int net_sock_connect_result(int fd) {
    WITH_SOCK(fd);
    int r = connect_settle(s);
    put_sock(s);
    return r;
}

static ssize_t sock_tcp_send(net_sock_t *s, const void *buf, size_t len) {
    if (s->wr_shut) {
        return -EPIPE;
    }
    if (s->connecting) {
        int r = connect_settle(s);
        if (r < 0) {
            return r == -EALREADY ? -EAGAIN : r;
        }
    }
    if (!s->connected) {
        return -ENOTCONN;
    }
    if (len == 0) {
        return 0;
    }
    posix_lock();
    s->writable = false;
    posix_unlock();
    size_t written = 0;
    err_t e = netconn_write_partly(s->conn, buf, len, NETCONN_COPY | NETCONN_DONTBLOCK, &written);
    if (e == ERR_OK || written > 0) {
        if (written == len) {
            posix_lock();
            s->writable = true;
            posix_unlock();
        }
        return (ssize_t)written;
    }
    if (e == ERR_WOULDBLOCK || e == ERR_MEM) {
        return -EAGAIN;
    }
    return e == ERR_RST || e == ERR_ABRT || e == ERR_CLSD || e == ERR_CONN ? -EPIPE : -errno_of(e);
}

static ssize_t sock_udp_send(net_sock_t *s, const void *buf, size_t len, const struct sockaddr *addr, socklen_t alen) {
    if (len > 0xffff - 8) {
        return -EMSGSIZE;
    }
    struct netbuf *nb = netbuf_new();
    if (nb == NULL) {
        return -ENOMEM;
    }
    err_t e = netbuf_ref(nb, buf, (u16_t)len);
    int r = 0;
    if (e != ERR_OK) {
        r = -ENOMEM;
    } else if (addr != NULL) {
        ip_addr_t ip;
        u16_t port;
        r = addr_from(s, addr, alen, &ip, &port);
        if (r == 0) {
            e = netconn_sendto(s->conn, nb, &ip, port);
        }
    } else if (!s->connected) {
        r = -EDESTADDRREQ;
    } else {
        e = netconn_send(s->conn, nb);
    }
    netbuf_delete(nb);
    if (r == 0 && e != ERR_OK) {
        r = e == ERR_MEM || e == ERR_BUF ? -EAGAIN : -errno_of(e);
    }
    return r < 0 ? r : (ssize_t)len;
}

ssize_t net_sock_sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *addr, socklen_t alen) {
    (void)flags;
    WITH_SOCK(fd);
    ssize_t r = s->type == SOCK_STREAM ? sock_tcp_send(s, buf, len) : sock_udp_send(s, buf, len, addr, alen);
    put_sock(s);
    return r;
}

static ssize_t sock_tcp_recv(net_sock_t *s, void *buf, size_t len, int flags, struct sockaddr *addr, socklen_t *alen) {
    if (s->connecting) {
        int r = connect_settle(s);
        if (r < 0) {
            return r == -EALREADY ? -EAGAIN : r;
        }
    }
    if (s->listening || !s->connected) {
        return -ENOTCONN;
    }
    if (s->rx == NULL) {
        if (s->eof || s->rd_shut) {
            return 0;
        }
        struct pbuf *p = NULL;
        err_t e = netconn_recv_tcp_pbuf_flags(s->conn, &p, NETCONN_DONTBLOCK);
        if (e == ERR_WOULDBLOCK) {
            return -EAGAIN;
        }
        if (e == ERR_CLSD || e == ERR_CONN) {
            s->eof = true;
            return 0;
        }
        if (e != ERR_OK) {
            // a reset or abort is reported once (as Linux: the pending error is cleared, so POLLERR
            // drops), then reads see the end of the stream
            s->eof = true;
            netconn_err(s->conn);
            return -errno_of(e);
        }
        s->rx = p;
        s->rx_off = 0;
    }
    size_t n = pbuf_copy_partial(s->rx, buf, (u16_t)(len > 0xffff ? 0xffff : len), s->rx_off);
    if (!(flags & MSG_PEEK)) {
        s->rx_off += n;
        if (s->rx_off >= s->rx->tot_len) {
            pbuf_free(s->rx);
            s->rx = NULL;
        }
    }
    if (addr != NULL) {
        ip_addr_t ip;
        u16_t port = 0;
        ip_addr_set_zero(&ip);
        netconn_peer(s->conn, &ip, &port);
        addr_to(s, &ip, port, addr, alen);
    }
    return (ssize_t)n;
}

static ssize_t sock_udp_recv(net_sock_t *s, void *buf, size_t len, int flags, struct sockaddr *addr, socklen_t *alen) {
    struct netbuf *nb = s->rx_nb;
    s->rx_nb = NULL;
    if (nb == NULL) {
        err_t e = netconn_recv_udp_raw_netbuf_flags(s->conn, &nb, NETCONN_DONTBLOCK);
        if (e == ERR_WOULDBLOCK) {
            return -EAGAIN;
        }
        if (e != ERR_OK) {
            return -errno_of(e);
        }
    }
    size_t n = netbuf_copy(nb, buf, (u16_t)(len > 0xffff ? 0xffff : len));
    addr_to(s, netbuf_fromaddr(nb), netbuf_fromport(nb), addr, alen);
    if (flags & MSG_PEEK) {
        s->rx_nb = nb;
    } else {
        netbuf_delete(nb);
    }
    return (ssize_t)n;
}

ssize_t net_sock_recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *addr, socklen_t *alen) {
    WITH_SOCK(fd);
    ssize_t r = s->type == SOCK_STREAM ? sock_tcp_recv(s, buf, len, flags, addr, alen) : sock_udp_recv(s, buf, len, flags, addr, alen);
    put_sock(s);
    return r;
}

static ssize_t sock_read(posix_file_t *f, void *buf, size_t len) {
    net_sock_t *s = (net_sock_t *)f;
    return s->type == SOCK_STREAM ? sock_tcp_recv(s, buf, len, 0, NULL, NULL) : sock_udp_recv(s, buf, len, 0, NULL, NULL);
}

static ssize_t sock_write(posix_file_t *f, const void *buf, size_t len) {
    net_sock_t *s = (net_sock_t *)f;
    return s->type == SOCK_STREAM ? sock_tcp_send(s, buf, len) : sock_udp_send(s, buf, len, NULL, 0);
}

int net_sock_shutdown(int fd, int how) {
    WITH_SOCK(fd);
    int r = 0;
    if (how < SHUT_RD || how > SHUT_RDWR) {
        r = -EINVAL;
    } else if (s->type != SOCK_STREAM || !s->connected) {
        r = -ENOTCONN;
    } else {
        bool rd = how != SHUT_WR, wr = how != SHUT_RD;
        r = -errno_of(netconn_shutdown(s->conn, rd, wr));
        if (r == -ENOTCONN) {
            r = 0; // already closed by the peer
        }
        posix_lock();
        s->rd_shut |= rd;
        s->wr_shut |= wr;
        posix_file_notify_locked(&s->file);
        posix_unlock();
    }
    put_sock(s);
    return r;
}

int net_sock_getname(int fd, struct sockaddr *addr, socklen_t *len, bool local) {
    WITH_SOCK(fd);
    ip_addr_t ip;
    u16_t port = 0;
    ip_addr_set_zero(&ip);
    int r = 0;
    if (!local && !s->connected) {
        r = -ENOTCONN;
    } else {
        err_t e = netconn_getaddr(s->conn, &ip, &port, local);
        if (e != ERR_OK && !local) {
            r = -ENOTCONN;
        } else {
            addr_to(s, &ip, port, addr, len);
        }
    }
    put_sock(s);
    return r;
}

// ---- options (those touching the PCB run in the tcpip task) ----

typedef struct {
    struct tcpip_api_call_data call;
    struct netconn *conn;
    int level, name;
    int value;
    bool set;
} opt_call_t;

static err_t opt_in_tcpip(struct tcpip_api_call_data *call) {
    opt_call_t *o = (opt_call_t *)call;
    struct ip_pcb *pcb = o->conn->pcb.ip;
    if (pcb == NULL) {
        return ERR_CONN;
    }
    bool tcp = NETCONNTYPE_GROUP(o->conn->type) == NETCONN_TCP;
    if (o->level == SOL_SOCKET) {
        u8_t bit = o->name == SO_REUSEADDR ? SOF_REUSEADDR : o->name == SO_KEEPALIVE ? SOF_KEEPALIVE : SOF_BROADCAST;
        if (o->set) {
            if (o->value) {
                ip_set_option(pcb, bit);
            } else {
                ip_reset_option(pcb, bit);
            }
        } else {
            o->value = ip_get_option(pcb, bit) != 0;
        }
        return ERR_OK;
    }
    if (o->level == IPPROTO_TCP && tcp && o->name == TCP_NODELAY) {
        if (o->set) {
            if (o->value) {
                tcp_nagle_disable(o->conn->pcb.tcp);
            } else {
                tcp_nagle_enable(o->conn->pcb.tcp);
            }
        } else {
            o->value = tcp_nagle_disabled(o->conn->pcb.tcp) != 0;
        }
        return ERR_OK;
    }
    if (o->level == IPPROTO_IP && o->name == IP_TTL) {
        if (o->set) {
            pcb->ttl = (u8_t)o->value;
        } else {
            o->value = pcb->ttl;
        }
        return ERR_OK;
    }
    return ERR_ARG;
}

static int pcb_option(net_sock_t *s, int level, int name, int *value, bool set) {
    opt_call_t o = { .conn = s->conn, .level = level, .name = name, .value = *value, .set = set };
    err_t e = tcpip_api_call(opt_in_tcpip, &o.call);
    if (e == ERR_ARG) {
        return -ENOPROTOOPT;
    }
    if (e != ERR_OK) {
        return -EINVAL;
    }
    *value = o.value;
    return 0;
}

static bool pcb_option_known(int level, int name) {
    return (level == SOL_SOCKET && (name == SO_REUSEADDR || name == SO_KEEPALIVE || name == SO_BROADCAST))
           || (level == IPPROTO_TCP && name == TCP_NODELAY) || (level == IPPROTO_IP && name == IP_TTL);
}

int net_sock_setsockopt(int fd, int level, int name, const void *val, socklen_t len) {
    WITH_SOCK(fd);
    int r = 0;
    if (val == NULL) {
        r = -EFAULT;
    } else if (level == SOL_SOCKET && (name == SO_RCVTIMEO || name == SO_SNDTIMEO)) {
        if (len < sizeof(struct timeval)) {
            r = -EINVAL;
        } else if (name == SO_RCVTIMEO) {
            const struct timeval *tv = val;
            s->rcvtimeo_ms = (tv->tv_sec == 0 && tv->tv_usec == 0) ? -1 : (int)(tv->tv_sec * 1000 + tv->tv_usec / 1000);
        }
    } else if (level == SOL_SOCKET && name == SO_LINGER) {
        // {1, 0}: close() resets the connection; a positive time is kept but close() does not wait
        if (len < sizeof(struct linger)) {
            r = -EINVAL;
        } else {
            const struct linger *l = val;
            s->linger = l->l_onoff ? (l->l_linger > 0 ? l->l_linger : 0) : -1;
        }
    } else if (len < sizeof(int)) {
        r = -EINVAL;
    } else if (level == IPPROTO_IPV6 && name == IPV6_V6ONLY) {
        int v = *(const int *)val;
        if (v) {
            netconn_set_flags(s->conn, NETCONN_FLAG_IPV6_V6ONLY);
        } else {
            netconn_clear_flags(s->conn, NETCONN_FLAG_IPV6_V6ONLY);
        }
    } else if (pcb_option_known(level, name)) {
        int v = *(const int *)val != 0 || name == IP_TTL ? *(const int *)val : 0;
        r = pcb_option(s, level, name, &v, true);
    } else if (level == SOL_SOCKET && (name == SO_RCVBUF || name == SO_SNDBUF || name == SO_REUSEPORT)) {
        r = 0; // accepted, no effect: the buffers are lwIP's windows
    } else {
        r = -ENOPROTOOPT;
    }
    put_sock(s);
    return r;
}

int net_sock_getsockopt(int fd, int level, int name, void *val, socklen_t *len) {
    WITH_SOCK(fd);
    int r = 0;
    int v = 0;
    if (val == NULL || len == NULL) {
        r = -EFAULT;
    } else if (level == SOL_SOCKET && name == SO_RCVTIMEO) {
        struct timeval tv = { 0, 0 };
        if (s->rcvtimeo_ms > 0) {
            tv.tv_sec = s->rcvtimeo_ms / 1000;
            tv.tv_usec = (s->rcvtimeo_ms % 1000) * 1000;
        }
        memcpy(val, &tv, *len < sizeof(tv) ? *len : sizeof(tv));
        *len = sizeof(tv);
        put_sock(s);
        return 0;
    } else if (level == SOL_SOCKET && name == SO_LINGER) {
        struct linger l = { s->linger >= 0, s->linger >= 0 ? s->linger : 0 };
        memcpy(val, &l, *len < sizeof(l) ? *len : sizeof(l));
        *len = sizeof(l);
        put_sock(s);
        return 0;
    } else if (level == SOL_SOCKET && name == SO_ERROR) {
        err_t e = netconn_err(s->conn);
        v = (s->connecting && e == ERR_RST) ? ECONNREFUSED : errno_of(e);
    } else if (level == SOL_SOCKET && name == SO_TYPE) {
        v = s->type;
    } else if (level == SOL_SOCKET && name == SO_DOMAIN) {
        v = s->family;
    } else if (level == SOL_SOCKET && name == SO_PROTOCOL) {
        v = s->type == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP;
    } else if (level == SOL_SOCKET && name == SO_ACCEPTCONN) {
        v = s->listening;
    } else if (level == SOL_SOCKET && (name == SO_RCVBUF || name == SO_SNDBUF)) {
        v = s->type == SOCK_STREAM ? (name == SO_RCVBUF ? TCP_WND : TCP_SND_BUF) : 0xffff;
    } else if (level == IPPROTO_IPV6 && name == IPV6_V6ONLY) {
        v = netconn_get_ipv6only(s->conn);
    } else if (pcb_option_known(level, name)) {
        r = pcb_option(s, level, name, &v, false);
    } else {
        r = -ENOPROTOOPT;
    }
    if (r == 0) {
        memcpy(val, &v, *len < sizeof(int) ? *len : sizeof(int));
        *len = sizeof(int);
    }
    put_sock(s);
    return r;
}

int net_sock_rcvtimeo(int fd) {
    WITH_SOCK(fd);
    int r = s->rcvtimeo_ms;
    put_sock(s);
    return r;
}

int net_sock_wait(int fd, short events, int timeout_ms) {
    struct pollfd p = { .fd = fd, .events = events, .revents = 0 };
    int r = posix_poll(&p, 1, timeout_ms);
    if (r < 0) {
        return -errno;
    }
    if (r == 0) {
        return -ETIMEDOUT;
    }
    if (p.revents & POLLNVAL) {
        return -EBADF;
    }
    return 0;
}
