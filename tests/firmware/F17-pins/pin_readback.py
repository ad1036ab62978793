# A pin the chip drives reads back its level, as on an RP2040 (the emulator's pads: docs/emulator.md "Pins");
# pulls decide an input nothing drives; a pin IRQ fires on edges the chip makes on its own output pin.
from machine import Pin
import time

p = Pin(2, Pin.OUT)
for v in (1, 0, 1, 0):
    p.value(v)
    print(v, p.value(), Pin(2).value())

print(Pin(3, Pin.IN, Pin.PULL_UP).value(), Pin(3, Pin.IN, Pin.PULL_DOWN).value())

# an output pin's own edges reach its IRQ (the input path sees the pad, as on the chip)
n = [0]


def h(pin):
    n[0] += 1


q = Pin(4, Pin.OUT, value=0)
q.irq(h, Pin.IRQ_RISING | Pin.IRQ_FALLING)
for _ in range(5):
    q.value(1)
    time.sleep_ms(1)
    q.value(0)
    time.sleep_ms(1)
q.irq(None)
print("edges", n[0])
