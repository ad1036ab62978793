# signal.alarm: interrupts time.sleep in the main thread, which resumes for the remaining time (PEP 475),
# a busy loop, a blocked os.read and select (retried after the handler); remaining seconds (CPython's
# output)
import os
import select
import signal
import time

got = []


def handler(signum, frame):
    got.append((signum, round(time.time() - t0)))


signal.signal(signal.SIGALRM, handler)

# the sleep resumes after the handler and lasts its full time
t0 = time.time()
print(signal.alarm(1))
time.sleep(2)
print("sleep", got, round(time.time() - t0))
got.clear()

# alarm returns the seconds left of the previous alarm; 0 cancels
print(signal.alarm(5))
print(signal.alarm(3))
print(signal.alarm(0))
print(signal.alarm(0))
t0 = time.time()
time.sleep(1)
print("cancelled", got)

# a busy loop is interrupted
t0 = time.time()
signal.alarm(1)
while not got:
    pass
print("busy", got)
got.clear()

# a handler that raises ends the sleep
class Timeout(Exception):
    pass


def timeout(signum, frame):
    raise Timeout


signal.signal(signal.SIGALRM, timeout)
t0 = time.time()
signal.alarm(1)
try:
    time.sleep(5)
except Timeout:
    print("Timeout after", round(time.time() - t0))

# a read blocked on an empty pipe: the handler runs, the read goes on (PEP 475), a write ends it
r, w = os.pipe()
signal.signal(signal.SIGALRM, handler)
t0 = time.time()
signal.alarm(1)
def writer(signum, frame):
    got.append(signum)
    os.write(w, b"x")
signal.signal(signal.SIGALRM, writer)
print("read", os.read(r, 10), got, round(time.time() - t0))
got.clear()

# select: retried after the handler with the timeout that is left
t0 = time.time()
signal.signal(signal.SIGALRM, handler)
signal.alarm(1)
print("select", select.select([r], [], [], 2), got, round(time.time() - t0))
got.clear()
# a handler that raises ends a blocked read
signal.signal(signal.SIGALRM, timeout)
signal.alarm(1)
try:
    os.read(r, 10)
except Timeout:
    print("read Timeout")
os.close(r)
os.close(w)
signal.signal(signal.SIGALRM, signal.SIG_DFL)
