# machine.PioStateMachine and machine.AudioOutPwm (docs/pio.md, docs/audio.md). The machine module
# finds these classes here on first use (ports/rp2/pio/mp_machine_pio.c). Programs are loaded through
# the stock rp2 module (its instruction-memory allocator, so rp2.StateMachine programs coexist); the
# FIFOs are DMA rings behind one fd per state machine (_piodma, ports/rp2/pio/mp_piodma.c).
from micropython import const
from array import array
import os
import time
import machine
import rp2
import _piodma
import _pioasm

_PIO_BASE = (0x50200000, 0x50300000)
_CTRL = const(0x000)
_FSTAT = const(0x004)
_TXF0 = const(0x010)
_RXF0 = const(0x020)
_SM0 = const(0x0C8)  # CLKDIV; EXECCTRL +4, SHIFTCTRL +8, ADDR +12, INSTR +16, PINCTRL +20
_IO_BANK0 = const(0x40014000)
_PADS_BANK0 = const(0x4001C000)
_PWM_BASE = const(0x40050000)
_DREQ_PWM_WRAP0 = const(24)
_mem = machine.mem32


def _clk_sys():
    return machine.freq()


def _pin_no(p):
    # an int, or a machine.Pin ("Pin(GPIO2, mode=OUT)")
    if isinstance(p, int):
        return p
    s = str(p)
    i = s.index("GPIO") + 4
    j = i
    while j < len(s) and s[j].isdigit():
        j += 1
    return int(s[i:j])


class PioStateMachine:
    DMA_SIZE_8 = const(0)
    DMA_SIZE_16 = const(1)
    DMA_SIZE_32 = const(2)
    # set_pins types
    PINS_OUT = const(0)
    PINS_SET = const(1)
    PINS_SIDESET = const(2)
    PINS_IN = const(3)
    PINS_JMP = const(4)
    # set_fifo_join
    JOIN_NONE = const(0)
    JOIN_TX = const(1)
    JOIN_RX = const(2)

    instructions = None
    wrap_target = 0
    wrap = None
    pio_version = 0
    origin = -1
    sideset_bits = 0  # including the optional bit
    sideset_opt = False
    sideset_pindirs = False

    @classmethod
    def assemble(cls, src, name=None):
        progs, glob = _pioasm.assemble_all(src)
        if not progs:
            raise ValueError("no program")
        p = progs[0]
        if name is not None:
            for q in progs:
                if q["name"] == name:
                    p = q
                    break
            else:
                raise ValueError("no program %s" % name)
        attrs = dict(glob)
        attrs.update(p["public_labels"])
        attrs.update(p["public_defines"])
        ss = p["sideset"]
        attrs.update(
            {
                "instructions": array("H", [w & 0xFFFF for w in p["instructions"]]),
                "wrap_target": p["wrap_target"],
                "wrap": p["wrap"],
                "pio_version": p["pio_version"],
                "origin": p["origin"],
                "sideset_bits": ss[0] if ss else 0,
                "sideset_opt": ss[1] if ss else False,
                "sideset_pindirs": ss[2] if ss else False,
            }
        )
        return type(p["name"], (cls,), attrs)

    def __init__(self, instructions, pins=(), *, pio=None, freq=None):
        instructions = array("H", instructions)
        if not 1 <= len(instructions) <= 32:
            raise ValueError("1 to 32 instructions")
        wrap = self.wrap if self.wrap is not None and instructions == self.instructions else len(instructions) - 1
        wrap_target = self.wrap_target if instructions == self.instructions else 0
        execctrl = (wrap_target << 7) | (wrap << 12)
        if self.sideset_opt:
            execctrl |= 1 << 30
        if self.sideset_pindirs:
            execctrl |= 1 << 29
        shiftctrl = (1 << 18) | (1 << 19)  # shift right both ways, no autopush/pull, thresholds 32
        self._prog = [instructions, -1, -1, execctrl, shiftctrl, None, None, None]
        self._fd = -1
        self._sm = None
        for i in range(8) if pio is None else range(4 * pio, 4 * pio + 4):
            base = _PIO_BASE[i >> 2]
            # free: not ours now, not running, and not claimed by others (rp2.StateMachine, C drivers);
            # one we released stays claimed by the rp2 module and may be taken again
            if i in _claimed or _mem[base + _CTRL] & (1 << (i & 3)):
                continue
            if _piodma.sm_claimed(i >> 2, i & 3) and i not in _released:
                continue
            try:
                sm = rp2.StateMachine(i, self._prog)
            except (ValueError, OSError):
                continue  # no room for the program in this PIO, or claimed elsewhere
            self._sm = sm
            self._id = i
            break
        if self._sm is None:
            raise OSError(16)  # EBUSY: no free state machine with room for the program
        _claimed.add(self._id)
        self._base = _PIO_BASE[self._id >> 2]
        self._n = self._id & 3
        self._regs = self._base + _SM0 + 0x18 * self._n
        if self.sideset_bits:
            self.set_sideset(self.sideset_bits, self.sideset_opt, self.sideset_pindirs)
        if freq:
            self.set_frequency(freq)
        if not isinstance(pins, (list, tuple)):
            pins = (pins,)
        func = 6 + (self._id >> 2)  # GPIO function PIO0 or PIO1
        self._pins = []
        for p in pins:
            n = _pin_no(p)
            _mem[_IO_BANK0 + 8 * n + 4] = func
            _mem[_PADS_BANK0 + 4 + 4 * n] = (_mem[_PADS_BANK0 + 4 + 4 * n] & ~0xC0) | 0x40  # input on, output on
            self._pins.append(n)
        self._fd = _piodma.open()

    # ---- configuration ----
    def _rw(self, off, mask, value):
        a = self._regs + off
        _mem[a] = (_mem[a] & ~mask) | (value & mask)

    def set_frequency(self, hz):
        div = _clk_sys() * 256 // hz
        if not 256 <= div <= 65536 * 256:
            raise ValueError("freq out of range")
        _mem[self._regs] = ((div >> 8) & 0xFFFF) << 16 | (div & 0xFF) << 8
        _mem[self._base + _CTRL] |= 1 << (8 + self._n)  # CLKDIV_RESTART

    def set_wrap(self, wrap_target, wrap):
        off = self._sm_offset()
        self._rw(4, 0x1F << 7 | 0x1F << 12, ((wrap_target + off) & 31) << 7 | ((wrap + off) & 31) << 12)

    def _sm_offset(self):
        return self._prog[1 + (self._id >> 2)]

    def set_pins(self, type, base, n=1):
        base = _pin_no(base)
        if type == PioStateMachine.PINS_OUT:
            self._rw(20, 0x1F | 0x3F << 20, base | n << 20)
        elif type == PioStateMachine.PINS_SET:
            self._rw(20, 0x1F << 5 | 7 << 26, base << 5 | n << 26)
        elif type == PioStateMachine.PINS_SIDESET:
            self._rw(20, 0x1F << 10, base << 10)
        elif type == PioStateMachine.PINS_IN:
            self._rw(20, 0x1F << 15, base << 15)
        elif type == PioStateMachine.PINS_JMP:
            self._rw(4, 0x1F << 24, base << 24)
        else:
            raise ValueError("pin type")

    def set_sideset(self, bits, optional=False, pindirs=False):
        self._rw(20, 7 << 29, bits << 29)
        self._rw(4, 3 << 29, (1 << 30 if optional else 0) | (1 << 29 if pindirs else 0))

    def set_shift(self, in_right=True, out_right=True, autopush=False, autopull=False, push_threshold=32, pull_threshold=32):
        v = (1 << 18 if in_right else 0) | (1 << 19 if out_right else 0)
        v |= (1 << 16 if autopush else 0) | (1 << 17 if autopull else 0)
        v |= (push_threshold & 31) << 20 | (pull_threshold & 31) << 25
        self._rw(8, 0x3FF << 16, v)

    def set_fifo_join(self, join):
        self._rw(8, 3 << 30, (2 if join == PioStateMachine.JOIN_TX else 1 if join == PioStateMachine.JOIN_RX else 0) << 30)

    def set_pulls(self, pull_up, pull_down):
        # masks of GPIOs among this machine's pins
        for n in self._pins:
            a = _PADS_BANK0 + 4 + 4 * n
            _mem[a] = (_mem[a] & ~0xC) | (8 if pull_up >> n & 1 else 0) | (4 if pull_down >> n & 1 else 0)

    def set_config(self, *, freq=None, wrap=None, sideset=None, shift=None, fifo_join=None, pins=None):
        if freq:
            self.set_frequency(freq)
        if wrap is not None:
            self.set_wrap(*wrap)
        if sideset is not None:
            self.set_sideset(*sideset)
        if shift is not None:
            self.set_shift(*shift)
        if fifo_join is not None:
            self.set_fifo_join(fifo_join)
        for t in pins or ():
            self.set_pins(*t)

    def _exec_each(self, values, mask, op):
        # as pico-sdk's pio_sm_set_pins_with_mask: one SET per pin, with the SET pins moved there
        pinctrl = _mem[self._regs + 20]
        for n in range(30):
            if mask >> n & 1:
                _mem[self._regs + 20] = (pinctrl & ~(0x1F << 5 | 7 << 26)) | n << 5 | 1 << 26
                self._sm.exec(op | (values >> n & 1))
        _mem[self._regs + 20] = pinctrl

    def set_pin_values(self, values, mask):
        self._exec_each(values, mask, 0xE000)

    def set_pindirs(self, dirs, mask):
        self._exec_each(dirs, mask, 0xE080)

    def reset(self, pc=0):
        self._sm.restart()
        self._sm.exec((self._sm_offset() + pc) & 31)  # jmp pc

    def set_enabled(self, enabled=True):
        self._sm.active(1 if enabled else 0)

    def exec(self, instr):
        self._sm.exec(instr)

    def get_pc(self):
        return (_mem[self._regs + 12] - self._sm_offset()) & 31

    # ---- FIFOs through DMA rings ----
    def configure_fifo(self, tx, fifo_size=16, threshold=0, dma_transfer_size=DMA_SIZE_8, bswap=False):
        pio = self._id >> 2
        if tx:
            dreq = 8 * pio + self._n
            reg = self._base + _TXF0 + 4 * self._n
        else:
            dreq = 8 * pio + 4 + self._n
            reg = self._base + _RXF0 + 4 * self._n
        _piodma.ring(self._fd, tx, dreq, reg, fifo_size, threshold, dma_transfer_size, bswap)

    def fileno(self):
        return self._fd

    def write(self, buf):
        return os.write(self._fd, buf)

    def read(self, n):
        return os.read(self._fd, n)

    def readinto(self, buf):
        return os.readinto(self._fd, buf)

    def fifo_status(self, tx):
        return _piodma.status(self._fd, tx)

    def drain(self):
        # until the TX ring and the machine's TX FIFO are empty
        while (_piodma.status(self._fd, True) or (0,))[0] or not _mem[self._base + _FSTAT] & (1 << (24 + self._n)):
            time.sleep_ms(1)

    def close(self):
        if self._sm is None:
            return
        self._sm.active(0)
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
        _claimed.discard(self._id)
        _released.add(self._id)
        rp2.PIO(self._id >> 2).remove_program(self._prog)
        self._sm = None

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.close()


_claimed = set()  # state machine ids in use by PioStateMachine objects
_released = set()  # ids PioStateMachine claimed through rp2 and released


class AudioOutPwm:
    def __init__(self, a_pin, b_pin, channels, rate, bytes_per_sample, fifo_size=1024, threshold=256, *, pwm_bits=10, phase_correct=False):
        a = _pin_no(a_pin)
        b = None if b_pin is None else _pin_no(b_pin)
        if b is not None and (a == b or a >> 1 != b >> 1):
            raise ValueError("a_pin and b_pin must be the two outputs of one PWM slice")
        if channels not in (1, 2) or bytes_per_sample not in (1, 2) or not 2 <= pwm_bits <= 16 or rate <= 0:
            raise ValueError("channels 1 or 2, bytes_per_sample 1 or 2, pwm_bits 2..16")
        self.slice = (a >> 1) & 7
        self._a, self._b = a, b
        # one sample per PWM period: the smallest 8.4 divider with at most 2**pwm_bits levels, then the
        # TOP that makes the period closest to 1/rate
        cycles16 = _clk_sys() * 16 // (2 if phase_correct else 1)
        div16 = max(16, -(-cycles16 // (rate << pwm_bits)))
        levels = (cycles16 + div16 * rate // 2) // (div16 * rate)
        if div16 >= 256 * 16 or levels < 4:
            raise ValueError("rate out of range for pwm_bits")
        top = levels - 1
        self.rate = cycles16 / (div16 * levels)  # the rate the PWM gives
        self.levels = levels
        self.channels, self.bytes_per_sample, self.pwm_bits = channels, bytes_per_sample, pwm_bits
        self._ch = _PWM_BASE + 0x14 * self.slice
        _mem[self._ch + 0] = 0
        _mem[self._ch + 4] = div16
        _mem[self._ch + 8] = 0
        _mem[self._ch + 16] = top
        mid = (top + 1) >> 1
        _mem[self._ch + 12] = mid | mid << 16
        self._csr = 2 if phase_correct else 0
        self._fd = _piodma.open()
        swap = a & 1  # a_pin is the slice's B output: channel 0 goes to the high half of CC
        _piodma.audio(self._fd, channels, bytes_per_sample, levels, swap)
        _piodma.ring(self._fd, True, _DREQ_PWM_WRAP0 + self.slice, self._ch + 12, fifo_size * 4, threshold * 4, 2, False)
        for n in (a, b):
            if n is not None:
                _mem[_IO_BANK0 + 8 * n + 4] = 4  # GPIO function PWM
        self.start()

    def start(self):
        _mem[self._ch] = self._csr | 1

    def stop(self):
        _mem[self._ch] = self._csr
        _piodma.clear(self._fd, True)

    def write(self, buf):
        # blocks (GIL released) only while the ring is full; returns len(buf) (whole frames)
        mv = memoryview(buf)
        total = 0
        while len(mv) >= self.channels * self.bytes_per_sample:
            n = os.write(self._fd, mv)
            total += n
            mv = mv[n:]
        return total

    def drain(self):
        while _piodma.status(self._fd, True)[0]:
            time.sleep_ms(1)

    def fileno(self):
        return self._fd

    def close(self):
        if self._fd < 0:
            return
        _mem[self._ch] = 0
        os.close(self._fd)
        self._fd = -1
        for n in (self._a, self._b):
            if n is not None:
                _mem[_IO_BANK0 + 8 * n + 4] = 31  # GPIO function NULL

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.close()
