# MicroPythonRT: the socket module, CPython's API (docs/network.md). The socket type and the constants
# are the C module _socket (ports/rp2/net/mp_modsocket.c); this adds CPython's Python-level helpers.
from _socket import *
import _socket

error = OSError
timeout = getattr(__import__("builtins"), "TimeoutError", OSError)
herror = OSError
gaierror = OSError


def gethostbyname(host):
    return getaddrinfo(host, None, AF_INET)[0][4][0]


def create_connection(address, timeout=None, source_address=None, *, all_errors=False):
    host, port = address
    err = None
    for af, st, proto, _, sa in getaddrinfo(host, port, 0, SOCK_STREAM):
        s = None
        try:
            s = socket(af, st, proto)
            if timeout is not None:
                s.settimeout(timeout)
            if source_address:
                s.bind(source_address)
            s.connect(sa)
            return s
        except OSError as e:
            err = e
            if s is not None:
                s.close()
    if err is not None:
        raise err
    raise OSError("getaddrinfo returns an empty list")


def has_dualstack_ipv6():
    return True


def create_server(address, *, family=AF_INET, backlog=None, reuse_port=False, dualstack_ipv6=False):
    s = socket(family, SOCK_STREAM)
    try:
        s.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
        if family == AF_INET6:
            s.setsockopt(IPPROTO_IPV6, IPV6_V6ONLY, 0 if dualstack_ipv6 else 1)
        s.bind(address)
        if backlog is None:
            s.listen()
        else:
            s.listen(backlog)
        return s
    except OSError:
        s.close()
        raise


def socketpair(family=AF_INET, type=SOCK_STREAM, proto=0):
    # over loopback, as CPython does where there is no AF_UNIX
    host = "::1" if family == AF_INET6 else "127.0.0.1"
    lsock = socket(family, type, proto)
    try:
        lsock.bind((host, 0))
        lsock.listen()
        a = socket(family, type, proto)
        try:
            a.connect(lsock.getsockname())
            b, _ = lsock.accept()
        except OSError:
            a.close()
            raise
    finally:
        lsock.close()
    return a, b
