# MicroPythonRT's names in _thread: Thread(target, name, args, kwargs) with start join name ident
# is_alive daemon, current_thread, main_thread, enumerate, RLock, local, stack_size, next to
# start_new_thread, allocate_lock, get_ident
import _thread
import time

print(_thread.main_thread().name, _thread.current_thread().name)
print(_thread.current_thread() is _thread.main_thread(), _thread.main_thread().ident == _thread.get_ident())
out = []
gate = _thread.allocate_lock()
gate.acquire()


def f(a, b, c=0):
    me = _thread.current_thread()
    out.append((a, b, c, me.name, me.ident == _thread.get_ident(), me is not _thread.main_thread()))
    gate.acquire()


t = _thread.Thread(f, "worker", (1, 2), {"c": 3})
print(t.name, t.ident, t.is_alive(), t.daemon)
t.start()
print(t.is_alive(), t.ident is not None, sorted(x.name for x in _thread.enumerate()))
gate.release()
t.join()
time.sleep_ms(10)
print(t.is_alive(), out, [x.name for x in _thread.enumerate()])

d = _thread.Thread(target=lambda: time.sleep_ms(20), name="daemon")
d.daemon = True
d.start()
print(d.daemon, d.is_alive())
d.join()

r = _thread.RLock()
r.acquire()
r.acquire()
r.release()
print(r.locked())
r.release()
print(r.locked())
with r:
    print("with", r.locked())

loc = _thread.local()
loc.a = 1
print(loc.a, type(_thread.get_ident()), _thread.allocate_lock().locked())
print(_thread.stack_size() >= 0, _thread.stack_size(8192) >= 0, _thread.stack_size(0) == 8192)
