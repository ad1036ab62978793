# The GC heap took the RAM pool (a buffer that does not fit in its first area) and let it go, but no
# collection has run since: the C heap is held near its own part by the GC area. Opening 60 connected TCP
# pairs (more than that part holds) makes the C heap ask for a collection (docs/memory.md), which frees
# the empty area, and the sockets get the RAM.
import gc
import micropython
import socket

N = 60


def scrub(n):
    # overwrites the C stack the buffers' addresses were on (the GC scans it conservatively)
    return scrub(n - 1) + 1 if n else 0


def take_pool():
    keep = [bytearray(60000), bytearray(60000)]
    return len(keep)


gc.collect()
take_pool()
scrub(8)
arena = micropython.malloc_stats()[0]
print("C heap held near its own part:", arena <= 48 * 1024)

srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(4)
addr = srv.getsockname()
pairs = []
failures = 0
while len(pairs) < N and failures < 20:
    try:
        c = socket.socket()
        c.connect(addr)
        s, _ = srv.accept()
        pairs.append((c, s))
    except OSError:
        failures += 1
print("pairs open:", len(pairs))
print("C heap grew past its own part:", micropython.malloc_stats()[0] > 64 * 1024)
for c, s in pairs:
    c.close()
    s.close()
srv.close()
