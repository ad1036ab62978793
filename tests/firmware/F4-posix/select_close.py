# A thread blocked in poll or select on an fd that another thread closes is woken with an error: poll
# reports POLLNVAL, select raises OSError(EBADF). (CPython on Linux keeps waiting: our own expected output.)
import _thread
import errno
import os
import select
import time

r, w = os.pipe()
result = []


def poller():
    p = select.poll()
    p.register(r, select.POLLIN)
    result.append(p.poll())


_thread.start_new_thread(poller, ())
time.sleep_ms(50)
print("blocked:", result)
os.close(r)
t0 = time.ticks_ms()
while not result and time.ticks_diff(time.ticks_ms(), t0) < 2000:
    time.sleep_ms(5)
print("poll woken:", result == [[(r, select.POLLNVAL)]])

r, w2 = os.pipe()
result = []


def selecter():
    try:
        select.select([r], [], [])
        result.append("returned")
    except OSError as e:
        result.append(e.errno == errno.EBADF)


_thread.start_new_thread(selecter, ())
time.sleep_ms(50)
os.close(r)
t0 = time.ticks_ms()
while not result and time.ticks_diff(time.ticks_ms(), t0) < 2000:
    time.sleep_ms(5)
print("select woken with EBADF:", result)
os.close(w)
os.close(w2)
