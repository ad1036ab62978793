# stdin/stdout/stderr are fds 0-2 on the console; fds run out with EMFILE; a soft reset closes the VM's fds
# (this test's own are closed at the end).
import errno
import os

print(os.write(1, b"to fd 1\n"))
out = os.dup(1)
print(os.write(out, b"through a dup of fd 1\n"))
os.close(out)
S_IFMT, S_IFCHR = 0o170000, 0o020000
print("console:", [os.isatty(fd) for fd in (0, 1, 2)], [os.fstat(fd)[0] & S_IFMT == S_IFCHR for fd in (0, 1, 2)])
print("blocking:", os.get_blocking(0))
os.set_blocking(0, False)
try:
    os.read(0, 1)
except OSError as e:
    print("no console input yet:", e.errno == errno.EAGAIN)
os.set_blocking(0, True)

fds = []
try:
    while True:
        fds.append(os.eventfd(0))
except OSError as e:
    print("exhausted:", e.errno == errno.EMFILE, "first", fds[0], "count", len(fds) + 3)
for fd in fds:
    os.close(fd)
r, w = os.pipe()
print("lowest fds again:", (r, w) == (3, 4))
os.close(r)
os.close(w)
