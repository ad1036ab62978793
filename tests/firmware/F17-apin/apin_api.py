# machine.APin (docs/apin.md) on its own: value, pulls, edges, debounce, fileno/close, errors, and waits
# whose edges the chip makes itself (a pull turned on or off moves an undriven pin in the emulator, as
# it does on a board with nothing connected).
import asyncio, errno, os, select, struct
from machine import APin, Pin

print(APin.LEVEL_LOW, APin.LEVEL_HIGH, APin.EDGE_FALL, APin.EDGE_RISE, APin.PULSE_DOWN, APin.PULSE_UP)
print(APin.QUEUE_DEPTH)

p = APin(3)
print(int(p), p.fileno() >= 3, p.debounce_time_us)
p.set_pulls(True, False)
print("pull-up", p.value)
p.set_pulls(False, True)
print("pull-down", p.value)

# the two pull changes made a rise and a fall: queued, read as 16-byte records
b = os.read(p.fileno(), 64)
print(len(b), [struct.unpack_from("<QII", b, i)[1:] for i in range(0, len(b), 16)])
print(select.select([p], [], [], 0))

# an output reads back its driven level as a bool; no edges on an output
p.value = 1
print("out", p.value, type(p.value).__name__)
p.value = 0
print("out", p.value)
try:
    p.set_edges(True, False)
except OSError as e:
    print("set_edges on output", errno.errorcode[e.errno])
p.value = None
print("in", p.value)

try:
    APin(3)
except OSError as e:
    print("second APin", e.errno == 16)  # EBUSY


async def pull_later(p, up):
    await asyncio.sleep_ms(5)
    p.set_pulls(up, not up)


async def main():
    # an edge after the wait began; a level already there answers at once
    t = asyncio.create_task(pull_later(p, True))
    ts = await p.wait(APin.EDGE_RISE)
    await t
    print("rise", ts > 0, p.value)
    print("level high now", (await p.wait(APin.LEVEL_HIGH)) > 0)
    # a pulse the chip makes: pull-down, wait, pull-up
    t = asyncio.create_task(pull_later(p, False))
    await asyncio.sleep_ms(0)
    await t
    t = asyncio.create_task(pull_later(p, True))
    us = await p.wait(APin.PULSE_DOWN)
    await t
    print("pulse down", 5000 <= us < 10000)
    # set_edges(False, True): rises are not queued, so a wait for one is an error
    p.set_edges(False, True)
    try:
        await p.wait(APin.EDGE_RISE)
    except OSError as e:
        print("wait rise without rises", errno.errorcode[e.errno])
    p.set_edges(True, True)


asyncio.run(main())

# debounce: an edge is queued only after debounce_time_us without edges (the pull changes below come
# some 20 µs apart: only the first of six is queued; after a quiet time the next one is again)
import time
os.set_blocking(p.fileno(), False)
try:
    os.read(p.fileno(), 1024)
except OSError:
    pass
p.debounce_time_us = 20_000
print("debounce", p.debounce_time_us)
time.sleep_ms(30)
for _ in range(3):
    p.set_pulls(False, True)
    p.set_pulls(True, False)
b = os.read(p.fileno(), 1024)
print("edges kept", [struct.unpack_from("<QII", b, i)[1] for i in range(0, len(b), 16)])
time.sleep_ms(30)
p.set_pulls(False, True)
b = os.read(p.fileno(), 1024)
print("after a quiet time", [struct.unpack_from("<QII", b, i)[1] for i in range(0, len(b), 16)])
p.debounce_time_us = 0
try:
    os.read(p.fileno(), 16)
except OSError as e:
    print("empty", errno.errorcode[e.errno])

p.close()
print(p.fileno(), p)
try:
    p.value
except OSError as e:
    print("closed", errno.errorcode[e.errno])
p.close()
q = APin(Pin(3))  # the pin is free again; a machine.Pin names it too
print("again", int(q))
q.close()
