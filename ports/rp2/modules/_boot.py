# MicroPythonRT: mount the flash filesystem partition at "/", creating littlefs when it is blank.
import vfs
import rp2

_bdev = rp2.Flash()
try:
    _fs = vfs.VfsLfs2(_bdev, progsize=256)
except OSError:
    vfs.VfsLfs2.mkfs(_bdev, progsize=256)
    _fs = vfs.VfsLfs2(_bdev, progsize=256)
vfs.mount(_fs, "/")
del vfs, rp2, _bdev, _fs
