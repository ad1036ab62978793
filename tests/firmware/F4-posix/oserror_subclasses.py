# OSError's subclasses chosen by errno (PEP 3151): builtins, raised by the firmware's calls and returned
# by OSError(errno, strerror); `except OSError` still catches them (expected output: CPython's).
import errno
import os

# values of the names MicroPython's errno module lacks (Linux's, as MicroPython's errno)
E = {"ESRCH": 3, "ECHILD": 10, "ENOTDIR": 20, "ESHUTDOWN": 108}
for name in ("ESRCH", "ECHILD", "ENOTDIR"):
    E[name] = getattr(errno, name, E[name])
for name in ("EPERM", "ENOENT", "EINTR", "EAGAIN", "EACCES", "EEXIST", "EISDIR", "EPIPE",
             "ECONNABORTED", "ECONNRESET", "ETIMEDOUT", "ECONNREFUSED", "EALREADY", "EINPROGRESS",
             "EBADF", "EINVAL", "EMFILE", "EIO"):
    E[name] = getattr(errno, name)

print("hierarchy")
for cls in (BlockingIOError, ChildProcessError, ConnectionError, BrokenPipeError, ConnectionAbortedError,
            ConnectionRefusedError, ConnectionResetError, FileExistsError, FileNotFoundError,
            InterruptedError, IsADirectoryError, NotADirectoryError, PermissionError,
            ProcessLookupError, TimeoutError):
    print(cls.__name__, issubclass(cls, OSError), issubclass(cls, ConnectionError), cls.__bases__[0].__name__)

print("OSError(errno, strerror)")
for name in sorted(E):
    e = OSError(E[name], "message")
    print(name, type(e).__name__, e.errno == E[name], e.args == (E[name], "message"), isinstance(e, OSError))
print("one argument stays OSError:", type(OSError(E["ENOENT"])).__name__, OSError(E["ENOENT"]).args)
print("a subclass keeps its type:", type(FileNotFoundError(E["EEXIST"], "x")).__name__)
print("a class of our own:", type(type("Mine", (OSError,), {})(E["ENOENT"], "x")).__name__)


def raised(f, *args):
    try:
        f(*args)
    except OSError as e:
        return "%s %s" % (type(e).__name__, errno.errorcode[e.errno])
    return "no error"


print("raised by the firmware's calls")
r, w = os.pipe()
os.set_blocking(r, False)
print("read of an empty non-blocking pipe:", raised(os.read, r, 1))
os.close(r)
print("write with no reader:", raised(os.write, w, b"x"))
print("read of a closed fd:", raised(os.read, r, 1))
print("fstat of a bad fd:", raised(os.fstat, 1000))
print("dup2 onto a bad fd:", raised(os.dup2, w, -1))
print("lseek on a pipe:", raised(os.lseek, w, 0, 0))
os.close(w)
e = os.eventfd(0, os.EFD_NONBLOCK)
print("eventfd with nothing to read:", raised(os.eventfd_read, e))
os.close(e)
print("remove of a missing file:", raised(os.remove, "/no-such-file"))
print("open of a missing file:", raised(open, "/no-such-file"))
print("rmdir of a missing directory:", raised(os.rmdir, "/no-such-dir"))

print("fd exhaustion")
fds = []
try:
    while True:
        fds.append(os.dup(0))
except OSError as e:
    print(type(e).__name__, errno.errorcode[e.errno])
for fd in fds:
    os.close(fd)

print("caught as OSError and as the subclass")
for exc in (FileNotFoundError, BlockingIOError, BrokenPipeError):
    try:
        raise exc(1, "x")
    except OSError as e:
        print(type(e).__name__, "caught by except OSError")
try:
    os.write(1000, b"")
except (FileNotFoundError, BlockingIOError):
    print("wrong")
except OSError as e:
    print("EBADF is plain OSError:", type(e) is OSError)
