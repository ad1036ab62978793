# MicroPythonRT: mount the flash filesystem partition at "/", creating littlefs when it is blank.
import vfs
import machine, rp2

# ROOT in the boot environment ("device fstype [flags]", docs/environment.md) chooses what is mounted
# at "/" instead; when it does not mount, the default below, without formatting the partition.
try:
    _fs = __import__("os").getenv("ROOT")
    _fs = _fs and __import__("_osvfs")._mount_root(_fs) and 1
except (ImportError, AttributeError):  # rtos.kernel=none: no environment (os.getenv) and no _osvfs
    _fs = None
if _fs != 1:
    _bdev = rp2.Flash()
    try:
        _fs = vfs.VfsLfs2(_bdev, progsize=256)
    except OSError:
        if _fs is False:
            raise
        vfs.VfsLfs2.mkfs(_bdev, progsize=256)
        _fs = vfs.VfsLfs2(_bdev, progsize=256)
    vfs.mount(_fs, "/")
    del _bdev
# /dev: lib/posix's devices (docs/vfs.md), in firmware with the fd layer
try:
    vfs.mount(__import__("_vfsposix").DevFs(), "/dev")
except ImportError:
    pass
# machine and rp2 stay in __main__'s globals, as on the stock firmware (same REPL namespace, and the
# same fill of its dict, which decides how many slots a failed global lookup probes)
del vfs, _fs
