# 1,000 threads created and joined in sequence, results checked; the C heap is stable afterwards.
import _thread
import micropython
import time

results = []
done = _thread.allocate_lock()


def worker(i):
    results.append(i * 3)
    done.release()


def run(n):
    for i in range(n):
        done.acquire()
        _thread.start_new_thread(worker, (i,))
        done.acquire()  # "join": the worker released it as its last action
        done.release()
        time.sleep_ms(0)


run(10)
time.sleep_ms(20)  # the idle task frees the stacks of deleted tasks
before = micropython.malloc_stats()[1]
results = []
t0 = time.ticks_ms()
run(1000)
elapsed = time.ticks_diff(time.ticks_ms(), t0)
time.sleep_ms(20)
after = micropython.malloc_stats()[1]
print("joined:", len(results))
print("results ok:", results == [i * 3 for i in range(1000)])
print("C heap stable:", after == before)
if after != before:
    print(before, after)
print("rate ok:", elapsed < 10000)
