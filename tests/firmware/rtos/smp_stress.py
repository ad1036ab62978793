# The kernel's SMP paths from Python: many threads on both cores (when there are two) hammer locks
# and a bounded queue (kernel spinlocks and critical sections from both cores, waits and wakes across
# cores), two threads ping-pong through locks (every hand-over wakes a task that may be on the other
# core: cross-core yield), and the pinned tasks stay on their cores while this runs (affinity: the USB
# task and IDLE on core 0, IDLE1 on core 1). Results are checked; the output does not depend on the
# number of cores (tests/firmware/rtos.test.ts checks which cores the threads ran on).
import _thread
import machine
import micropython
import threading
import time

SIO_CPUID = 0xD0000000


def core():
    return machine.mem32[SIO_CPUID]


cores_seen = set()
stats_lock = _thread.allocate_lock()


def note_core():
    c = core()
    if c not in cores_seen:
        with stats_lock:
            cores_seen.add(c)


# 1. eight threads increment a shared counter under a lock, yielding inside the critical region now
#    and then, so that the lock is contended from both cores
N, K = 8, 150
count = [0]
count_lock = _thread.allocate_lock()
finished = [0]


def bump():
    for i in range(K):
        with count_lock:
            v = count[0]
            if i % 16 == 0:
                time.sleep_ms(0)
            count[0] = v + 1
        if i % 8 == 0:
            note_core()
    with stats_lock:
        finished[0] += 1


# 2. a bounded queue (threading.Condition): four producers, four consumers
PRODUCERS, ITEMS, CAP = 4, 60, 4
cond = threading.Condition()
queue = []
consumed = []
producers_done = [0]


def producer(p):
    for i in range(ITEMS):
        with cond:
            while len(queue) >= CAP:
                cond.wait()
            queue.append(p * 1000 + i)
            cond.notify_all()
        if i % 10 == 0:
            note_core()
    with cond:
        producers_done[0] += 1
        cond.notify_all()


def consumer():
    while True:
        with cond:
            while not queue and producers_done[0] < PRODUCERS:
                cond.wait()
            if not queue:
                cond.notify_all()
                break
            consumed.append(queue.pop(0))
            cond.notify_all()
        note_core()
    with stats_lock:
        finished[0] += 1


# 3. ping-pong: strictly alternating hand-overs between two threads
ROUNDS = 200
ping, pong = _thread.allocate_lock(), _thread.allocate_lock()
ping.acquire()
pong.acquire()
trace = []


def player(mine, other, tag):
    for _ in range(ROUNDS):
        mine.acquire()
        trace.append(tag)
        note_core()
        other.release()
    with stats_lock:
        finished[0] += 1


samples = {}


def sample_tasks():
    for t in micropython.tasks():
        if t[0] in ("usb", "IDLE", "IDLE0", "IDLE1") and t[3] is not None:
            samples.setdefault(t[0], set()).add(t[3])


t0 = time.ticks_ms()
for _ in range(N):
    _thread.start_new_thread(bump, ())
threads = [threading.Thread(target=producer, args=(p,)) for p in range(PRODUCERS)]
threads += [threading.Thread(target=consumer) for _ in range(4)]
for t in threads:
    t.start()
_thread.start_new_thread(player, (ping, pong, "a"))
_thread.start_new_thread(player, (pong, ping, "b"))
ping.release()
while finished[0] < N + 4 + 2 and time.ticks_diff(time.ticks_ms(), t0) < 15000:
    sample_tasks()
    note_core()
    time.sleep_ms(2)
for t in threads:
    t.join()
print("counter:", count[0] == N * K, count[0])
expected = sorted(p * 1000 + i for p in range(PRODUCERS) for i in range(ITEMS))
print("queue:", sorted(consumed) == expected, len(consumed))
print("per-producer order:", all([x for x in consumed if x // 1000 == p] == [p * 1000 + i for i in range(ITEMS)] for p in range(PRODUCERS)))
print("ping-pong:", trace == ["a", "b"] * ROUNDS)
print("cores:", cores_seen <= {0, 1} and 0 in cores_seen)
dual = 1 in cores_seen
# core 0's idle task is "IDLE" on lib/rtos, "IDLE0" on the FreeRTOS-Kernel
ok = samples.get("usb", {0}) <= {0} and samples.get("IDLE", {0}) <= {0} and samples.get("IDLE0", {0}) <= {0}
if dual:
    ok = ok and samples.get("IDLE1", {1}) <= {1}
print("affinity:", ok, "" if ok else samples)
print("cores used:", sorted(cores_seen))
