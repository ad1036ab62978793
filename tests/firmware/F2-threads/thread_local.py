# threading.local: attributes per thread; a subclass's __init__ runs once in each thread that uses it,
# with the arguments given at creation; class attributes are per-thread defaults (CPython's output)
import threading
import time

data = threading.local()
data.name = "main"
results = {}
lock = threading.Lock()


def worker(i):
    had = hasattr(data, "name")
    data.name = "worker%d" % i
    data.items = []
    for j in range(5):
        data.items.append(j * i)
        time.sleep(0.01)  # the others run meanwhile and set their own
    with lock:
        results[i] = (had, data.name, data.items)


threads = [threading.Thread(target=worker, args=(i,)) for i in range(5)]
for t in threads:
    t.start()
for t in threads:
    t.join()
for i in sorted(results):
    print(i, results[i])
print("main still", data.name, hasattr(data, "items"))

del data.name
print(hasattr(data, "name"))
try:
    data.name
except AttributeError:
    print("AttributeError")
try:
    del data.name
except AttributeError:
    print("AttributeError del")

try:
    threading.local(1, x=2)
except TypeError:
    print("TypeError args")

inits = []


class Counter(threading.local):
    count = 0
    label = "default"

    def __init__(self, start, label=None):
        inits.append(threading.current_thread().name)
        self.count = start
        if label is not None:
            self.label = label

    def bump(self):
        self.count += 1
        return self.count


c = Counter(10, label="main")
print(c.count, c.label, c.bump(), c.bump())


def counter_worker():
    with lock:
        results[threading.current_thread().name] = (c.count, c.label, c.bump(), c.bump(), c.bump())


for i in range(3):
    t = threading.Thread(target=counter_worker, name="T%d" % i)
    t.start()
    t.join()
for k in ("T0", "T1", "T2"):
    print(k, results[k])
print(c.count, c.label, inits)
print(isinstance(c, threading.local))


class Plain(threading.local):
    flag = False


p = Plain()
p.flag = True


def plain_worker():
    results["plain"] = p.flag
    p.flag = "set in thread"


t = threading.Thread(target=plain_worker)
t.start()
t.join()
print(results["plain"], p.flag)
