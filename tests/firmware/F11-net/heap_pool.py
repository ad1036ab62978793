# The C heap and the GC heap share a RAM pool (docs/memory.md): 100 connected TCP pairs (200 sockets) take
# the C heap far past its own 32 KB part; once they are closed (and TIME_WAIT is over) the C heap is back
# to its level and the GC heap to its idle size, and Python can use the pool again (two 60 KB buffers do
# not fit in the GC heap's first area alone).
import gc
import micropython
import socket
import time

N = 100


def gc_free():
    gc.collect()
    return gc.mem_free()


# connections an earlier program closed hold C heap for the 4 s of TIME_WAIT
time.sleep(5)
c_idle = micropython.malloc_stats()[1]
gc_idle = gc_free()

srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(4)
addr = srv.getsockname()
pairs = []
for i in range(N):
    c = socket.socket()
    c.connect(addr)
    s, peer = srv.accept()
    pairs.append((c, s))
    if peer != c.getsockname():
        print("pair", i, "wrong peer", peer)
c_open = micropython.malloc_stats()[1]
print("pairs open:", len(pairs))
print("C heap beyond its own 32 KB:", c_open > 32 * 1024)
for c, s in pairs:
    c.close()
    s.close()
srv.close()
pairs = c = s = None

# the closed connections' PCBs stay in TIME_WAIT for 4 s
deadline = time.ticks_add(time.ticks_ms(), 10000)
while micropython.malloc_stats()[1] != c_idle and time.ticks_diff(deadline, time.ticks_ms()) > 0:
    time.sleep_ms(250)
c_after = micropython.malloc_stats()[1]
gc_after = gc_free()
print("C heap back to its level:", c_after == c_idle)
print("GC heap back to its idle size:", abs(gc_after - gc_idle) <= 512)
if c_after != c_idle or abs(gc_after - gc_idle) > 512:
    print("C heap in use", c_idle, c_after, "GC heap free", gc_idle, gc_after)

def use_pool():
    a = bytearray(60000)
    b = bytearray(60000)
    return len(a) + len(b)


def scrub(n):
    # overwrites the C stack the buffers' addresses were on (the GC scans it conservatively)
    return scrub(n - 1) + 1 if n else 0


print("two 60 KB buffers:", use_pool())
scrub(8)
print("GC heap idle again:", abs(gc_free() - gc_idle) <= 512)
