# A blocking os.read inside a scheduled callback (the scheduler is locked) while a signal is pending for
# the main thread: the read waits (no spin that would keep the GIL from the writer) and the handler runs
# after the callback (ours: micropython.schedule)
import _thread
import micropython
import os
import signal
import time

r, w = os.pipe()
got = []
signal.signal(signal.SIGUSR1, lambda s, f: got.append(("handler", s)))
def writer():
    time.sleep_ms(100)
    os.kill(0, signal.SIGUSR1)   # from a thread: pending for the main thread
    time.sleep_ms(200)
    os.write(w, b"z")
def cb(_):
    got.append(("read", os.read(r, 1)))
_thread.start_new_thread(writer, ())
micropython.schedule(cb, None)
t0 = time.ticks_ms()
while len(got) < 2 and time.ticks_diff(time.ticks_ms(), t0) < 2000:
    time.sleep_ms(10)
print(got)
