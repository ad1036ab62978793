# The os functions of MicroPythonRT written in Python (docs/vfs.md): scandir and DirEntry, makedirs,
# removedirs, walk, truncate, mount/mkfs with a source device and an fstype. os finds them here
# through its __getattr__ (ports/rp2/posix/mp_vfs_posix_py.c), at first use.
import os
import vfs

MS_RDONLY = 1
MS_REMOUNT = 32

_S_IFMT = 0o170000
_S_IFDIR = 0o040000
_S_IFREG = 0o100000


class DirEntry:
    def __init__(self, top, name, mode, ino):
        self.name = name
        if top.endswith("/" if isinstance(top, str) else b"/"):
            self.path = top + name
        else:
            self.path = top + ("/" if isinstance(top, str) else b"/") + name
        self._mode = mode
        self._ino = ino
        self._stat = None

    def inode(self):
        return self._ino

    def is_dir(self, *, follow_symlinks=True):
        return self._mode & _S_IFMT == _S_IFDIR

    def is_file(self, *, follow_symlinks=True):
        return self._mode & _S_IFMT == _S_IFREG

    def is_symlink(self):
        return False

    def stat(self, *, follow_symlinks=True):
        if self._stat is None:
            self._stat = os.stat(self.path)
        return self._stat

    def __fspath__(self):
        return self.path

    def __repr__(self):
        return "<DirEntry %r>" % self.name


class _ScandirIterator:
    def __init__(self, path):
        self._path = path
        self._it = os.ilistdir(path)

    def __iter__(self):
        return self

    def __next__(self):
        if self._it is None:
            raise StopIteration
        e = next(self._it)
        return DirEntry(self._path, e[0], e[1], e[2])

    def close(self):
        self._it = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def scandir(path="."):
    return _ScandirIterator(path)


def makedirs(name, mode=0o777, exist_ok=False):
    import posixpath

    head, tail = posixpath.split(name)
    if not tail:
        head, tail = posixpath.split(head)
    if head and tail and not posixpath.exists(head):
        try:
            makedirs(head, mode, exist_ok=True)
        except OSError as e:
            if e.errno != 17:  # EEXIST: made meanwhile
                raise
    try:
        os.mkdir(name)
    except OSError:
        if not exist_ok or not posixpath.isdir(name):
            raise


def removedirs(name):
    import posixpath

    os.rmdir(name)
    head, tail = posixpath.split(name)
    if not tail:
        head, tail = posixpath.split(head)
    while head and tail:
        try:
            os.rmdir(head)
        except OSError:
            break
        head, tail = posixpath.split(head)


def walk(top, topdown=True, onerror=None):
    try:
        entries = list(scandir(top))
    except OSError as e:
        if onerror is not None:
            onerror(e)
        return
    dirs = [e.name for e in entries if e.is_dir()]
    files = [e.name for e in entries if not e.is_dir()]
    if topdown:
        yield top, dirs, files
    for d in dirs:
        yield from walk(top + "/" + d if top[-1:] != "/" else top + d, topdown, onerror)
    if not topdown:
        yield top, dirs, files


def truncate(path, length):
    # The filesystems' files have no truncate: the file is written again with its first `length`
    # bytes (a longer length pads with zeros), through a temporary file renamed over it.
    if length < 0:
        raise OSError(22)
    size = os.stat(path)[6]
    if length == size:
        return
    if length > size:
        with open(path, "ab") as f:
            zeros = bytes(min(512, length - size))
            while size < length:
                n = f.write(zeros[: min(len(zeros), length - size)])
                size += n
        return
    tmp = path + ".~trunc"
    buf = bytearray(512)
    with open(path, "rb") as src, open(tmp, "wb") as dst:
        left = length
        while left > 0:
            n = src.readinto(buf)
            if not n:
                break
            n = min(n, left)
            dst.write(memoryview(buf)[:n])
            left -= n
    os.rename(tmp, path)


def _blockdev(source):
    if not isinstance(source, (str, bytes)):
        return source  # a block-device object (readblocks, writeblocks, ioctl)
    import posixpath

    p = posixpath.normpath(source)
    if p in ("/dev/mtdblock0", "/dev/mtd0"):
        # the flash filesystem partition, through the driver that writes and erases it
        import rp2

        return rp2.Flash()
    if not p.startswith("/dev/"):
        raise OSError(19)  # ENODEV
    import _vfsposix

    return _vfsposix.BlockDev(p)


def _fs(source, fstype):
    if fstype == "devfs":
        import _vfsposix

        return _vfsposix.DevFs()
    bdev = _blockdev(source)
    if fstype == "littlefs":
        if isinstance(source, str) and "mtd" in source:
            return vfs.VfsLfs2(bdev, progsize=256)  # as _boot.py mounts the flash partition
        return vfs.VfsLfs2(bdev)
    if fstype in ("fatfs", "vfat", "fat"):
        return vfs.VfsFat(bdev)
    raise OSError(19)  # ENODEV: unknown filesystem type


def mount(source, target, fstype=None, flags=0, **kw):
    # mount(fs_object, target, readonly=False, mkfs=False) as MicroPython's os.mount and vfs.mount
    if fstype is None:
        return vfs.mount(source, target, **kw)
    if flags & ~(MS_RDONLY | MS_REMOUNT):
        raise OSError(22)
    if flags & MS_REMOUNT:
        vfs.umount(target)
    vfs.mount(_fs(source, fstype), target, readonly=bool(flags & MS_RDONLY))


def umount(target):
    vfs.umount(target)


def mkfs(source, fstype):
    bdev = _blockdev(source)
    if fstype == "littlefs":
        if isinstance(source, str) and "mtd" in source:
            vfs.VfsLfs2.mkfs(bdev, progsize=256)
        else:
            vfs.VfsLfs2.mkfs(bdev)
    elif fstype in ("fatfs", "vfat", "fat"):
        vfs.VfsFat.mkfs(bdev)
    else:
        raise OSError(19)


def _mount_root(spec):
    # ROOT from the boot environment (_boot.py): "device fstype [flags]", flags "ro", "rw" or a number
    # (MS_RDONLY). True when it is mounted at "/"; False (with a message) leaves "/" to the default.
    try:
        parts = spec.split()
        if len(parts) not in (2, 3):
            raise ValueError("expected 'device fstype [flags]'")
        flags = 0
        if len(parts) == 3:
            flags = {"ro": MS_RDONLY, "rw": 0}.get(parts[2])
            if flags is None:
                flags = int(parts[2], 0)
        mount(parts[0], "/", parts[1], flags)
        return True
    except Exception as e:
        print("ROOT=%s: %r, / is the flash filesystem" % (spec, e))
        return False
