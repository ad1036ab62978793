# select.Selector (the feature list's epoll-like object: CPython's selectors.EpollSelector API) over
# pipes, an eventfd and objects with fileno(), and select.poll/select.select's CPython rules: modify of
# an unknown fd is an OSError with errno ENOENT (CPython: FileNotFoundError), unregister of one a
# KeyError, timeout None blocks until an fd is ready. The expected output is CPython's (select.Selector
# is selectors.EpollSelector there).
import errno
import os
import select
import selectors
import sys
import _thread
import time

if sys.implementation.name == "cpython":
    select.Selector = selectors.EpollSelector



def now():
    # seconds, to the millisecond (MicroPython's now() counts whole seconds)
    return time.ticks_ms() / 1000 if hasattr(time, "ticks_ms") else time.monotonic()


print(select.Selector is selectors.EpollSelector)
r, w = os.pipe()
e = os.eventfd(0)
names = {r: "r", w: "w", e: "e"}


class Wrap:
    def __init__(self, fd):
        self.fd = fd

    def fileno(self):
        return self.fd


def show(ready):
    return sorted((names[key.fd], key.data, ev) for key, ev in ready)


with select.Selector() as sel:
    kr = sel.register(r, selectors.EVENT_READ, "reader")
    print(kr.fd == r, kr.events, kr.data)
    we = Wrap(w)
    sel.register(we, selectors.EVENT_WRITE, "writer")
    sel.register(e, selectors.EVENT_READ, "counter")
    print("now:", show(sel.select(0)))
    os.write(w, b"ab")
    os.eventfd_write(e, 3)
    print("ready:", show(sel.select(timeout=0)))
    print(os.read(r, 2), os.eventfd_read(e))
    print("modify:", sel.modify(we, selectors.EVENT_READ, "w-read").events, show(sel.select(0)))
    print("get_key:", sel.get_key(e).data, len(sel.get_map()), we in sel.get_map())
    print("unregister:", sel.unregister(e).data, len(sel.get_map()))
    for call in (lambda: sel.unregister(e), lambda: sel.modify(e, selectors.EVENT_READ), lambda: sel.get_key(e)):
        try:
            call()
        except KeyError:
            print("KeyError")
    t0 = now()
    print("timeout:", sel.select(0.05), now() - t0 >= 0.04)
try:
    sel.get_key(r)
except RuntimeError:
    print("closed")

# select.poll: CPython's errors
p = select.poll()
p.register(r, select.POLLIN)
try:
    p.modify(e, select.POLLIN)
except OSError as ex:
    print("modify unknown:", isinstance(ex, OSError), ex.errno == errno.ENOENT)
try:
    p.unregister(e)
except KeyError:
    print("unregister unknown: KeyError")
p.unregister(r)


# timeout=None blocks until a thread writes (poll, select.select, Selector.select)
def later(ms, fd, data):
    time.sleep(ms / 1000)
    os.write(fd, data)


_thread.start_new_thread(later, (100, w, b"1"))
t0 = now()
p.register(r, select.POLLIN)
print("poll(None):", [(names[fd], ev) for fd, ev in p.poll(None)], now() - t0 >= 0.09)
print(os.read(r, 1))
_thread.start_new_thread(later, (100, w, b"2"))
t0 = now()
print("select(None):", select.select([r], [], [], None) == ([r], [], []), now() - t0 >= 0.09)
print(os.read(r, 1))
_thread.start_new_thread(later, (100, w, b"3"))
t0 = now()
sel = select.Selector()
sel.register(r, selectors.EVENT_READ)
print("Selector.select(None):", show(sel.select(None)), now() - t0 >= 0.09)
print(os.read(r, 1))
sel.close()
for fd in (r, w, e):
    os.close(fd)
