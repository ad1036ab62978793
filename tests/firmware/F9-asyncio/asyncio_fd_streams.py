# asyncio streams over fds: StreamReader/StreamWriter over the two ends of a pipe (lines, exact reads,
# 8 KB through the 1 KB pipe so the writer waits for POLLOUT, EOF when the write end closes), a task
# waiting on an eventfd through FdIO (woken once, when another task writes it), open_fd. The expected
# output is in the .exp (CPython has no streams over an fd).
import asyncio
import os

r, w = os.pipe()
reader = asyncio.StreamReader(r)
writer = asyncio.StreamWriter(w)
print(reader.s.fileno() == r, os.get_blocking(r))


async def produce():
    for i in range(3):
        writer.write(b"line %d\n" % i)
        await writer.drain()
        await asyncio.sleep_ms(10)
    writer.write(b"exact12345")
    await writer.drain()
    big = bytes(range(256)) * 32
    writer.write(big)
    await writer.drain()
    await writer.wait_closed()


async def consume():
    lines = []
    for _ in range(3):
        lines.append(await reader.readline())
    exact = await reader.readexactly(10)
    rest = b""
    while True:
        chunk = await reader.read(700)
        if not chunk:
            break
        rest += chunk
    return lines, exact, len(rest), rest == bytes(range(256)) * 32


async def main():
    c = asyncio.create_task(consume())
    await produce()
    return await c


lines, exact, n, same = asyncio.run(main())
print(lines, exact, n, same)
reader.s.close()

# an eventfd: a task waits on it through the loop's poll; another task writes it after 50 ms (the
# waiter starts its clock once the writer sleeps, so it waits a little less)
e = os.eventfd(0)
efd = asyncio.FdIO(e)
wakeups = 0


async def wait_event():
    global wakeups
    s = asyncio.StreamReader(efd)
    t0 = asyncio.ticks()
    data = await s.read(8)
    wakeups += 1
    return int.from_bytes(data, "little"), asyncio.ticks_diff(asyncio.ticks(), t0) >= 40


async def post():
    await asyncio.sleep_ms(50)
    os.eventfd_write(e, 7)


async def main2():
    t = asyncio.create_task(wait_event())
    await post()
    return await t


print(asyncio.run(main2()), wakeups)
efd.close()

# open_fd with closefd=False: close() leaves the fd open, and blocking again
r, w = os.pipe()
s = asyncio.open_fd(r, closefd=False)
os.write(w, b"hi\n")
print(asyncio.run(s.readline()), os.get_blocking(r))
s.s.close()
print(os.get_blocking(r))
os.close(r)
os.close(w)
