# Files share the fd table with pipes and the console: many opens and closes leave nothing behind,
# opening until the table is full gives EMFILE, dup'ed fds share the offset, os.fdopen wraps an fd.
import os, errno

with open("fd_files.tmp", "wb") as f:
    f.write(b"0123456789")
for i in range(200):
    fd = os.open("fd_files.tmp", os.O_RDONLY)
    os.close(fd)
print("200 opens", fd)

# 20 files open at once, then the rest of the table filled with dups of one of them (each open file
# also holds a file object in the GC heap: a table of 256 fds of distinct files would run out of
# memory first, ENOMEM)
fds = [os.open("fd_files.tmp", os.O_RDONLY) for i in range(20)]
try:
    while True:
        fds.append(os.dup(fds[0]))
except OSError as e:
    print("full at", len(fds) + 3, errno.errorcode[e.errno])
for fd in fds:
    os.close(fd)
fd = os.open("fd_files.tmp", os.O_RDONLY)
print("again", fd)

# dup: one description, one offset
fd2 = os.dup(fd)
print(os.read(fd, 3), os.read(fd2, 3), os.lseek(fd, 0, os.SEEK_CUR))
os.close(fd2)

# os.fdopen: a file object on the fd (closing it closes the fd)
f = os.fdopen(fd, "rb")
print(f.fileno() == fd, f.read(), f.seek(2), f.read(2))
f.close()
try:
    os.read(fd, 1)
except OSError as e:
    print(errno.errorcode[e.errno])

# fstat follows the size; after fsync (littlefs: or close) open() sees what the fd wrote
fd = os.open("fd_files.tmp", os.O_RDWR | os.O_APPEND)
os.write(fd, b"abc")
os.fsync(fd)
print(os.fstat(fd).st_size, open("fd_files.tmp", "rb").read())
r, w = os.pipe()
try:
    os.fsync(w)
except OSError as e:
    print("pipe", errno.errorcode[e.errno])
os.close(r)
os.close(w)
os.close(fd)
os.remove("fd_files.tmp")
print(os.path.exists("fd_files.tmp"))
