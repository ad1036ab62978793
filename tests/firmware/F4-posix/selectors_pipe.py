# selectors (CPython's API) over pipes and eventfds: keys, the map, errors, and 10,000 messages from a
# producer thread through a pipe, read with a DefaultSelector, none lost or reordered. The expected
# output is CPython's.
import _thread
import os
import selectors

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


sel = selectors.DefaultSelector()
kr = sel.register(r, selectors.EVENT_READ, "reader")
print(kr.fileobj == r, kr.fd == r, kr.events, kr.data)
we = Wrap(w)
kw = sel.register(we, selectors.EVENT_WRITE)
print(kw.fileobj is we, kw.fd == w, kw.data)
sel.register(e, selectors.EVENT_READ | selectors.EVENT_WRITE, "counter")
print("now:", show(sel.select(0)))
os.write(w, b"x")
os.eventfd_write(e, 1)
print("ready:", show(sel.select(timeout=0)))
print(os.read(r, 1), os.eventfd_read(e))
print("map:", len(sel.get_map()), r in sel.get_map(), we in sel.get_map(), 99 in sel.get_map())
print(sel.get_key(we).fd == w, sel.get_map()[r].data)
k2 = sel.modify(e, selectors.EVENT_READ, "counter2")
print("modified:", k2.events, k2.data, show(sel.select(0)))
for call in (lambda: sel.register(r, selectors.EVENT_READ), lambda: sel.unregister(99), lambda: sel.get_key(98),
             lambda: sel.modify(97, selectors.EVENT_READ)):
    try:
        call()
    except KeyError:
        print("KeyError")
for bad in (0, 4):
    try:
        sel.register(99, bad)
    except ValueError:
        print("ValueError", bad)
try:
    sel.register(-1, selectors.EVENT_READ)
except ValueError:
    print("ValueError fd")
print(sel.unregister(we).fileobj is we, len(sel.get_map()))
print("timeout:", sel.select(0.05))
sel.unregister(e)
sel.close()

# 10,000 messages through a pipe between two threads, read with a selector
N = 10000
done = []


def producer():
    for i in range(N):
        os.write(w, b"%07d\n" % i)
    done.append(True)


with selectors.DefaultSelector() as s:
    s.register(r, selectors.EVENT_READ)
    _thread.start_new_thread(producer, ())
    buf = b""
    got = 0
    ok = True
    while got < N:
        for key, ev in s.select():
            buf += os.read(key.fd, 512)
        lines = buf.split(b"\n")
        buf = lines.pop()
        for line in lines:
            if line != b"%07d" % got:
                ok = False
            got += 1
    print("messages:", got, "in order:", ok, "leftover:", buf)
os.close(r)
os.close(w)
os.close(e)
