# os.eventfd and friends, with CPython's semantics (the expected output is CPython's).
import errno
import os

print(os.EFD_NONBLOCK == os.O_NONBLOCK, os.EFD_CLOEXEC == os.O_CLOEXEC, os.EFD_SEMAPHORE)
fd = os.eventfd(0)
os.eventfd_write(fd, 3)
os.eventfd_write(fd, 4)
print("summed:", os.eventfd_read(fd))
os.eventfd_write(fd, 2**63)
print("big:", os.eventfd_read(fd) == 2**63)
print(os.write(fd, (5).to_bytes(8, "little")), int.from_bytes(os.read(fd, 8), "little"))
try:
    os.read(fd, 4)
except OSError as e:
    print("short read:", e.errno == errno.EINVAL)
try:
    os.eventfd_write(fd, 2**64 - 1)
except OSError as e:
    print("max:", e.errno == errno.EINVAL)
for bad in (-1, 2**64, 1.5):
    try:
        os.eventfd_write(fd, bad)
    except (ValueError, OverflowError, TypeError) as e:
        print(bad, type(e).__name__)
try:
    os.eventfd(-1)
except ValueError:
    print("eventfd(-1): ValueError")
os.set_blocking(fd, False)
try:
    os.eventfd_read(fd)
except OSError as e:
    print("empty:", e.errno == errno.EAGAIN)
os.close(fd)

sem = os.eventfd(2, os.EFD_SEMAPHORE | os.EFD_NONBLOCK)
print("non-blocking:", not os.get_blocking(sem))
print([os.eventfd_read(sem) for _ in range(2)])
try:
    os.eventfd_read(sem)
except OSError as e:
    print("drained:", e.errno == errno.EAGAIN)
os.close(sem)
try:
    os.eventfd(0, 0x40000000)
except OSError as e:
    print("bad flags:", e.errno == errno.EINVAL)
