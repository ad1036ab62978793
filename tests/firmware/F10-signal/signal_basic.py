# signal: dispositions, raise_signal, os.kill to ourselves, getsignal (CPython's output)
import os
import signal

print(signal.SIGINT, signal.SIGQUIT, signal.SIGALRM, int(signal.SIG_DFL), int(signal.SIG_IGN))
print(signal.getsignal(signal.SIGINT) is signal.default_int_handler)
print(signal.getsignal(signal.SIGALRM) == signal.SIG_DFL)

got = []


def handler(signum, frame):
    got.append(signum)


old = signal.signal(signal.SIGALRM, handler)
print(old == signal.SIG_DFL, signal.getsignal(signal.SIGALRM) is handler)

# a signal a thread sends itself has run its handler when the call returns
signal.raise_signal(signal.SIGALRM)
print("raise_signal", got)
got.clear()
os.kill(0, signal.SIGALRM)
print("kill 0", got)
got.clear()
os.kill(os.getpid(), signal.SIGALRM)
print("kill getpid", got)
got.clear()
os.kill(os.getpid(), 0)  # signal 0: only checks the process
print("kill sig 0", got)

# SIG_IGN: nothing happens
print(signal.signal(signal.SIGALRM, signal.SIG_IGN) is handler)
signal.raise_signal(signal.SIGALRM)
print("ignored", got)

# SIGINT: the default handler raises KeyboardInterrupt; a handler replaces it; SIG_IGN ignores it
try:
    signal.raise_signal(signal.SIGINT)
except KeyboardInterrupt:
    print("KeyboardInterrupt")
print(signal.signal(signal.SIGINT, handler) is signal.default_int_handler)
os.kill(0, signal.SIGINT)
print("SIGINT handler", got)
got.clear()
signal.signal(signal.SIGINT, signal.SIG_IGN)
signal.raise_signal(signal.SIGINT)
print("SIGINT ignored", got)
try:
    signal.default_int_handler(signal.SIGINT, None)
except KeyboardInterrupt:
    print("default_int_handler raises")
print(signal.signal(signal.SIGINT, signal.default_int_handler) == signal.SIG_IGN)


# a handler's exception comes out of the call that ran it
class Boom(Exception):
    pass


def raiser(signum, frame):
    raise Boom(signum)


signal.signal(signal.SIGUSR1, raiser)
try:
    os.kill(0, signal.SIGUSR1)
except Boom as e:
    print("Boom", e.args)
signal.signal(signal.SIGUSR1, signal.SIG_DFL)


# a handler that sends another signal
def chain(signum, frame):
    got.append(signum)
    if signum == signal.SIGUSR1:
        signal.raise_signal(signal.SIGUSR2)


signal.signal(signal.SIGUSR1, chain)
signal.signal(signal.SIGUSR2, chain)
signal.raise_signal(signal.SIGUSR1)
print("chain", got)
signal.signal(signal.SIGUSR1, signal.SIG_DFL)
signal.signal(signal.SIGUSR2, signal.SIG_DFL)

# errors
for bad in (0, -1, 1000):
    try:
        signal.signal(bad, handler)
    except ValueError as e:
        print("ValueError", bad)
    try:
        signal.getsignal(bad)
    except ValueError as e:
        print("ValueError getsignal", bad)
    try:
        signal.raise_signal(bad)
        print("raise_signal", bad)
    except OSError as e:
        print("OSError raise_signal", bad, e.errno == 22)
try:
    signal.signal(signal.SIGALRM, 5)
except TypeError:
    print("TypeError handler")
try:
    signal.signal(signal.SIGALRM, "x")
except TypeError:
    print("TypeError handler str")
try:
    os.kill(0, 1000)
except OSError as e:
    print("OSError kill", e.errno == 22)
signal.signal(signal.SIGALRM, signal.SIG_DFL)
print(signal.NSIG > signal.SIGALRM)
