# Character devices under /dev: null, zero, full, urandom through os fds and open(); stat of a device.
# Expected output: CPython's on Linux.
import os, errno

S_IFMT, S_IFCHR = 0o170000, 0o020000

fd = os.open("/dev/null", os.O_RDWR)
print(os.read(fd, 10), os.write(fd, b"discarded"), os.read(fd, 10))
os.close(fd)
with open("/dev/null", "w") as f:
    print(f.write("text"))
with open("/dev/null", "rb") as f:
    print(f.read())

fd = os.open("/dev/zero", os.O_RDONLY)
print(os.read(fd, 8), len(os.read(fd, 1000)), os.lseek(fd, 0, os.SEEK_SET))
os.close(fd)
with open("/dev/zero", "rb") as f:
    print(f.read(3))

fd = os.open("/dev/full", os.O_WRONLY)
try:
    os.write(fd, b"x")
except OSError as e:
    print("full", errno.errorcode[e.errno])
os.close(fd)
fd = os.open("/dev/full", os.O_RDONLY)
print(os.read(fd, 4))
os.close(fd)

fd = os.open("/dev/urandom", os.O_RDONLY)
a = os.read(fd, 32)
b = os.read(fd, 32)
os.close(fd)
print(len(a), len(b), a != b, len(set(a)) > 8)
with open("/dev/urandom", "rb") as f:
    print(len(f.read(16)))

for name in ("null", "zero", "full", "urandom"):
    st = os.stat("/dev/" + name)
    print(name, st.st_mode & S_IFMT == S_IFCHR, oct(st.st_mode & 0o777), os.path.exists("/dev/" + name))
print(os.path.isdir("/dev"), os.path.isfile("/dev/null"), all(n in os.listdir("/dev") for n in ("null", "zero", "full", "urandom")))
try:
    os.open("/dev/nonexistent", os.O_RDONLY)
except OSError as e:
    print(errno.errorcode[e.errno])
# odd spellings reach the same device
fd = os.open("/dev//./../dev/zero", os.O_RDONLY)
print(os.read(fd, 2))
os.close(fd)
