# MicroPythonRT: mount the flash filesystem partition at "/", creating littlefs when it is blank.
import vfs
import machine, rp2

_bdev = rp2.Flash()
try:
    _fs = vfs.VfsLfs2(_bdev, progsize=256)
except OSError:
    vfs.VfsLfs2.mkfs(_bdev, progsize=256)
    _fs = vfs.VfsLfs2(_bdev, progsize=256)
vfs.mount(_fs, "/")
# /dev: lib/posix's devices (docs/vfs.md), in firmware with the fd layer
try:
    vfs.mount(__import__("_vfsposix").DevFs(), "/dev")
except ImportError:
    pass
# machine and rp2 stay in __main__'s globals, as on the stock firmware (same REPL namespace, and the
# same fill of its dict, which decides how many slots a failed global lookup probes)
del vfs, _bdev, _fs
