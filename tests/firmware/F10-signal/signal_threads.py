# signals sent from another thread: the handler runs in the main thread, which may be sleeping,
# waiting on a lock (join) or computing; signal.signal only works in the main thread (CPython's output)
import _thread
import os
import signal
import time

main_ident = _thread.get_ident()
got = []


def handler(signum, frame):
    got.append((signum, _thread.get_ident() == main_ident))


signal.signal(signal.SIGUSR1, handler)


def sender(delay, sig, done):
    time.sleep(delay)
    os.kill(os.getpid(), sig)
    done.append(1)


# main thread sleeping
done = []
_thread.start_new_thread(sender, (0.2, signal.SIGUSR1, done))
time.sleep(0.6)
print("sleeping", got, done)
got.clear()

# main thread waiting on a lock
lock = _thread.allocate_lock()
lock.acquire()


def sender_release():
    time.sleep(0.2)
    signal.raise_signal(signal.SIGUSR1)
    time.sleep(0.2)
    lock.release()


_thread.start_new_thread(sender_release, ())
lock.acquire()
print("lock wait", got)
got.clear()

# main thread computing
done = []
_thread.start_new_thread(sender, (0.1, signal.SIGUSR1, done))
while not got:
    pass
print("busy", got)
got.clear()

# signal.signal from another thread
result = []


def setter():
    try:
        signal.signal(signal.SIGUSR1, signal.SIG_DFL)
        result.append("set")
    except ValueError as e:
        result.append("ValueError")
    result.append(signal.getsignal(signal.SIGUSR1) is handler)


_thread.start_new_thread(setter, ())
time.sleep(0.3)
print(result)
signal.signal(signal.SIGUSR1, signal.SIG_DFL)
