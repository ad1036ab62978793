// MicroPythonRT rp2 port: the _socket module, CPython's socket type over the fd sockets of
// ports/rp2/net (frozen socket.py adds create_connection, create_server, socketpair, ...). It replaces
// extmod's modlwip. A socket's timeout works as CPython's: None blocks the calling thread (with the GIL
// released, on the fd), 0 raises OSError(EAGAIN) (BlockingIOError), t > 0 raises OSError(ETIMEDOUT)
// (TimeoutError) after t seconds; the fd is O_NONBLOCK whenever the timeout is not None.
#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <string.h>
#include <sys/time.h>

#include "py/runtime.h"
#include "py/stream.h"
#include "py/mphal.h"
#include "py/objstr.h"
#include "posix.h"
#include "posix/mp_posix.h"
#include "net_socket.h"

typedef struct _mp_socket_obj_t {
    mp_obj_base_t base;
    int fd;
    int family;
    int type;
    int proto;
    int timeout_ms; // -1: None
} mp_socket_obj_t;

static int default_timeout_ms = -1;

static const mp_obj_type_t mp_socket_type;

// The C library's errno (Picolibc's numbers) as MicroPython's (MICROPY_USE_INTERNAL_ERRNO: Linux's
// numbers, which the errno module has); those MicroPython has no name for get Linux's number.
static int mp_errno(int e) {
    switch (e) {
        case EAGAIN:
            return MP_EAGAIN;
        case ETIMEDOUT:
            return MP_ETIMEDOUT;
        case EINPROGRESS:
            return MP_EINPROGRESS;
        case EALREADY:
            return MP_EALREADY;
        case ECONNRESET:
            return MP_ECONNRESET;
        case ECONNREFUSED:
            return MP_ECONNREFUSED;
        case ECONNABORTED:
            return MP_ECONNABORTED;
        case EADDRINUSE:
            return MP_EADDRINUSE;
        case EISCONN:
            return MP_EISCONN;
        case ENOTCONN:
            return MP_ENOTCONN;
        case EHOSTUNREACH:
            return MP_EHOSTUNREACH;
        case ENOBUFS:
            return MP_ENOBUFS;
        case EAFNOSUPPORT:
            return MP_EAFNOSUPPORT;
        case EOPNOTSUPP:
            return MP_EOPNOTSUPP;
        case ENOTSOCK:
            return 88;
        case EDESTADDRREQ:
            return 89;
        case EMSGSIZE:
            return 90;
        case ENOPROTOOPT:
            return 92;
        case EPROTONOSUPPORT:
            return 93;
        case EADDRNOTAVAIL:
            return 99;
        case ENETDOWN:
            return 100;
        default:
            return e; // the first 40 are the same
    }
}

static void raise_errno(int e) {
    mp_raise_OSError(mp_errno(e));
}

static int check(int r) {
    if (r < 0) {
        raise_errno(-r);
    }
    return r;
}

static mp_socket_obj_t *get_open(mp_obj_t self_in) {
    mp_socket_obj_t *self = MP_OBJ_TO_PTR(self_in);
    if (self->fd < 0) {
        raise_errno(EBADF);
    }
    return self;
}

static void set_fd_blocking(mp_socket_obj_t *self) {
    int fl = posix_fcntl(self->fd, F_GETFL, 0);
    if (fl != -1) {
        posix_fcntl(self->fd, F_SETFL, self->timeout_ms < 0 ? (fl & ~O_NONBLOCK) : (fl | O_NONBLOCK));
    }
}

static mp_socket_obj_t *socket_new(int fd, int family, int type, int proto) {
    mp_socket_obj_t *s = mp_obj_malloc_with_finaliser(mp_socket_obj_t, &mp_socket_type);
    s->fd = fd;
    s->family = family;
    s->type = type;
    s->proto = proto;
    s->timeout_ms = default_timeout_ms;
    set_fd_blocking(s);
    return s;
}

// Waits for `events` on the socket as its timeout says, from `start` (ms): 0 (ready or interrupted and
// the handlers ran: try again), -EAGAIN (timeout 0) or -ETIMEDOUT.
static int wait_ready(mp_socket_obj_t *self, short events, mp_uint_t start) {
    int t = self->timeout_ms;
    if (t == 0) {
        return -EAGAIN;
    }
    int remaining = -1;
    if (t > 0) {
        mp_uint_t elapsed = mp_hal_ticks_ms() - start;
        if (elapsed >= (mp_uint_t)t) {
            return -ETIMEDOUT;
        }
        remaining = t - (int)elapsed;
    }
    mp_posix_python_call = true;
    int r = net_sock_wait(self->fd, events, remaining);
    mp_posix_python_call = false;
    if (r == -EINTR) {
        mp_event_handle_nowait();
        return 0;
    }
    return r;
}

// Runs `call` (an expression giving a result or a negative errno) until it does not say -EAGAIN,
// waiting for `events` between tries; result in `r`.
#define RUN(r, self, events, call) do { \
        mp_uint_t start_ = mp_hal_ticks_ms(); \
        for (;;) { \
            r = (call); \
            if (r != -EAGAIN) { \
                break; \
            } \
            int w_ = wait_ready(self, events, start_); \
            if (w_ < 0) { \
                r = w_; \
                break; \
            } \
        } \
} while (0)

// ---- addresses ----

static void resolve(const char *host, int family, struct sockaddr_storage *out) {
    struct addrinfo hints = { .ai_family = family }, *res = NULL;
    int r;
    MP_THREAD_GIL_EXIT();
    r = getaddrinfo(host, NULL, &hints, &res);
    MP_THREAD_GIL_ENTER();
    if (r != 0) {
        mp_obj_t args[2] = { MP_OBJ_NEW_SMALL_INT(r), mp_obj_new_str_from_cstr(gai_strerror(r)) };
        nlr_raise(mp_obj_new_exception_args(&mp_type_OSError, 2, args));
    }
    memcpy(out, res->ai_addr, res->ai_addrlen);
    freeaddrinfo(res);
}

static socklen_t parse_addr(int family, mp_obj_t addr_in, struct sockaddr_storage *st) {
    mp_obj_t *items;
    size_t n;
    if (!mp_obj_is_type(addr_in, &mp_type_tuple)) {
        mp_raise_TypeError(MP_ERROR_TEXT("address must be a tuple"));
    }
    mp_obj_tuple_get(addr_in, &n, &items);
    if (n < 2 || (family == AF_INET && n != 2) || n > 4) {
        mp_raise_TypeError(MP_ERROR_TEXT("bad address tuple"));
    }
    const char *host = mp_obj_str_get_str(items[0]);
    mp_int_t port = mp_obj_get_int(items[1]);
    if (port < 0 || port > 65535) {
        mp_raise_msg(&mp_type_OverflowError, MP_ERROR_TEXT("port must be 0-65535."));
    }
    memset(st, 0, sizeof(*st));
    if (family == AF_INET) {
        struct sockaddr_in *in = (struct sockaddr_in *)st;
        if (*host == '\0') {
            in->sin_addr.s_addr = 0;
        } else if (strcmp(host, "<broadcast>") == 0) {
            in->sin_addr.s_addr = INADDR_BROADCAST;
        } else if (inet_pton(AF_INET, host, &in->sin_addr) != 1) {
            resolve(host, AF_INET, st);
        }
        in->sin_family = AF_INET;
        in->sin_port = htons(port);
        return sizeof(struct sockaddr_in);
    }
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)st;
    if (*host != '\0' && inet_pton(AF_INET6, host, &in6->sin6_addr) != 1) {
        resolve(host, AF_INET6, st);
    }
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(port);
    return sizeof(struct sockaddr_in6);
}

static mp_obj_t make_addr(const struct sockaddr_storage *st) {
    char buf[INET6_ADDRSTRLEN];
    if (st->ss_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)st;
        inet_ntop(AF_INET, &in->sin_addr, buf, sizeof(buf));
        mp_obj_t t[2] = { mp_obj_new_str_from_cstr(buf), MP_OBJ_NEW_SMALL_INT(ntohs(in->sin_port)) };
        return mp_obj_new_tuple(2, t);
    }
    const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)st;
    inet_ntop(AF_INET6, &in6->sin6_addr, buf, sizeof(buf));
    mp_obj_t t[4] = { mp_obj_new_str_from_cstr(buf), MP_OBJ_NEW_SMALL_INT(ntohs(in6->sin6_port)),
                      mp_obj_new_int_from_uint(in6->sin6_flowinfo), mp_obj_new_int_from_uint(in6->sin6_scope_id) };
    return mp_obj_new_tuple(4, t);
}

// ---- the socket type ----

static mp_obj_t socket_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *all_args) {
    enum { ARG_family, ARG_type, ARG_proto, ARG_fileno };
    static const mp_arg_t allowed[] = {
        { MP_QSTR_family, MP_ARG_INT, {.u_int = AF_INET} },
        { MP_QSTR_type, MP_ARG_INT, {.u_int = SOCK_STREAM} },
        { MP_QSTR_proto, MP_ARG_INT, {.u_int = 0} },
        { MP_QSTR_fileno, MP_ARG_OBJ, {.u_obj = mp_const_none} },
    };
    mp_arg_val_t a[MP_ARRAY_SIZE(allowed)];
    mp_arg_parse_all_kw_array(n_args, n_kw, all_args, MP_ARRAY_SIZE(allowed), allowed, a);
    int family = a[ARG_family].u_int, stype = a[ARG_type].u_int, proto = a[ARG_proto].u_int;
    int fd;
    if (a[ARG_fileno].u_obj != mp_const_none) {
        fd = mp_obj_get_int(a[ARG_fileno].u_obj);
        if (!net_sock_is_socket(fd)) {
            raise_errno(ENOTSOCK);
        }
        socklen_t len = sizeof(int);
        net_sock_getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &family, &len);
        net_sock_getsockopt(fd, SOL_SOCKET, SO_TYPE, &stype, &len);
        net_sock_getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &len);
    } else {
        fd = check(net_sock_socket(family, stype, proto));
    }
    return MP_OBJ_FROM_PTR(socket_new(fd, family, stype & ~(SOCK_NONBLOCK | SOCK_CLOEXEC), proto));
}

static void socket_print(const mp_print_t *print, mp_obj_t self_in, mp_print_kind_t kind) {
    mp_socket_obj_t *self = MP_OBJ_TO_PTR(self_in);
    mp_printf(print, "<socket fd=%d, family=%d, type=%d, proto=%d>", self->fd, self->family, self->type, self->proto);
}

static mp_obj_t socket_close(mp_obj_t self_in) {
    mp_socket_obj_t *self = MP_OBJ_TO_PTR(self_in);
    if (self->fd >= 0) {
        posix_close(self->fd);
        self->fd = -1;
    }
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(socket_close_obj, socket_close);

static mp_obj_t socket_exit(size_t n_args, const mp_obj_t *args) {
    return socket_close(args[0]);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(socket_exit_obj, 4, 4, socket_exit);

static mp_obj_t socket_fileno(mp_obj_t self_in) {
    return MP_OBJ_NEW_SMALL_INT(((mp_socket_obj_t *)MP_OBJ_TO_PTR(self_in))->fd);
}
static MP_DEFINE_CONST_FUN_OBJ_1(socket_fileno_obj, socket_fileno);

static mp_obj_t socket_detach(mp_obj_t self_in) {
    mp_socket_obj_t *self = MP_OBJ_TO_PTR(self_in);
    int fd = self->fd;
    self->fd = -1;
    return MP_OBJ_NEW_SMALL_INT(fd);
}
static MP_DEFINE_CONST_FUN_OBJ_1(socket_detach_obj, socket_detach);

static mp_obj_t socket_bind(mp_obj_t self_in, mp_obj_t addr) {
    mp_socket_obj_t *self = get_open(self_in);
    struct sockaddr_storage st;
    socklen_t len = parse_addr(self->family, addr, &st);
    check(net_sock_bind(self->fd, (struct sockaddr *)&st, len));
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_2(socket_bind_obj, socket_bind);

static mp_obj_t socket_listen(size_t n_args, const mp_obj_t *args) {
    mp_socket_obj_t *self = get_open(args[0]);
    int backlog = n_args > 1 ? mp_obj_get_int(args[1]) : 128;
    check(net_sock_listen(self->fd, backlog < 0 ? 0 : backlog));
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(socket_listen_obj, 1, 2, socket_listen);

static mp_obj_t socket_accept(mp_obj_t self_in) {
    mp_socket_obj_t *self = get_open(self_in);
    struct sockaddr_storage st;
    socklen_t len;
    int r;
    RUN(r, self, POLLIN, (len = sizeof(st), net_sock_accept(self->fd, (struct sockaddr *)&st, &len, 0)));
    check(r);
    mp_socket_obj_t *ns = socket_new(r, self->family, self->type, self->proto);
    mp_obj_t t[2] = { MP_OBJ_FROM_PTR(ns), make_addr(&st) };
    return mp_obj_new_tuple(2, t);
}
static MP_DEFINE_CONST_FUN_OBJ_1(socket_accept_obj, socket_accept);

static int do_connect(mp_socket_obj_t *self, mp_obj_t addr) {
    struct sockaddr_storage st;
    socklen_t len = parse_addr(self->family, addr, &st);
    int r = net_sock_connect(self->fd, (struct sockaddr *)&st, len);
    if (r != -EINPROGRESS || self->timeout_ms == 0) {
        return r;
    }
    int cr;
    RUN(r, self, POLLOUT, (cr = net_sock_connect_result(self->fd)) == -EALREADY ? -EAGAIN : cr);
    return r;
}

static mp_obj_t socket_connect(mp_obj_t self_in, mp_obj_t addr) {
    check(do_connect(get_open(self_in), addr));
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_2(socket_connect_obj, socket_connect);

static mp_obj_t socket_connect_ex(mp_obj_t self_in, mp_obj_t addr) {
    int r = do_connect(get_open(self_in), addr);
    return MP_OBJ_NEW_SMALL_INT(r < 0 ? mp_errno(-r) : 0);
}
static MP_DEFINE_CONST_FUN_OBJ_2(socket_connect_ex_obj, socket_connect_ex);

static mp_obj_t socket_sendto_impl(mp_socket_obj_t *self, mp_obj_t data, int flags, mp_obj_t addr, bool all) {
    mp_buffer_info_t b;
    mp_get_buffer_raise(data, &b, MP_BUFFER_READ);
    struct sockaddr_storage st;
    socklen_t alen = 0;
    if (addr != MP_OBJ_NULL) {
        alen = parse_addr(self->family, addr, &st);
    }
    size_t done = 0;
    do {
        ssize_t r;
        RUN(r, self, POLLOUT, net_sock_sendto(self->fd, (const uint8_t *)b.buf + done, b.len - done, flags,
            addr != MP_OBJ_NULL ? (struct sockaddr *)&st : NULL, alen));
        check(r);
        done += r;
    } while (all && done < b.len);
    return all ? mp_const_none : MP_OBJ_NEW_SMALL_INT(done);
}

static mp_obj_t socket_send(size_t n_args, const mp_obj_t *args) {
    return socket_sendto_impl(get_open(args[0]), args[1], n_args > 2 ? mp_obj_get_int(args[2]) : 0, MP_OBJ_NULL, false);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(socket_send_obj, 2, 3, socket_send);

static mp_obj_t socket_sendall(size_t n_args, const mp_obj_t *args) {
    return socket_sendto_impl(get_open(args[0]), args[1], n_args > 2 ? mp_obj_get_int(args[2]) : 0, MP_OBJ_NULL, true);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(socket_sendall_obj, 2, 3, socket_sendall);

static mp_obj_t socket_sendto(size_t n_args, const mp_obj_t *args) {
    mp_socket_obj_t *self = get_open(args[0]);
    if (n_args == 3) {
        return socket_sendto_impl(self, args[1], 0, args[2], false);
    }
    return socket_sendto_impl(self, args[1], mp_obj_get_int(args[2]), args[3], false);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(socket_sendto_obj, 3, 4, socket_sendto);

static ssize_t recv_into_buf(mp_socket_obj_t *self, void *buf, size_t len, int flags, struct sockaddr_storage *st) {
    ssize_t r;
    socklen_t alen;
    RUN(r, self, POLLIN, (alen = sizeof(*st), net_sock_recvfrom(self->fd, buf, len, flags, st ? (struct sockaddr *)st : NULL, st ? &alen : NULL)));
    return check(r);
}

static mp_obj_t socket_recvfrom_impl(size_t n_args, const mp_obj_t *args, bool from) {
    mp_socket_obj_t *self = get_open(args[0]);
    mp_int_t n = mp_obj_get_int(args[1]);
    if (n < 0) {
        mp_raise_ValueError(MP_ERROR_TEXT("negative buffersize in recv"));
    }
    int flags = n_args > 2 ? mp_obj_get_int(args[2]) : 0;
    vstr_t v;
    vstr_init_len(&v, n);
    struct sockaddr_storage st;
    memset(&st, 0, sizeof(st));
    ssize_t r = recv_into_buf(self, v.buf, n, flags, from ? &st : NULL);
    v.len = r;
    mp_obj_t data = mp_obj_new_bytes_from_vstr(&v);
    if (!from) {
        return data;
    }
    mp_obj_t t[2] = { data, make_addr(&st) };
    return mp_obj_new_tuple(2, t);
}

static mp_obj_t socket_recv(size_t n_args, const mp_obj_t *args) {
    return socket_recvfrom_impl(n_args, args, false);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(socket_recv_obj, 2, 3, socket_recv);

static mp_obj_t socket_recvfrom(size_t n_args, const mp_obj_t *args) {
    return socket_recvfrom_impl(n_args, args, true);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(socket_recvfrom_obj, 2, 3, socket_recvfrom);

static mp_obj_t socket_recv_into(size_t n_args, const mp_obj_t *args) {
    mp_socket_obj_t *self = get_open(args[0]);
    mp_buffer_info_t b;
    mp_get_buffer_raise(args[1], &b, MP_BUFFER_WRITE);
    size_t n = b.len;
    if (n_args > 2 && mp_obj_get_int(args[2]) > 0 && (size_t)mp_obj_get_int(args[2]) < n) {
        n = mp_obj_get_int(args[2]);
    }
    int flags = n_args > 3 ? mp_obj_get_int(args[3]) : 0;
    return MP_OBJ_NEW_SMALL_INT(recv_into_buf(self, b.buf, n, flags, NULL));
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(socket_recv_into_obj, 2, 4, socket_recv_into);

static mp_obj_t socket_shutdown(mp_obj_t self_in, mp_obj_t how) {
    check(net_sock_shutdown(get_open(self_in)->fd, mp_obj_get_int(how)));
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_2(socket_shutdown_obj, socket_shutdown);

static mp_obj_t socket_setsockopt(size_t n_args, const mp_obj_t *args) {
    mp_socket_obj_t *self = get_open(args[0]);
    int level = mp_obj_get_int(args[1]), name = mp_obj_get_int(args[2]);
    if (mp_obj_is_int(args[3]) || mp_obj_is_bool(args[3])) {
        int v = mp_obj_get_int(args[3]);
        check(net_sock_setsockopt(self->fd, level, name, &v, sizeof(v)));
    } else {
        mp_buffer_info_t b;
        mp_get_buffer_raise(args[3], &b, MP_BUFFER_READ);
        check(net_sock_setsockopt(self->fd, level, name, b.buf, b.len));
    }
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(socket_setsockopt_obj, 4, 4, socket_setsockopt);

static mp_obj_t socket_getsockopt(size_t n_args, const mp_obj_t *args) {
    mp_socket_obj_t *self = get_open(args[0]);
    int level = mp_obj_get_int(args[1]), name = mp_obj_get_int(args[2]);
    uint8_t buf[16];
    socklen_t len = sizeof(buf);
    check(net_sock_getsockopt(self->fd, level, name, buf, &len));
    if (n_args > 3) {
        mp_int_t want = mp_obj_get_int(args[3]);
        return mp_obj_new_bytes(buf, (size_t)want < len ? (size_t)want : len);
    }
    int v;
    memcpy(&v, buf, sizeof(v));
    return mp_obj_new_int(v);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(socket_getsockopt_obj, 3, 4, socket_getsockopt);

static mp_obj_t socket_getname(mp_obj_t self_in, bool local) {
    mp_socket_obj_t *self = get_open(self_in);
    struct sockaddr_storage st;
    memset(&st, 0, sizeof(st));
    socklen_t len = sizeof(st);
    check(net_sock_getname(self->fd, (struct sockaddr *)&st, &len, local));
    return make_addr(&st);
}

static mp_obj_t socket_getsockname(mp_obj_t self_in) {
    return socket_getname(self_in, true);
}
static MP_DEFINE_CONST_FUN_OBJ_1(socket_getsockname_obj, socket_getsockname);

static mp_obj_t socket_getpeername(mp_obj_t self_in) {
    return socket_getname(self_in, false);
}
static MP_DEFINE_CONST_FUN_OBJ_1(socket_getpeername_obj, socket_getpeername);

static int timeout_of(mp_obj_t t) {
    if (t == mp_const_none) {
        return -1;
    }
    mp_float_t f = mp_obj_get_float(t);
    if (f < 0) {
        mp_raise_ValueError(MP_ERROR_TEXT("Timeout value out of range"));
    }
    mp_float_t ms = f * 1000;
    return ms > 0 && ms < 1 ? 1 : (int)ms;
}

static mp_obj_t timeout_obj(int ms) {
    return ms < 0 ? mp_const_none : mp_obj_new_float((mp_float_t)ms / 1000);
}

static mp_obj_t socket_settimeout(mp_obj_t self_in, mp_obj_t t) {
    mp_socket_obj_t *self = get_open(self_in);
    self->timeout_ms = timeout_of(t);
    set_fd_blocking(self);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_2(socket_settimeout_obj, socket_settimeout);

static mp_obj_t socket_gettimeout(mp_obj_t self_in) {
    return timeout_obj(((mp_socket_obj_t *)MP_OBJ_TO_PTR(self_in))->timeout_ms);
}
static MP_DEFINE_CONST_FUN_OBJ_1(socket_gettimeout_obj, socket_gettimeout);

static mp_obj_t socket_setblocking(mp_obj_t self_in, mp_obj_t flag) {
    mp_socket_obj_t *self = get_open(self_in);
    self->timeout_ms = mp_obj_is_true(flag) ? -1 : 0;
    set_fd_blocking(self);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_2(socket_setblocking_obj, socket_setblocking);

static mp_obj_t socket_getblocking(mp_obj_t self_in) {
    return mp_obj_new_bool(((mp_socket_obj_t *)MP_OBJ_TO_PTR(self_in))->timeout_ms != 0);
}
static MP_DEFINE_CONST_FUN_OBJ_1(socket_getblocking_obj, socket_getblocking);

// makefile(mode='r', buffering=None, ...): a socket object on a dup of the fd (a stream with read,
// readline, write), closed on its own.
static mp_obj_t socket_makefile(size_t n_args, const mp_obj_t *args, mp_map_t *kw) {
    mp_socket_obj_t *self = get_open(args[0]);
    int fd = posix_dup(self->fd);
    if (fd < 0) {
        raise_errno(errno);
    }
    mp_socket_obj_t *f = socket_new(fd, self->family, self->type, self->proto);
    f->timeout_ms = self->timeout_ms;
    return MP_OBJ_FROM_PTR(f);
}
static MP_DEFINE_CONST_FUN_OBJ_KW(socket_makefile_obj, 1, socket_makefile);

// ---- stream protocol (read, readinto, readline, write; asyncio's streams use these) ----

static mp_uint_t socket_stream_read(mp_obj_t self_in, void *buf, mp_uint_t size, int *errcode) {
    mp_socket_obj_t *self = MP_OBJ_TO_PTR(self_in);
    if (self->fd < 0) {
        *errcode = EBADF;
        return MP_STREAM_ERROR;
    }
    ssize_t r;
    RUN(r, self, POLLIN, net_sock_recvfrom(self->fd, buf, size, 0, NULL, NULL));
    if (r < 0) {
        *errcode = mp_errno(-r);
        return MP_STREAM_ERROR;
    }
    return r;
}

static mp_uint_t socket_stream_write(mp_obj_t self_in, const void *buf, mp_uint_t size, int *errcode) {
    mp_socket_obj_t *self = MP_OBJ_TO_PTR(self_in);
    if (self->fd < 0) {
        *errcode = EBADF;
        return MP_STREAM_ERROR;
    }
    ssize_t r;
    RUN(r, self, POLLOUT, net_sock_sendto(self->fd, buf, size, 0, NULL, 0));
    if (r < 0) {
        *errcode = mp_errno(-r);
        return MP_STREAM_ERROR;
    }
    return r;
}

static mp_uint_t socket_stream_ioctl(mp_obj_t self_in, mp_uint_t request, uintptr_t arg, int *errcode) {
    mp_socket_obj_t *self = MP_OBJ_TO_PTR(self_in);
    if (request == MP_STREAM_CLOSE) {
        socket_close(self_in);
        return 0;
    }
    if (request == MP_STREAM_GET_FILENO) {
        return self->fd;
    }
    if (request == MP_STREAM_POLL) {
        if (self->fd < 0) {
            return MP_STREAM_POLL_NVAL;
        }
        struct pollfd p = { .fd = self->fd, .events = (short)(arg & (POLLIN | POLLOUT)), .revents = 0 };
        posix_poll(&p, 1, 0);
        return p.revents;
    }
    *errcode = MP_EINVAL;
    return MP_STREAM_ERROR;
}

static void socket_attr(mp_obj_t self_in, qstr attr, mp_obj_t *dest) {
    if (dest[0] != MP_OBJ_NULL) {
        dest[1] = MP_OBJ_SENTINEL; // methods from the locals dict
        return;
    }
    mp_socket_obj_t *self = MP_OBJ_TO_PTR(self_in);
    if (attr == MP_QSTR_family) {
        dest[0] = MP_OBJ_NEW_SMALL_INT(self->family);
    } else if (attr == MP_QSTR_type) {
        dest[0] = MP_OBJ_NEW_SMALL_INT(self->type);
    } else if (attr == MP_QSTR_proto) {
        dest[0] = MP_OBJ_NEW_SMALL_INT(self->proto);
    } else if (attr == MP_QSTR_timeout) {
        dest[0] = timeout_obj(self->timeout_ms);
    } else {
        dest[1] = MP_OBJ_SENTINEL;
    }
}

static const mp_rom_map_elem_t socket_locals_dict_table[] = {
    { MP_ROM_QSTR(MP_QSTR___del__), MP_ROM_PTR(&socket_close_obj) },
    { MP_ROM_QSTR(MP_QSTR___enter__), MP_ROM_PTR(&mp_identity_obj) },
    { MP_ROM_QSTR(MP_QSTR___exit__), MP_ROM_PTR(&socket_exit_obj) },
    { MP_ROM_QSTR(MP_QSTR_close), MP_ROM_PTR(&socket_close_obj) },
    { MP_ROM_QSTR(MP_QSTR_fileno), MP_ROM_PTR(&socket_fileno_obj) },
    { MP_ROM_QSTR(MP_QSTR_detach), MP_ROM_PTR(&socket_detach_obj) },
    { MP_ROM_QSTR(MP_QSTR_bind), MP_ROM_PTR(&socket_bind_obj) },
    { MP_ROM_QSTR(MP_QSTR_listen), MP_ROM_PTR(&socket_listen_obj) },
    { MP_ROM_QSTR(MP_QSTR_accept), MP_ROM_PTR(&socket_accept_obj) },
    { MP_ROM_QSTR(MP_QSTR_connect), MP_ROM_PTR(&socket_connect_obj) },
    { MP_ROM_QSTR(MP_QSTR_connect_ex), MP_ROM_PTR(&socket_connect_ex_obj) },
    { MP_ROM_QSTR(MP_QSTR_send), MP_ROM_PTR(&socket_send_obj) },
    { MP_ROM_QSTR(MP_QSTR_sendall), MP_ROM_PTR(&socket_sendall_obj) },
    { MP_ROM_QSTR(MP_QSTR_sendto), MP_ROM_PTR(&socket_sendto_obj) },
    { MP_ROM_QSTR(MP_QSTR_recv), MP_ROM_PTR(&socket_recv_obj) },
    { MP_ROM_QSTR(MP_QSTR_recvfrom), MP_ROM_PTR(&socket_recvfrom_obj) },
    { MP_ROM_QSTR(MP_QSTR_recv_into), MP_ROM_PTR(&socket_recv_into_obj) },
    { MP_ROM_QSTR(MP_QSTR_shutdown), MP_ROM_PTR(&socket_shutdown_obj) },
    { MP_ROM_QSTR(MP_QSTR_setsockopt), MP_ROM_PTR(&socket_setsockopt_obj) },
    { MP_ROM_QSTR(MP_QSTR_getsockopt), MP_ROM_PTR(&socket_getsockopt_obj) },
    { MP_ROM_QSTR(MP_QSTR_getsockname), MP_ROM_PTR(&socket_getsockname_obj) },
    { MP_ROM_QSTR(MP_QSTR_getpeername), MP_ROM_PTR(&socket_getpeername_obj) },
    { MP_ROM_QSTR(MP_QSTR_settimeout), MP_ROM_PTR(&socket_settimeout_obj) },
    { MP_ROM_QSTR(MP_QSTR_gettimeout), MP_ROM_PTR(&socket_gettimeout_obj) },
    { MP_ROM_QSTR(MP_QSTR_setblocking), MP_ROM_PTR(&socket_setblocking_obj) },
    { MP_ROM_QSTR(MP_QSTR_getblocking), MP_ROM_PTR(&socket_getblocking_obj) },
    { MP_ROM_QSTR(MP_QSTR_makefile), MP_ROM_PTR(&socket_makefile_obj) },
    { MP_ROM_QSTR(MP_QSTR_read), MP_ROM_PTR(&mp_stream_read_obj) },
    { MP_ROM_QSTR(MP_QSTR_readinto), MP_ROM_PTR(&mp_stream_readinto_obj) },
    { MP_ROM_QSTR(MP_QSTR_readline), MP_ROM_PTR(&mp_stream_unbuffered_readline_obj) },
    { MP_ROM_QSTR(MP_QSTR_write), MP_ROM_PTR(&mp_stream_write_obj) },
};
static MP_DEFINE_CONST_DICT(socket_locals_dict, socket_locals_dict_table);

static const mp_stream_p_t socket_stream_p = {
    .read = socket_stream_read,
    .write = socket_stream_write,
    .ioctl = socket_stream_ioctl,
};

static MP_DEFINE_CONST_OBJ_TYPE(
    mp_socket_type,
    MP_QSTR_socket,
    MP_TYPE_FLAG_NONE,
    make_new, socket_make_new,
    print, socket_print,
    attr, socket_attr,
    protocol, &socket_stream_p,
    locals_dict, &socket_locals_dict
    );

// ---- module functions ----

// getaddrinfo(host, port, family=0, type=0, proto=0, flags=0) -> [(family, type, proto, '', addr)]
static mp_obj_t mod_getaddrinfo(size_t n_args, const mp_obj_t *args, mp_map_t *kw) {
    enum { ARG_host, ARG_port, ARG_family, ARG_type, ARG_proto, ARG_flags };
    static const mp_arg_t allowed[] = {
        { MP_QSTR_host, MP_ARG_REQUIRED | MP_ARG_OBJ, {.u_obj = mp_const_none} },
        { MP_QSTR_port, MP_ARG_REQUIRED | MP_ARG_OBJ, {.u_obj = mp_const_none} },
        { MP_QSTR_family, MP_ARG_INT, {.u_int = 0} },
        { MP_QSTR_type, MP_ARG_INT, {.u_int = 0} },
        { MP_QSTR_proto, MP_ARG_INT, {.u_int = 0} },
        { MP_QSTR_flags, MP_ARG_INT, {.u_int = 0} },
    };
    mp_arg_val_t a[MP_ARRAY_SIZE(allowed)];
    mp_arg_parse_all(n_args, args, kw, MP_ARRAY_SIZE(allowed), allowed, a);
    const char *host = a[ARG_host].u_obj == mp_const_none ? NULL : mp_obj_str_get_str(a[ARG_host].u_obj);
    char portbuf[12];
    const char *port = NULL;
    if (mp_obj_is_int(a[ARG_port].u_obj)) {
        snprintf(portbuf, sizeof(portbuf), "%d", (int)mp_obj_get_int(a[ARG_port].u_obj));
        port = portbuf;
    } else if (a[ARG_port].u_obj != mp_const_none) {
        port = mp_obj_str_get_str(a[ARG_port].u_obj);
    }
    struct addrinfo hints = { .ai_family = a[ARG_family].u_int, .ai_socktype = a[ARG_type].u_int,
                              .ai_protocol = a[ARG_proto].u_int, .ai_flags = a[ARG_flags].u_int };
    struct addrinfo *res = NULL;
    int r;
    MP_THREAD_GIL_EXIT();
    r = getaddrinfo(host, port, &hints, &res);
    MP_THREAD_GIL_ENTER();
    if (r != 0) {
        mp_obj_t e[2] = { MP_OBJ_NEW_SMALL_INT(r), mp_obj_new_str_from_cstr(gai_strerror(r)) };
        nlr_raise(mp_obj_new_exception_args(&mp_type_OSError, 2, e));
    }
    mp_obj_t list = mp_obj_new_list(0, NULL);
    for (struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next) {
        struct sockaddr_storage st;
        memcpy(&st, ai->ai_addr, ai->ai_addrlen);
        mp_obj_t t[5] = { MP_OBJ_NEW_SMALL_INT(ai->ai_family), MP_OBJ_NEW_SMALL_INT(ai->ai_socktype),
                          MP_OBJ_NEW_SMALL_INT(ai->ai_protocol), MP_OBJ_NEW_QSTR(MP_QSTR_), make_addr(&st) };
        mp_obj_list_append(list, mp_obj_new_tuple(5, t));
    }
    freeaddrinfo(res);
    return list;
}
static MP_DEFINE_CONST_FUN_OBJ_KW(mod_getaddrinfo_obj, 2, mod_getaddrinfo);

static mp_obj_t mod_inet_pton(mp_obj_t af_in, mp_obj_t s_in) {
    int af = mp_obj_get_int(af_in);
    uint8_t buf[16];
    int r = inet_pton(af, mp_obj_str_get_str(s_in), buf);
    if (r < 0) {
        raise_errno(EAFNOSUPPORT);
    }
    if (r == 0) {
        mp_raise_msg(&mp_type_OSError, MP_ERROR_TEXT("illegal IP address string passed to inet_pton"));
    }
    return mp_obj_new_bytes(buf, af == AF_INET ? 4 : 16);
}
static MP_DEFINE_CONST_FUN_OBJ_2(mod_inet_pton_obj, mod_inet_pton);

static mp_obj_t mod_inet_ntop(mp_obj_t af_in, mp_obj_t b_in) {
    int af = mp_obj_get_int(af_in);
    mp_buffer_info_t b;
    mp_get_buffer_raise(b_in, &b, MP_BUFFER_READ);
    if (af != AF_INET && af != AF_INET6) {
        raise_errno(EAFNOSUPPORT);
    }
    if (b.len != (af == AF_INET ? 4u : 16u)) {
        mp_raise_ValueError(MP_ERROR_TEXT("invalid length of packed IP address string"));
    }
    char buf[INET6_ADDRSTRLEN];
    inet_ntop(af, b.buf, buf, sizeof(buf));
    return mp_obj_new_str_from_cstr(buf);
}
static MP_DEFINE_CONST_FUN_OBJ_2(mod_inet_ntop_obj, mod_inet_ntop);

static mp_obj_t mod_getdefaulttimeout(void) {
    return timeout_obj(default_timeout_ms);
}
static MP_DEFINE_CONST_FUN_OBJ_0(mod_getdefaulttimeout_obj, mod_getdefaulttimeout);

static mp_obj_t mod_setdefaulttimeout(mp_obj_t t) {
    default_timeout_ms = timeout_of(t);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(mod_setdefaulttimeout_obj, mod_setdefaulttimeout);

static const mp_rom_map_elem_t mp_module_socket_globals_table[] = {
    { MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR__socket) },
    { MP_ROM_QSTR(MP_QSTR_socket), MP_ROM_PTR(&mp_socket_type) },
    { MP_ROM_QSTR(MP_QSTR_getaddrinfo), MP_ROM_PTR(&mod_getaddrinfo_obj) },
    { MP_ROM_QSTR(MP_QSTR_inet_pton), MP_ROM_PTR(&mod_inet_pton_obj) },
    { MP_ROM_QSTR(MP_QSTR_inet_ntop), MP_ROM_PTR(&mod_inet_ntop_obj) },
    { MP_ROM_QSTR(MP_QSTR_getdefaulttimeout), MP_ROM_PTR(&mod_getdefaulttimeout_obj) },
    { MP_ROM_QSTR(MP_QSTR_setdefaulttimeout), MP_ROM_PTR(&mod_setdefaulttimeout_obj) },
    #define C(name) { MP_ROM_QSTR(MP_QSTR_##name), MP_ROM_INT(name) }
    C(AF_UNSPEC), C(AF_INET), C(AF_INET6),
    C(SOCK_STREAM), C(SOCK_DGRAM), C(SOCK_RAW), C(SOCK_NONBLOCK), C(SOCK_CLOEXEC),
    C(SOL_SOCKET), C(SO_REUSEADDR), C(SO_TYPE), C(SO_ERROR), C(SO_BROADCAST), C(SO_SNDBUF), C(SO_RCVBUF),
    C(SO_KEEPALIVE), C(SO_LINGER), C(SO_REUSEPORT), C(SO_RCVTIMEO), C(SO_SNDTIMEO), C(SO_ACCEPTCONN),
    C(IPPROTO_IP), C(IPPROTO_ICMP), C(IPPROTO_TCP), C(IPPROTO_UDP), C(IPPROTO_IPV6), C(IPPROTO_ICMPV6),
    C(IPPROTO_RAW), C(IP_TTL), C(IP_MULTICAST_TTL), C(IP_MULTICAST_LOOP), C(IP_ADD_MEMBERSHIP),
    C(IP_DROP_MEMBERSHIP), C(IPV6_V6ONLY), C(TCP_NODELAY), C(TCP_KEEPIDLE), C(TCP_KEEPINTVL), C(TCP_KEEPCNT),
    C(MSG_PEEK), C(MSG_DONTWAIT), C(MSG_WAITALL), C(SHUT_RD), C(SHUT_WR), C(SHUT_RDWR), C(SOMAXCONN),
    C(AI_PASSIVE), C(AI_CANONNAME), C(AI_NUMERICHOST), C(AI_NUMERICSERV), C(AI_V4MAPPED), C(AI_ALL),
    C(AI_ADDRCONFIG), C(EAI_NONAME), C(EAI_AGAIN), C(EAI_FAIL), C(EAI_FAMILY), C(EAI_SERVICE), C(EAI_MEMORY),
#undef C
    { MP_ROM_QSTR(MP_QSTR_INADDR_ANY), MP_ROM_INT(0) },
};
static MP_DEFINE_CONST_DICT(mp_module_socket_globals, mp_module_socket_globals_table);

const mp_obj_module_t mp_module_socket = {
    .base = { &mp_type_module },
    .globals = (mp_obj_dict_t *)&mp_module_socket_globals,
};

MP_REGISTER_MODULE(MP_QSTR__socket, mp_module_socket);
