# Files through os fds and open() on the same filesystem, os.stat_result, scandir, makedirs, rename
# across directories, truncate, os.path, errno values. Expected output: CPython's (run in a temp dir).
import os, errno

T = "vfs_t"


def err(f, *a):
    try:
        f(*a)
        print("no error")
    except OSError as e:
        print("OSError", errno.errorcode[e.errno])


def rmtree(p):
    for name in os.listdir(p):
        q = p + "/" + name
        if os.path.isdir(q):
            rmtree(q)
        else:
            os.remove(q)
    os.rmdir(p)


if os.path.exists(T):
    rmtree(T)
os.mkdir(T)

# os.open / write / lseek / read / fstat
fd = os.open(T + "/a.bin", os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
print(os.write(fd, b"hello world"))
print(os.lseek(fd, 0, os.SEEK_CUR), os.lseek(fd, 6, os.SEEK_SET))
print(os.read(fd, 100), os.read(fd, 100))
print(os.fstat(fd).st_size, os.fstat(fd)[6])
os.close(fd)
# open() sees what the fd wrote, and the other way round
with open(T + "/a.bin", "rb") as f:
    print(f.read())
with open(T + "/b.txt", "w") as f:
    f.write("line1\nline2\n")
fd = os.open(T + "/b.txt", os.O_RDONLY)
print(os.read(fd, 6), os.read(fd, 100), os.read(fd, 100))
os.close(fd)
# O_APPEND, O_EXCL, O_WRONLY reads
fd = os.open(T + "/b.txt", os.O_WRONLY | os.O_APPEND)
os.lseek(fd, 0, os.SEEK_SET)
os.write(fd, b"line3\n")
err(os.read, fd, 1)
os.close(fd)
print(open(T + "/b.txt").read().split())
err(os.open, T + "/b.txt", os.O_WRONLY | os.O_CREAT | os.O_EXCL)
err(os.open, T + "/missing", os.O_RDONLY)
err(os.open, T, os.O_WRONLY)
err(os.read, 1000, 1)

# stat_result: attributes and indexes
st = os.stat(T + "/a.bin")
print(st.st_size, st[6], len(st), st[0] == st.st_mode, st.st_mode & 0o170000 == 0o100000)
print(os.stat(T).st_mode & 0o170000 == 0o040000, isinstance(st, os.stat_result))
mode, ino, dev, nlink, uid, gid, size, atime, mtime, ctime = st
print(size, type(st.st_mtime) in (int, float))
err(os.stat, T + "/missing")

# directories: makedirs, scandir, listdir, rename across directories, rmdir, remove
os.makedirs(T + "/d1/d2/d3")
os.makedirs(T + "/d1/d2/d3", exist_ok=True)
err(os.makedirs, T + "/d1/d2")
err(os.mkdir, T + "/d1")
os.rename(T + "/a.bin", T + "/d1/d2/moved.bin")
print(sorted(os.listdir(T)), sorted(os.listdir(T + "/d1/d2")))
print(open(T + "/d1/d2/moved.bin", "rb").read())
with os.scandir(T) as it:
    for e in sorted(it, key=lambda e: e.name):
        print(e.name, e.path, e.is_file(), e.is_dir(), e.stat().st_size if e.is_file() else "-")
err(os.rmdir, T + "/d1")
err(os.rename, T + "/missing", T + "/x")
err(os.listdir, T + "/missing")
os.rename(T + "/d1/d2/moved.bin", T + "/back.bin")
os.rmdir(T + "/d1/d2/d3")
os.rmdir(T + "/d1/d2")
os.rmdir(T + "/d1")
print(sorted(os.listdir(T)))

# truncate
os.truncate(T + "/back.bin", 5)
print(open(T + "/back.bin", "rb").read())
os.truncate(T + "/back.bin", 8)
print(open(T + "/back.bin", "rb").read())

# getcwd / chdir with relative paths
here = os.getcwd()
os.chdir(T)
print(os.getcwd() == os.path.join(here, T), sorted(os.listdir(".")))
fd = os.open("rel.txt", os.O_WRONLY | os.O_CREAT)
os.write(fd, b"rel")
os.close(fd)
os.chdir("..")
print(open(T + "/rel.txt").read(), os.getcwd() == here)

# os.path
p = os.path
print(p.join("a", "b", "c"), p.join("/a", "/b"), p.join("a/", "b"), p.join("", "x"))
print(p.split("/a/b/c"), p.split("c"), p.split("/"), p.split("a//b"))
print(p.splitext("x/y.tar.gz"), p.splitext(".bashrc"), p.splitext("a.b/c"), p.splitext("noext"))
print(p.basename("/a/b"), p.dirname("/a/b"), p.basename("a/"), p.dirname("a"))
print(p.normpath("/a/./b/../c//d/"), p.normpath("a/../../b"), p.normpath(""), p.normpath("//x"), p.normpath("///x/.."))
print(p.abspath("x") == p.join(os.getcwd(), "x"), p.abspath("/a/../b"))
print(p.exists(T), p.isdir(T), p.isfile(T), p.exists(T + "/back.bin"), p.isfile(T + "/back.bin"), p.exists(T + "/no"))
print(p.isabs("/x"), p.isabs("x"))

rmtree(T)
print(p.exists(T))
