# asyncio.Runner as CPython's: run() returns the coroutine's result, a second run() on the same Runner
# sees the tasks the first left, close() cancels the tasks left and awaits their cleanup (finally
# blocks that await), get_loop(), the errors (not a coroutine, run inside a running loop, a closed
# Runner); asyncio.run is a Runner per call; asyncio.all_tasks; `import casyncio` is asyncio; run()'s
# SIGINT handler. The expected output is CPython's (casyncio is asyncio there).
import sys
import asyncio

if sys.implementation.name == "cpython":
    sys.modules["casyncio"] = asyncio
import casyncio

log = []


async def worker(name, ms):
    try:
        while True:
            await asyncio.sleep(ms / 1000)
    finally:
        await asyncio.sleep(0.005)
        log.append(name)


async def value(x):
    await asyncio.sleep(0.001)
    return x * 2


async def start(names):
    ts = [asyncio.create_task(worker(n, 20)) for n in names]
    await asyncio.sleep(0.03)
    return len(ts), len(asyncio.all_tasks())


with asyncio.Runner() as runner:
    print(runner.run(value(21)))
    print(runner.run(start(["a", "b"])))
    print("left running:", log)
    print(runner.get_loop() is runner.get_loop())
print("after close:", sorted(log))
c = value(1)
try:
    runner.run(c)
except RuntimeError:
    print("RuntimeError: closed")
c.close()

r = asyncio.Runner()
c = value(2)
try:
    r.run(5)
except ValueError:
    print("ValueError: not a coroutine")
print(r.run(c))


async def nested():
    c = value(3)
    try:
        r.run(c)
    except RuntimeError:
        print("RuntimeError: running loop")
    return await c


print(r.run(nested()))
r.close()
r.close()

# asyncio.run cancels what its coroutine left
log.clear()
print(asyncio.run(start(["x", "y", "z"])), sorted(log))


async def raiser():
    await asyncio.sleep(0)
    raise ValueError("boom")


try:
    asyncio.run(raiser())
except ValueError as e:
    print("ValueError", e)
print(casyncio.Runner is asyncio.Runner, casyncio.run is asyncio.run, casyncio.sleep is asyncio.sleep)


# Runner.run's SIGINT handler (Ctrl-C cancels the main task): in place while it runs in the main thread,
# then the default again; a handler the program set is left alone
import signal


async def current():
    return signal.getsignal(signal.SIGINT)


h = asyncio.run(current())
print("SIGINT handler:", callable(h), h is not signal.default_int_handler, signal.getsignal(signal.SIGINT) is signal.default_int_handler)
signal.signal(signal.SIGINT, signal.SIG_IGN)
print("not replaced:", asyncio.run(current()) is signal.SIG_IGN, signal.getsignal(signal.SIGINT) is signal.SIG_IGN)
signal.signal(signal.SIGINT, signal.default_int_handler)
