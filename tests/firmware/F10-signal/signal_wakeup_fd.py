# signal.set_wakeup_fd: the signal number is written to the fd before the handler runs, so a select
# that the signal interrupted sees the fd readable (how an event loop wakes for a signal) (CPython's
# output)
import os
import select
import signal
import time

r, w = os.pipe()
try:
    signal.set_wakeup_fd(w)
except ValueError as e:
    print("ValueError", e)
try:
    signal.set_wakeup_fd(100)
except OSError as e:
    print("OSError", e.errno)
os.set_blocking(w, False)
print(signal.set_wakeup_fd(w))
got = []
signal.signal(signal.SIGALRM, lambda s, f: got.append(s))
t0 = time.time()
signal.alarm(1)
ready = select.select([r], [], [], 5)
print(ready == ([r], [], []), got, round(time.time() - t0), list(os.read(r, 10)))
signal.raise_signal(signal.SIGALRM)
print(list(os.read(r, 10)), got)
# SIG_IGN and SIG_DFL handlers write nothing
signal.signal(signal.SIGALRM, signal.SIG_IGN)
signal.raise_signal(signal.SIGALRM)
print(select.select([r], [], [], 0))
print(signal.set_wakeup_fd(-1) == w)
signal.signal(signal.SIGALRM, signal.SIG_DFL)
os.close(r)
os.close(w)
