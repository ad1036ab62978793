# Default actions (ours: CPython's process would end). SIGALRM, SIGUSR1... left at SIG_DFL raise
# SystemExit(128 + signum) in the main thread, which ends a script as a process end would; SIGINT's
# default raises KeyboardInterrupt.
import os
import signal
import time

t0 = time.time()
print(signal.alarm(1))
try:
    time.sleep(3)
except SystemExit as e:
    print("SystemExit", e.args, round(time.time() - t0))
try:
    os.kill(0, signal.SIGUSR1)
except SystemExit as e:
    print("SystemExit", e.args)
signal.signal(signal.SIGINT, signal.SIG_DFL)
print(signal.getsignal(signal.SIGINT) == signal.SIG_DFL)
try:
    os.kill(0, signal.SIGINT)
except KeyboardInterrupt:
    print("KeyboardInterrupt")
signal.signal(signal.SIGINT, signal.default_int_handler)
