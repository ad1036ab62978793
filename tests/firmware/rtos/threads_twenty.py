# Twenty threads alive at once, with the default thread stack size (rtos.thread_stack_size, 4K).
import _thread
import time

N = 20
lock = _thread.allocate_lock()
release = _thread.allocate_lock()
release.acquire()
started = 0
results = [None] * N
finished = 0


def worker(i):
    global started, finished
    with lock:
        started += 1
    release.acquire()  # everyone waits here until all twenty are alive
    release.release()
    results[i] = i * i
    with lock:
        finished += 1


for i in range(N):
    _thread.start_new_thread(worker, (i,))
t0 = time.ticks_ms()
while started < N and time.ticks_diff(time.ticks_ms(), t0) < 2000:
    time.sleep_ms(5)
print("alive at once:", started)
release.release()
while finished < N and time.ticks_diff(time.ticks_ms(), t0) < 4000:
    time.sleep_ms(5)
print("finished:", finished)
print("results ok:", results == [i * i for i in range(N)])
