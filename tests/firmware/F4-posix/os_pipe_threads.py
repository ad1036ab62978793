# Pipes and eventfds between threads: a blocked os.read blocks only its thread (with the GIL released,
# other threads run meanwhile), 2,000 messages cross a pipe in order, and closing an fd another thread
# is blocked on wakes it with EBADF.
import _thread
import errno
import os
import time

# 1. The main thread blocks in os.read; a second thread counts, then writes.
r, w = os.pipe()
state = {"count": 0}


def counter_then_write():
    t0 = time.ticks_ms()
    while time.ticks_diff(time.ticks_ms(), t0) < 50:
        state["count"] += 1
    os.write(w, b"wake")


_thread.start_new_thread(counter_then_write, ())
print("read:", os.read(r, 10))
print("other thread ran while main was blocked:", state["count"] > 100)

# 2. 2,000 messages from a producer thread, read in order by the main thread.
N = 2000
done = os.eventfd(0)


def producer():
    for i in range(N):
        os.write(w, b"%05d;" % i)
    os.eventfd_write(done, 1)


_thread.start_new_thread(producer, ())
buf = b""
got = 0
ok = True
while got < N:
    buf += os.read(r, 256)
    while len(buf) >= 6:
        msg, buf = buf[:6], buf[6:]
        if msg != b"%05d;" % got:
            ok = False
        got += 1
print("messages:", got, "in order:", ok, "producer done:", os.eventfd_read(done))

# 3. A thread blocked in os.read on r is woken with EBADF when the main thread closes r.
result = []


def blocked_reader():
    try:
        os.read(r, 1)
        result.append("returned")
    except OSError as e:
        result.append(e.errno == errno.EBADF)


_thread.start_new_thread(blocked_reader, ())
time.sleep_ms(50)
print("still blocked:", result)
os.close(r)
t0 = time.ticks_ms()
while not result and time.ticks_diff(time.ticks_ms(), t0) < 2000:
    time.sleep_ms(5)
print("woken with EBADF:", result)
os.close(w)
os.close(done)
