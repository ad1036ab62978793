# select.poll and select.select over fds (pipes, eventfds, objects with fileno()), CPython's semantics
# (the expected output is CPython's).
import _thread
import errno
import os
import select
import time

r, w = os.pipe()
e = os.eventfd(0)
names = {r: "r", w: "w", e: "e"}


def now():
    # seconds, to the millisecond (MicroPython's time.time() counts whole seconds)
    return time.ticks_ms() / 1000 if hasattr(time, "ticks_ms") else time.time()



def show(events):
    return sorted((names[fd], ev) for fd, ev in events)


p = select.poll()
p.register(r, select.POLLIN)
p.register(e, select.POLLIN)
p.register(w, select.POLLOUT)
print("idle:", show(p.poll(0)))
os.write(w, b"x")
os.eventfd_write(e, 2)
print("ready:", show(p.poll(0)))
print(os.read(r, 1), os.eventfd_read(e))
p.modify(w, select.POLLIN)
t0 = now()
print("timeout:", p.poll(100), now() - t0 >= 0.09)
p.unregister(w)
try:
    p.unregister(w)
except KeyError:
    print("unregister unknown: KeyError")
try:
    p.modify(w, select.POLLIN)
except OSError as ex:
    print("modify unknown:", ex.errno == errno.ENOENT)


# a poll with no timeout sleeps until another thread writes
def write_later(fd, data, delay):
    time.sleep(delay)
    os.write(fd, data)


_thread.start_new_thread(write_later, (w, b"late", 0.05))
t0 = now()
print("woken:", show(p.poll()), now() - t0 >= 0.04)
print(os.read(r, 10))
_thread.start_new_thread(os.eventfd_write, (e, 7))
print("woken by eventfd:", show(p.poll(None)), os.eventfd_read(e))


# select.select, with ints and objects with fileno()
class Wrap:
    def __init__(self, fd):
        self.fd = fd

    def fileno(self):
        return self.fd


wr = Wrap(r)
rl, wl, xl = select.select([wr, e], [w], [], 0)
print("select:", rl == [], wl == [w], xl)
os.write(w, b"y")
rl, wl, xl = select.select([wr, e], [], [], None)
print("select ready:", rl == [wr], os.read(r, 5))
_thread.start_new_thread(write_later, (w, b"z", 0.05))
rl, wl, xl = select.select([r], [], [])
print("select woken:", rl == [r], os.read(r, 5))
t0 = now()
print("select timeout:", select.select([r, e], [], [], 0.1), now() - t0 >= 0.09)
os.close(w)
print("hangup:", show(p.poll(0)), select.select([r], [], [], 0)[0] == [r], os.read(r, 5))
os.close(r)
try:
    select.select([r], [], [], 0)
except OSError as ex:
    print("select closed fd:", ex.errno == errno.EBADF)
os.close(e)
