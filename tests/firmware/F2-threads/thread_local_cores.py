# _thread.local with six threads on both cores: each sees only its own values while the threads
# compute, sleep and move between cores (prints the cores they ran on)
import _thread
import machine
import time

SIO_CPUID = 0xD0000000
L = _thread.local()
lock = _thread.allocate_lock()
cores = set()
errors = []
done = []


def worker(i):
    L.v = i
    L.n = 0
    seen = set()
    for j in range(300):
        seen.add(machine.mem32[SIO_CPUID])
        if L.v != i:
            errors.append((i, L.v))
        L.n += 1
        sum(range(20))
        if j % 30 == 0:
            time.sleep_ms(1)
    with lock:
        cores.update(seen)
        done.append((i, L.n, L.v))


for i in range(6):
    _thread.start_new_thread(worker, (i,))
t0 = time.ticks_ms()
while len(done) < 6 and time.ticks_diff(time.ticks_ms(), t0) < 10000:
    time.sleep_ms(10)
print(sorted(done))
print(errors, sorted(cores), hasattr(L, "v"))
