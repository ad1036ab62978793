# micropython.tasks() lists the kernel tasks (USB and MicroPython among them); malloc_stats() the C heap.
import _thread
import micropython
import time

tasks = micropython.tasks()
names = [t[0] for t in tasks]
print("usb" in names, "mp" in names)
for t in tasks:
    name, state, prio, core, hwm, switches = t
    assert isinstance(name, str) and state in ("running", "ready", "blocked", "suspended"), t
    assert isinstance(prio, int) and (core is None or core in (0, 1)) and hwm > 0 and switches >= 0, t
mp = [t for t in tasks if t[0] == "mp"][0]
print("mp running:", mp[1], mp[3] in (0, 1))
usb = [t for t in tasks if t[0] == "usb"][0]
print("usb above mp:", usb[2] > mp[2])

stop = False


def napper():
    while not stop:
        time.sleep_ms(5)


_thread.start_new_thread(napper, ())
_thread.start_new_thread(napper, ())
time.sleep_ms(10)
print("threads listed:", sum(1 for t in micropython.tasks() if t[0] == "mp_thread"))
stop = True
time.sleep_ms(30)
print("threads gone:", sum(1 for t in micropython.tasks() if t[0] == "mp_thread"))

arena, used, free, largest = micropython.malloc_stats()
print("malloc_stats:", arena == used + free, 0 < largest <= free, arena >= 8 * 1024)
