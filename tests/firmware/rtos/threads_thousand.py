# 1,000 threads created and joined in sequence, results checked; the C heap is stable afterwards, and
# the GC heap (where the threads' stacks are) is back to its level once collected.
import _thread
import gc
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


def gc_free():
    time.sleep_ms(20)  # the last thread parks
    micropython.tasks()  # deletes finished threads' tasks
    gc.collect()
    return gc.mem_free()


run(10)
results = []
before = micropython.malloc_stats()[1]
gc_before = gc_free()
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
results = []
gc_after = gc_free()
print("GC heap back:", abs(gc_after - gc_before) <= 256)
if abs(gc_after - gc_before) > 256:
    print(gc_before, gc_after)
print("rate ok:", elapsed < 10000)
