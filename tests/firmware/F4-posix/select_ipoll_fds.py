# select.poll().ipoll over fds (MicroPython's API: one reused tuple, one-shot flag), and with the heap
# locked (asyncio's loop relies on ipoll not allocating).
import micropython
import os
import select

r, w = os.pipe()
e = os.eventfd(0)
p = select.poll()
p.register(r, select.POLLIN)
p.register(e, select.POLLIN)
print("idle:", list(p.ipoll(0)))
os.write(w, b"a")
print("ready:", [(fd == r, ev) for fd, ev in p.ipoll(0)])
# one-shot: reported once, then disabled until modify()
print("one-shot:", [(fd == r, ev) for fd, ev in p.ipoll(0, 1)], list(p.ipoll(0, 1)))
p.modify(r, select.POLLIN)
os.eventfd_write(e, 1)


def count_locked(p):
    micropython.heap_lock()
    n = 0
    for fd, ev in p.ipoll(10):
        n += 1
    micropython.heap_unlock()
    return n


print("with the heap locked:", count_locked(p))
for fd in (r, w, e):
    os.close(fd)
