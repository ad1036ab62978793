# A FAT and a littlefs filesystem on RAM block devices mounted side by side with os.mount(source,
# target, fstype, flags), files copied between them through fds and open(), statvfs, EXDEV, MS_RDONLY,
# MS_REMOUNT, umount; /dev/mtdblock0 is the flash filesystem partition mounted at /.
import os, errno


class RAMBlockDev:
    def __init__(self, block_size, num_blocks):
        self.block_size = block_size
        self.data = bytearray(block_size * num_blocks)

    def readblocks(self, block_num, buf, offset=0):
        addr = block_num * self.block_size + offset
        buf[:] = self.data[addr : addr + len(buf)]

    def writeblocks(self, block_num, buf, offset=None):
        if offset is None:
            offset = 0
        addr = block_num * self.block_size + offset
        self.data[addr : addr + len(buf)] = buf

    def ioctl(self, op, arg):
        if op == 4:
            return len(self.data) // self.block_size
        if op == 5:
            return self.block_size
        if op == 6:
            return 0


def err(f, *a):
    try:
        f(*a)
        print("no error")
    except OSError as e:
        print(errno.errorcode.get(e.errno, e.errno))


fat = RAMBlockDev(512, 128)
lfs = RAMBlockDev(512, 64)
os.mkfs(fat, "fatfs")
os.mkfs(lfs, "littlefs")
os.mount(fat, "/fat", "fatfs")
os.mount(lfs, "/lfs", "littlefs")
print(os.MS_RDONLY, os.MS_REMOUNT)

# a file written on FAT through an fd, copied to littlefs through open(), and back with fds
fd = os.open("/fat/data.bin", os.O_WRONLY | os.O_CREAT)
for i in range(40):
    os.write(fd, bytes(range(i, i + 50)))
os.close(fd)
os.mkdir("/lfs/sub")
with open("/fat/data.bin", "rb") as src, open("/lfs/sub/copy.bin", "wb") as dst:
    while True:
        b = src.read(300)
        if not b:
            break
        dst.write(b)
src = os.open("/lfs/sub/copy.bin", os.O_RDONLY)
dst = os.open("/fat/back.bin", os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
while True:
    b = os.read(src, 128)
    if not b:
        break
    os.write(dst, b)
os.close(src)
os.close(dst)
a = open("/fat/data.bin", "rb").read()
print(len(a), a == open("/lfs/sub/copy.bin", "rb").read() == open("/fat/back.bin", "rb").read())
print(os.stat("/fat/back.bin").st_size, os.stat("/lfs/sub/copy.bin").st_size)
print(sorted(os.listdir("/fat")), os.listdir("/lfs"), os.listdir("/lfs/sub"))
print("fat" in os.listdir("/") and "lfs" in os.listdir("/") and "dev" in os.listdir("/"))

# statvfs: block size and count of each
for m in ("/fat", "/lfs"):
    s = os.statvfs(m)
    print(m, s.f_bsize, s.f_blocks, s[0] == s.f_bsize, s.f_bfree <= s.f_blocks, isinstance(s, os.statvfs_result))

# rename within one filesystem across directories; across filesystems: EXDEV
os.rename("/lfs/sub/copy.bin", "/lfs/top.bin")
print(os.listdir("/lfs/sub"), sorted(os.listdir("/lfs")))
err(os.rename, "/lfs/top.bin", "/fat/top.bin")
os.mkdir("/fat/dir")
os.rename("/fat/back.bin", "/fat/dir/back.bin")
print(os.listdir("/fat/dir"))

# read-only mount, remount
os.umount("/lfs")
err(os.listdir, "/lfs")
os.mount(lfs, "/lfs", "littlefs", os.MS_RDONLY)
print(sorted(os.listdir("/lfs")), os.stat("/lfs/top.bin").st_size)
err(os.open, "/lfs/new", os.O_WRONLY | os.O_CREAT)
err(os.mkdir, "/lfs/d")
os.mount(lfs, "/lfs", "littlefs", os.MS_REMOUNT)
fd = os.open("/lfs/new", os.O_WRONLY | os.O_CREAT)
print(os.write(fd, b"now writable"))
os.close(fd)
print(open("/lfs/new").read())
err(os.mount, lfs, "/x", "nosuchfs")
os.umount("/fat")
os.umount("/lfs")
print(os.path.exists("/fat/data.bin"), os.path.exists("/lfs/new"))

# MicroPython's own form still works: os.mount(fs_object, path)
import vfs

os.mount(vfs.VfsFat(fat), "/fat2")
print(sorted(os.listdir("/fat2")))
vfs.umount("/fat2")

# the flash partition: /dev/mtdblock0 is the filesystem mounted at "/" (littlefs)
import rp2

fd = os.open("/dev/mtdblock0", os.O_RDONLY)
head = os.read(fd, 64)
size = os.fstat(fd).st_size
os.close(fd)
buf = bytearray(64)
rp2.Flash().readblocks(0, buf)
print(head == buf, b"littlefs" in head, size == rp2.Flash().ioctl(4, 0) * rp2.Flash().ioctl(5, 0))
err(os.open, "/dev/mtdblock0", os.O_WRONLY)
print(os.stat("/dev/mtdblock0").st_mode & 0o170000 == 0o060000)
