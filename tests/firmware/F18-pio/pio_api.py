# machine.PioStateMachine and machine.AudioOutPwm: names, the assembled class, errors, fds, and stock
# rp2.StateMachine beside them (docs/pio.md, docs/audio.md)
import machine, os, select, rp2, time
from machine import Pin

try:
    P = machine.PioStateMachine
except (AttributeError, ImportError):
    print("SKIP")  # a firmware without the RTOS (the rings are lib/posix fds)
    raise SystemExit

C = P.assemble("""
.define public GLOBAL 3
.program blink
.side_set 1 opt
.define public DELAY 7
public start:
    set pins, 1 side 1 [DELAY]
.wrap_target
    set pins, 0
    jmp start
.wrap
""")
print(C.__name__, list(C.instructions), C.wrap_target, C.wrap, C.pio_version, C.DELAY, C.start, C.GLOBAL)
print(issubclass(C, P), P.DMA_SIZE_8, P.DMA_SIZE_16, P.DMA_SIZE_32)
for bad in (".program p\n    jmp 9\n", ".program p\n    frob\n", "nop\n", ""):
    try:
        P.assemble(bad)
        print("no error")
    except ValueError as e:
        print("ValueError")

# a stock rp2 program keeps working beside ours
@rp2.asm_pio(set_init=rp2.PIO.OUT_LOW)
def stock():
    set(pins, 1)
    set(pins, 0)
st = rp2.StateMachine(0, stock, set_base=Pin(3))
sm = C(C.instructions, [2])
print(sm._id != 0, sm.get_pc())
sm.configure_fifo(True, 64, 16, P.DMA_SIZE_8)
sm.configure_fifo(False, 64, 16, P.DMA_SIZE_8)
try:
    sm.configure_fifo(True, 64, 16)
except ValueError:
    print("ValueError twice")
fd = sm.fileno()
print(fd > 2, os.fstat(fd)[0] & 0o170000 == 0o020000)
p = select.poll()
p.register(fd, select.POLLIN | select.POLLOUT)
print(p.poll(0))
print(sm.write(b"abc"), sm.fifo_status(True)[0] <= 3)
os.set_blocking(fd, False)
try:
    sm.read(4)
except OSError as e:
    print("OSError", e.errno == 11)
sm.close()
sm.close()
st.active(1); time.sleep_ms(1); st.active(0)
print("stock ok")

# AudioOutPwm argument checks
for args in ((Pin(4), Pin(4), 1, 8000, 1), (Pin(4), Pin(6), 1, 8000, 1), (Pin(4), Pin(5), 3, 8000, 1)):
    try:
        machine.AudioOutPwm(*args)
        print("no error")
    except ValueError:
        print("ValueError")
a = machine.AudioOutPwm(Pin(5), Pin(4), 2, 8000, 1, fifo_size=64, threshold=16, pwm_bits=8)
print(a.levels <= 256, abs(a.rate - 8000) < 40, a.fileno() > 2)
print(a.write(bytes(range(200))))
a.drain()
a.stop()
a.start()
a.close()
a.close()
print(hasattr(machine, "Nope"))
