// MicroPythonRT rp2 port: the BSD socket functions (socket, recv, ...) for C code and native modules:
// ports/rp2/net/net_socket.c's calls, blocking as the fd's O_NONBLOCK and SO_RCVTIMEO say; getaddrinfo
// (numeric addresses, "localhost", DNS through lwIP's resolver), inet_pton and inet_ntop.
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "posix.h"
#include "net_socket.h"

#include "lwip/api.h"
#include "lwip/ip_addr.h"

static int ret(int r) {
    if (r < 0) {
        errno = -r;
        return -1;
    }
    return r;
}

static bool nonblocking(int fd) {
    int fl = posix_fcntl(fd, F_GETFL, 0);
    return fl != -1 && (fl & O_NONBLOCK);
}

// Waits for `events` as fd's mode says: -EAGAIN when non-blocking (or SO_RCVTIMEO passed), else 0.
static int block(int fd, short events, bool rcvtimeo, int flags) {
    if ((flags & MSG_DONTWAIT) || nonblocking(fd)) {
        return -EAGAIN;
    }
    int t = rcvtimeo ? net_sock_rcvtimeo(fd) : -1;
    int r = net_sock_wait(fd, events, t < 0 ? -1 : t);
    return r == -ETIMEDOUT ? -EAGAIN : r;
}

int socket(int domain, int type, int protocol) {
    return ret(net_sock_socket(domain, type, protocol));
}

int bind(int fd, const struct sockaddr *addr, socklen_t len) {
    return ret(net_sock_bind(fd, addr, len));
}

int listen(int fd, int backlog) {
    return ret(net_sock_listen(fd, backlog));
}

int accept(int fd, struct sockaddr *addr, socklen_t *len) {
    for (;;) {
        int r = net_sock_accept(fd, addr, len, 0);
        if (r != -EAGAIN) {
            return ret(r);
        }
        if ((r = block(fd, POLLIN, true, 0)) < 0) {
            return ret(r);
        }
    }
}

int connect(int fd, const struct sockaddr *addr, socklen_t len) {
    int r = net_sock_connect(fd, addr, len);
    if (r != -EINPROGRESS || nonblocking(fd)) {
        return ret(r);
    }
    r = net_sock_wait(fd, POLLOUT, -1);
    return ret(r < 0 ? r : net_sock_connect_result(fd));
}

ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *addr, socklen_t alen) {
    for (;;) {
        ssize_t r = net_sock_sendto(fd, buf, len, flags, addr, alen);
        if (r != -EAGAIN) {
            return ret(r);
        }
        if ((r = block(fd, POLLOUT, false, flags)) < 0) {
            return ret(r);
        }
    }
}

ssize_t send(int fd, const void *buf, size_t len, int flags) {
    return sendto(fd, buf, len, flags, NULL, 0);
}

ssize_t recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *addr, socklen_t *alen) {
    for (;;) {
        ssize_t r = net_sock_recvfrom(fd, buf, len, flags, addr, alen);
        if (r != -EAGAIN) {
            return ret(r);
        }
        if ((r = block(fd, POLLIN, true, flags)) < 0) {
            return ret(r);
        }
    }
}

ssize_t recv(int fd, void *buf, size_t len, int flags) {
    return recvfrom(fd, buf, len, flags, NULL, NULL);
}

int shutdown(int fd, int how) {
    return ret(net_sock_shutdown(fd, how));
}

int setsockopt(int fd, int level, int name, const void *val, socklen_t len) {
    return ret(net_sock_setsockopt(fd, level, name, val, len));
}

int getsockopt(int fd, int level, int name, void *val, socklen_t *len) {
    return ret(net_sock_getsockopt(fd, level, name, val, len));
}

int getsockname(int fd, struct sockaddr *addr, socklen_t *len) {
    return ret(net_sock_getname(fd, addr, len, true));
}

int getpeername(int fd, struct sockaddr *addr, socklen_t *len) {
    return ret(net_sock_getname(fd, addr, len, false));
}

// ---- addresses ----

// Strict dotted quad (four decimal parts, each 0-255), as inet_pton says.
static int parse_ipv4(const char *s, uint8_t out[4]) {
    for (int i = 0; i < 4; i++) {
        if (*s < '0' || *s > '9') {
            return 0;
        }
        unsigned v = 0;
        int digits = 0;
        while (*s >= '0' && *s <= '9') {
            v = v * 10 + (unsigned)(*s++ - '0');
            if (++digits > 3 || v > 255) {
                return 0;
            }
        }
        out[i] = (uint8_t)v;
        if (i < 3 && *s++ != '.') {
            return 0;
        }
    }
    return *s == '\0';
}

int inet_pton(int af, const char *src, void *dst) {
    if (af == AF_INET) {
        return parse_ipv4(src, dst);
    }
    if (af == AF_INET6) {
        ip6_addr_t a;
        if (strchr(src, '%') != NULL || !ip6addr_aton(src, &a)) {
            return 0;
        }
        memcpy(dst, a.addr, 16);
        return 1;
    }
    errno = EAFNOSUPPORT;
    return -1;
}

const char *inet_ntop(int af, const void *src, char *dst, socklen_t size) {
    char buf[INET6_ADDRSTRLEN];
    if (af == AF_INET) {
        ip4_addr_t a;
        memcpy(&a.addr, src, 4);
        ip4addr_ntoa_r(&a, buf, sizeof(buf));
    } else if (af == AF_INET6) {
        ip6_addr_t a;
        memcpy(a.addr, src, 16);
        ip6_addr_clear_zone(&a);
        ip6addr_ntoa_r(&a, buf, sizeof(buf));
        for (char *c = buf; *c; c++) { // RFC 5952: lower case
            if (*c >= 'A' && *c <= 'F') {
                *c = (char)(*c - 'A' + 'a');
            }
        }
    } else {
        errno = EAFNOSUPPORT;
        return NULL;
    }
    if (strlen(buf) + 1 > size) {
        errno = ENOSPC;
        return NULL;
    }
    strcpy(dst, buf);
    return dst;
}

// ---- getaddrinfo ----

typedef struct {
    struct addrinfo ai;
    struct sockaddr_storage addr;
} ai_block_t;

// Appends one result per socket type asked for (both when none was) for the address.
static int ai_add(struct addrinfo ***tail, int family, const uint8_t *bytes, uint16_t port, const struct addrinfo *hints) {
    static const int types[2][2] = { { SOCK_STREAM, IPPROTO_TCP }, { SOCK_DGRAM, IPPROTO_UDP } };
    for (int i = 0; i < 2; i++) {
        if (hints != NULL && hints->ai_socktype != 0 && hints->ai_socktype != types[i][0]) {
            continue;
        }
        ai_block_t *b = calloc(1, sizeof(ai_block_t));
        if (b == NULL) {
            return EAI_MEMORY;
        }
        b->ai.ai_family = family;
        b->ai.ai_socktype = types[i][0];
        b->ai.ai_protocol = types[i][1];
        b->ai.ai_addr = (struct sockaddr *)&b->addr;
        if (family == AF_INET) {
            struct sockaddr_in *in = (struct sockaddr_in *)&b->addr;
            in->sin_family = AF_INET;
            in->sin_port = htons(port);
            memcpy(&in->sin_addr.s_addr, bytes, 4);
            b->ai.ai_addrlen = sizeof(struct sockaddr_in);
        } else {
            struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&b->addr;
            in6->sin6_family = AF_INET6;
            in6->sin6_port = htons(port);
            memcpy(in6->sin6_addr.s6_addr, bytes, 16);
            b->ai.ai_addrlen = sizeof(struct sockaddr_in6);
        }
        **tail = &b->ai;
        *tail = &b->ai.ai_next;
    }
    return 0;
}

void freeaddrinfo(struct addrinfo *res) {
    while (res != NULL) {
        struct addrinfo *next = res->ai_next;
        free(res);
        res = next;
    }
}

int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints, struct addrinfo **res) {
    int family = hints != NULL ? hints->ai_family : AF_UNSPEC;
    int flags = hints != NULL ? hints->ai_flags : 0;
    if (family != AF_UNSPEC && family != AF_INET && family != AF_INET6) {
        return EAI_FAMILY;
    }
    if (node == NULL && service == NULL) {
        return EAI_NONAME;
    }
    uint16_t port = 0;
    if (service != NULL && *service != '\0') {
        char *end;
        unsigned long p = strtoul(service, &end, 10);
        if (*end != '\0' || p > 65535) {
            return EAI_SERVICE;
        }
        port = (uint16_t)p;
    }
    *res = NULL;
    struct addrinfo **tail = res;
    uint8_t a[16];
    int r = 0;
    static const uint8_t loop6[16] = { [15] = 1 }, any6[16] = { 0 };
    if (node == NULL) {
        bool passive = flags & AI_PASSIVE;
        uint8_t v4[4] = { 127, 0, 0, 1 };
        if (passive) {
            memset(v4, 0, 4);
        }
        if (family != AF_INET) {
            r = ai_add(&tail, AF_INET6, passive ? any6 : loop6, port, hints);
        }
        if (r == 0 && family != AF_INET6) {
            r = ai_add(&tail, AF_INET, v4, port, hints);
        }
    } else if (family != AF_INET6 && parse_ipv4(node, a)) {
        r = ai_add(&tail, AF_INET, a, port, hints);
    } else if (family != AF_INET && inet_pton(AF_INET6, node, a) == 1) {
        r = ai_add(&tail, AF_INET6, a, port, hints);
    } else if (strcmp(node, "localhost") == 0) {
        uint8_t v4[4] = { 127, 0, 0, 1 };
        if (family != AF_INET6) {
            r = ai_add(&tail, AF_INET, v4, port, hints);
        }
        if (r == 0 && family != AF_INET) {
            r = ai_add(&tail, AF_INET6, loop6, port, hints);
        }
    } else if (flags & AI_NUMERICHOST) {
        r = EAI_NONAME;
    } else {
        ip_addr_t ip;
        u8_t type = family == AF_INET ? NETCONN_DNS_IPV4 : family == AF_INET6 ? NETCONN_DNS_IPV6 : NETCONN_DNS_IPV4_IPV6;
        err_t e = netconn_gethostbyname_addrtype(node, &ip, type);
        if (e != ERR_OK) {
            r = EAI_NONAME;
        } else if (IP_IS_V4(&ip)) {
            r = ai_add(&tail, AF_INET, (const uint8_t *)&ip_2_ip4(&ip)->addr, port, hints);
        } else {
            r = ai_add(&tail, AF_INET6, (const uint8_t *)ip_2_ip6(&ip)->addr, port, hints);
        }
    }
    if (r == 0 && *res == NULL) {
        r = EAI_NONAME;
    }
    if (r != 0) {
        freeaddrinfo(*res);
        *res = NULL;
    }
    return r;
}

const char *gai_strerror(int code) {
    switch (code) {
        case 0:
            return "Success";
        case EAI_NONAME:
            return "Name or service not known";
        case EAI_FAMILY:
            return "ai_family not supported";
        case EAI_SERVICE:
            return "Servname not supported for ai_socktype";
        case EAI_MEMORY:
            return "Memory allocation failure";
        case EAI_AGAIN:
            return "Temporary failure in name resolution";
        default:
            return "Unknown error";
    }
}
