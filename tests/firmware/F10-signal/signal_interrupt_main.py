# _thread.interrupt_main(signum=SIGINT): from the main thread the handler has run on return; from another
# thread it reaches the main thread while it sleeps; SIG_DFL/SIG_IGN signals are not raised (CPython's
# output)
import _thread
import signal
import time

got = []
signal.signal(signal.SIGUSR1, lambda s, f: got.append(s))
_thread.interrupt_main(signal.SIGUSR1)
print("main", got)
got.clear()
try:
    _thread.interrupt_main()
    time.sleep(0.1)
    print("not interrupted")
except KeyboardInterrupt:
    print("KeyboardInterrupt")


def later(delay, *args):
    time.sleep(delay)
    _thread.interrupt_main(*args)


_thread.start_new_thread(later, (0.1, signal.SIGUSR1))
time.sleep(0.5)
print("from a thread", got)
_thread.start_new_thread(later, (0.1,))
try:
    time.sleep(2)
    print("not interrupted")
except KeyboardInterrupt:
    print("KeyboardInterrupt from a thread")
signal.signal(signal.SIGUSR1, signal.SIG_IGN)
_thread.interrupt_main(signal.SIGUSR1)
signal.signal(signal.SIGUSR1, signal.SIG_DFL)
_thread.interrupt_main(signal.SIGUSR1)
print("not raised")
