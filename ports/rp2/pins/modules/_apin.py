# machine.APin.wait (docs/apin.md): the C queue answers at once when the event has happened; otherwise the
# task waits in asyncio's poll on the pin's fd, which the GPIO interrupt's edges make readable. Python
# never runs in the interrupt.
from asyncio import core


def wait(pin, event=None):
    while True:
        r = pin._take(event)
        if r is not None:
            return r
        yield core._io_queue.queue_read(pin)
