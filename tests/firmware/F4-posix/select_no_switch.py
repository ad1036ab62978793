# A thread blocked in select is not scheduled while nothing happens: its task's switch-in count
# (micropython.tasks()) stays the same over 500 ms, and goes up once a write wakes it.
import _thread
import micropython
import os
import select
import time

r, w = os.pipe()
got = []
done = _thread.allocate_lock()
done.acquire()


def waiter():
    got.append(select.select([r], [], []))
    got.append(os.read(r, 10))
    done.acquire()  # stays listed until the main thread has looked


def switches():
    counts = [t[5] for t in micropython.tasks() if t[0] == "mp_thread"]
    assert len(counts) == 1, counts
    return counts[0]


_thread.start_new_thread(waiter, ())
time.sleep_ms(50)  # the thread is blocked in select by now
before = switches()
time.sleep_ms(500)
print("switch-ins while blocked:", switches() - before)
os.write(w, b"wake")
time.sleep_ms(50)
print("woken:", got == [([r], [], []), b"wake"], switches() > before)
done.release()
time.sleep_ms(20)
os.close(r)
os.close(w)
