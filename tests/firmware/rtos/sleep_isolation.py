# time.sleep blocks only its thread: sleeping threads overlap and do not delay the main thread.
import _thread
import time

lock = _thread.allocate_lock()
woke = []


def sleeper(ms):
    time.sleep_ms(ms)
    with lock:
        woke.append(ms)


t0 = time.ticks_ms()
for i in range(5):
    _thread.start_new_thread(sleeper, (100,))
_thread.start_new_thread(sleeper, (1000,))
# the main thread keeps working meanwhile
n = 0
while time.ticks_diff(time.ticks_ms(), t0) < 50:
    n += 1
print("main ran while others sleep:", n > 100)
while len(woke) < 5 and time.ticks_diff(time.ticks_ms(), t0) < 2000:
    time.sleep_ms(1)
dt = time.ticks_diff(time.ticks_ms(), t0)
print("five 100 ms sleeps overlap:", 95 <= dt <= 130, len(woke))
# a short sleep in the main thread is not held up by the 1 s sleeper
t1 = time.ticks_ms()
time.sleep_ms(20)
d = time.ticks_diff(time.ticks_ms(), t1)
print("main sleep 20 ms:", 19 <= d <= 25)
while len(woke) < 6 and time.ticks_diff(time.ticks_ms(), t0) < 3000:
    time.sleep_ms(10)
dt = time.ticks_diff(time.ticks_ms(), t0)
print("long sleeper:", len(woke), 995 <= dt <= 1030)
