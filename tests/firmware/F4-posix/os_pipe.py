# os functions on pipe fds, with CPython's semantics (the expected output is CPython's).
import errno
import os

r, w = os.pipe()
print(os.write(w, b"hello"), os.read(r, 3), os.read(r, 10))
print(os.write(w, bytearray(b"ba")), os.write(w, memoryview(b"xmvx")[1:3]), os.write(w, b""))
print(os.read(r, 100))

# blocking flag, on the open file description (shared by dups)
print(os.get_blocking(r), os.get_blocking(w))
d = os.dup(r)
os.set_blocking(d, False)
print(os.get_blocking(r), os.get_blocking(d))
try:
    os.read(r, 1)
except OSError as e:
    print("empty non-blocking read:", e.errno == errno.EAGAIN)
os.set_blocking(r, True)
print(os.get_blocking(d))
os.close(d)

# a str is not bytes-like
try:
    os.write(w, "text")
except TypeError:
    print("write(str): TypeError")

# fstat, isatty, lseek on a pipe
S_IFMT, S_IFIFO = 0o170000, 0o010000
print("fifo:", os.fstat(r)[0] & S_IFMT == S_IFIFO, os.fstat(w)[0] & S_IFMT == S_IFIFO)
print("isatty:", os.isatty(r), os.isatty(w))
try:
    os.lseek(r, 0, os.SEEK_SET)
except OSError as e:
    print("lseek:", e.errno == errno.ESPIPE)

# wrong direction
for name, call in (("read", lambda: os.read(w, 1)), ("write", lambda: os.write(r, b"x"))):
    try:
        call()
    except OSError as e:
        print(name, "wrong end:", e.errno == errno.EBADF)

# dup keeps the write end open; dup2 onto an fd closes what it named and returns the new fd
w2 = os.dup(w)
os.close(w)
print(os.write(w2, b"via dup"), os.read(r, 100))
r2, w3 = os.pipe()
print(os.dup2(w2, w3) == w3)
print(os.write(w3, b"dup2"), os.read(r, 100))
print("other pipe at EOF:", os.read(r2, 10))
os.close(r2)

# end of file once every write end is closed; EPIPE once the read end is
os.close(w2)
print(os.write(w3, b"!"), os.read(r, 10))
os.close(w3)
print("EOF:", os.read(r, 10))
os.close(r)
r, w = os.pipe()
os.close(r)
try:
    os.write(w, b"x")
except OSError as e:
    print("no reader:", e.errno == errno.EPIPE)
os.close(w)

# closed fds
for name, call in (("read", lambda: os.read(r, 1)), ("write", lambda: os.write(w, b"x")),
                   ("close", lambda: os.close(r)), ("dup", lambda: os.dup(w)), ("fstat", lambda: os.fstat(r)),
                   ("get_blocking", lambda: os.get_blocking(r)), ("dup2", lambda: os.dup2(r, w))):
    try:
        call()
    except OSError as e:
        print(name, "closed fd:", e.errno == errno.EBADF)
print("isatty(closed):", os.isatty(r))
try:
    os.read(0, -1)
except OSError as e:
    print("read(-1):", e.errno == errno.EINVAL)
