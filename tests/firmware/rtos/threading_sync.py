# The threading module under contention: Lock, RLock, Condition, Event, Semaphore, BoundedSemaphore,
# Timer, join with timeout, names, idents, enumerate.
import threading
import time

# Lock: four threads increment a shared counter
lock = threading.Lock()
count = [0]


def bump(n):
    for _ in range(n):
        with lock:
            v = count[0]
            time.sleep_ms(0) if v % 50 == 0 else None
            count[0] = v + 1


ts = [threading.Thread(target=bump, args=(100,), name="bump%d" % i) for i in range(4)]
for t in ts:
    t.start()
print("alive:", sum(t.is_alive() for t in ts) >= 1, threading.active_count() >= 2)
for t in ts:
    t.join()
print("lock:", count[0], [t.is_alive() for t in ts], ts[2].name)

# RLock: re-entrant in one thread, exclusive between threads
rl = threading.RLock()
order = []


def rl_user(tag):
    with rl:
        with rl:
            order.append(tag)
            time.sleep_ms(5)
            order.append(tag)


ts = [threading.Thread(target=rl_user, args=(i,)) for i in range(3)]
for t in ts:
    t.start()
for t in ts:
    t.join()
print("rlock pairs:", all(order[i] == order[i + 1] for i in range(0, len(order), 2)), len(order))

# Condition: producer/consumer over a bounded buffer
cond = threading.Condition()
buf = []
got = []


def producer():
    for i in range(50):
        with cond:
            cond.wait_for(lambda: len(buf) < 3)
            buf.append(i)
            cond.notify_all()


def consumer():
    for _ in range(50):
        with cond:
            cond.wait_for(lambda: buf)
            got.append(buf.pop(0))
            cond.notify_all()


ts = [threading.Thread(target=producer), threading.Thread(target=consumer)]
for t in ts:
    t.start()
for t in ts:
    t.join()
print("condition:", got == list(range(50)))

# Event: many waiters released at once; a timed wait times out
ev = threading.Event()
woken = []


def waiter(i):
    if ev.wait():
        woken.append(i)


ts = [threading.Thread(target=waiter, args=(i,)) for i in range(5)]
for t in ts:
    t.start()
t0 = time.ticks_ms()
r = threading.Event().wait(0.05)
dt = time.ticks_diff(time.ticks_ms(), t0)
print("event timeout:", r, 45 <= dt <= 80)
ev.set()
for t in ts:
    t.join()
print("event:", sorted(woken))

# Semaphore: at most two inside at once
sem = threading.Semaphore(2)
inside = [0, 0]
mlock = threading.Lock()


def limited():
    with sem:
        with mlock:
            inside[0] += 1
            inside[1] = max(inside[1], inside[0])
        time.sleep_ms(10)
        with mlock:
            inside[0] -= 1


ts = [threading.Thread(target=limited) for _ in range(6)]
for t in ts:
    t.start()
for t in ts:
    t.join()
print("semaphore max inside:", inside[1])
bs = threading.BoundedSemaphore(1)
bs.acquire()
bs.release()
try:
    bs.release()
except ValueError:
    print("bounded semaphore: ValueError")
print("non-blocking acquire:", sem.acquire(False), sem.acquire(False), sem.acquire(False))

# join with a timeout, Timer, cancel
t = threading.Thread(target=time.sleep_ms, args=(200,))
t.start()
t.join(0.05)
print("join timeout:", t.is_alive())
t.join()
print("joined:", t.is_alive())
fired = []
tm = threading.Timer(0.03, fired.append, ("x",))
tm.start()
tm2 = threading.Timer(0.03, fired.append, ("y",))
tm2.start()
tm2.cancel()
tm.join()
tm2.join()
print("timer:", fired)

# identity
me = threading.current_thread()
print("main:", me is threading.main_thread(), me.name, me.ident == threading.get_ident())
seen = []
t = threading.Thread(target=lambda: seen.append((threading.current_thread().name, threading.get_ident())), name="worker", daemon=True)
t.start()
t.join()
print("worker:", seen[0][0], seen[0][1] == t.ident, t.daemon, t.ident != me.ident)
print("enumerate:", [x.name for x in threading.enumerate()])
