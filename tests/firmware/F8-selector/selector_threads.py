# 10,000 messages from a producer thread through a pipe, read by the main thread with a select.Selector
# (CPython: selectors.EpollSelector): none lost, none reordered, the writer blocking when the pipe is
# full. The expected output is CPython's.
import os
import select
import selectors
import sys
import _thread

if sys.implementation.name == "cpython":
    select.Selector = selectors.EpollSelector

N = 10000
r, w = os.pipe()
done = _thread.allocate_lock()
done.acquire()


def producer():
    for i in range(N):
        os.write(w, b"%05d;" % i)
    os.close(w)
    done.release()


_thread.start_new_thread(producer, ())
sel = select.Selector()
sel.register(r, selectors.EVENT_READ)
buf = b""
count = 0
bad = 0
wakeups = 0
eof = False
while not eof:
    for key, ev in sel.select(None):
        wakeups += 1
        data = os.read(key.fd, 600)
        if not data:
            eof = True
            break
        buf += data
        while len(buf) >= 6:
            if buf[:6] != b"%05d;" % count:
                bad += 1
            count += 1
            buf = buf[6:]
done.acquire()
sel.close()
os.close(r)
print(count, bad, len(buf), wakeups > 0)
