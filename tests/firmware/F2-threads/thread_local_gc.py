# Thread-local data lives while its thread lives (a collection keeps it) and is freed when the thread
# ends, for threading.Thread and _thread threads alike
import _thread
import gc
import threading
import time

L = threading.local()
go = _thread.allocate_lock()
go.acquire()
ready = _thread.allocate_lock()
ready.acquire()
lengths = []


def worker():
    L.big = bytearray(30000)
    ready.release()
    go.acquire()
    gc.collect()
    lengths.append(len(L.big))


for start in ("threading", "_thread"):
    gc.collect()
    before = gc.mem_free()
    if start == "threading":
        t = threading.Thread(target=worker)
        t.start()
    else:
        _thread.start_new_thread(worker, ())
    ready.acquire()
    gc.collect()
    held = before - gc.mem_free()
    go.release()
    while len(lengths) < (1 if start == "threading" else 2):
        time.sleep_ms(5)
    time.sleep_ms(50)  # the thread's task ends
    gc.collect()
    left = before - gc.mem_free()
    print(start, held >= 30000, left < 8000, lengths)
print(hasattr(L, "big"))
