/**
 * Fixes for what rp2040js 1.4.1 gets wrong or leaves out, applied to a chip instance from the outside
 * (instance-level overrides and added peripherals; rp2040js itself is not modified):
 * - UART: TX interrupt storm and instant transmission (see fixUart); RX flow control hook.
 * - SPI: frames take their time on the wire, so DMA transfers do not overrun the RX FIFO (fixSpi).
 * - SIO, with one core (--cores 1): an inter-core FIFO that is always empty, instead of console warnings (fixSioFifo).
 * - SEV is only logged: it must set the event register, or a following WFE sleeps until an interrupt.
 * - The QSPI flash chip does not answer commands: flash_get_unique_id() (command 0x4B, used for
 *   machine.unique_id() and the USB serial number) reads zeros. IO_QSPI is added so chip-select
 *   forcing is seen, and the SSI answers 0x4B (unique id) and 0x9F (JEDEC id) while CS is forced low.
 * - Log output is silenced (rp2040js logs every SEV and unimplemented register at debug level).
 */
import { BasePeripheral } from 'rp2040js';
import type { Logger, RP2040 } from 'rp2040js';
import { IO_QSPI_BASE, page, PSM_BASE, ROSC_BASE, XIP_SSI_BASE } from '../chip/rp2040.js';

const UARTDR = 0x0;
const UARTFR = 0x18;
const UARTLCR_H = 0x2c;
const UARTIFLS = 0x34;
const UARTICR = 0x44;
const UARTTXINTR = 1 << 5;
const FR_TXFE = 1 << 7;
const FR_TXFF = 1 << 5;
const FR_BUSY = 1 << 3;
const TX_FIFO_DEPTH = 32;
/** Trigger levels of UARTIFLS.TXIFLSEL: 1/8, 1/4, 1/2, 3/4, 7/8 of 32 entries. */
const TX_TRIGGER = [4, 8, 16, 24, 28];

interface UartInternals {
    rp2040: RP2040;
    irq: number;
    interruptMask: number;
    interruptStatus: number;
    rawWriteValue: number;
    lineCtrlRegister: number;
    baudRate: number;
    wordLength: number;
    rxFIFO: { full: boolean; itemCount: number; size: number };
    checkInterrupts(): void;
    readUint32(offset: number): number;
    writeUint32(offset: number, value: number): void;
    feedByte(value: number): void;
    onByte?: (value: number) => void;
}

/** The UART as the harness sees it after fixUart(). */
export interface HarnessUart {
    onByte?: (value: number) => void;
    feedByte(value: number): void;
    /** Free places in the RX FIFO. */
    rxSpace(): number;
    /** Called whenever the firmware read a byte from the RX FIFO. */
    onRxSpace?: () => void;
}

/**
 * UART fixes. rp2040js re-raises the TX interrupt at every check (an endless interrupt storm with
 * MicroPython, which leaves TXIM enabled) and sends each byte the instant it is written. Here the
 * transmitter is modelled as on the PL011: a 32-entry TX FIFO (1 with FIFOs off) drained one frame
 * at a time at the programmed baud rate (start + data + parity + stop bits), TXFE/TXFF/BUSY flags,
 * and TXRIS set when a dequeue takes the FIFO level down through the UARTIFLS trigger level (the
 * PL011 latches the crossing), cleared by UARTICR or by filling the FIFO above the level again. RX gets a hook so the console can refill the RX FIFO as
 * the firmware drains it (flow control).
 */
export function fixUart(uartObj: unknown): HarnessUart {
    const u = uartObj as UartInternals & HarnessUart;
    const proto = Object.getPrototypeOf(u) as UartInternals;
    const queue: number[] = [];
    let shifting = false;
    let shifted = 0;
    let ifls = 0x12;
    const depth = () => (u.lineCtrlRegister & (1 << 4) ? TX_FIFO_DEPTH : 1);
    const trigger = () => (depth() === 1 ? 0 : TX_TRIGGER[ifls & 7] ?? 16);
    const frameNanos = () => {
        const lcr = u.lineCtrlRegister;
        const bits = 1 + u.wordLength + (lcr & (1 << 1) ? 1 : 0) + (lcr & (1 << 3) ? 2 : 1);
        const baud = u.baudRate;
        return baud > 0 && Number.isFinite(baud) ? (bits * 1e9) / baud : 1;
    };
    const alarm = u.rp2040.clock.createAlarm(() => {
        shifting = false;
        u.onByte?.(shifted);
        startNext();
    });
    const startNext = () => {
        if (shifting || queue.length === 0) return;
        const before = queue.length;
        shifted = queue.shift()!;
        shifting = true;
        alarm.schedule(frameNanos());
        if (before > trigger() && queue.length <= trigger()) {
            u.interruptStatus |= UARTTXINTR;
            u.checkInterrupts();
        }
    };
    u.checkInterrupts = function (this: UartInternals) {
        this.rp2040.setInterrupt(this.irq, !!(this.interruptStatus & this.interruptMask));
    };
    u.readUint32 = function (this: UartInternals & HarnessUart, offset: number) {
        if (offset === UARTFR) {
            const rx = proto.readUint32.call(this, offset) & ~(FR_TXFE | FR_TXFF | FR_BUSY);
            return rx | (queue.length === 0 ? FR_TXFE : 0) | (queue.length >= depth() ? FR_TXFF : 0) | (shifting || queue.length ? FR_BUSY : 0);
        }
        if (offset === UARTIFLS) return ifls;
        const value = proto.readUint32.call(this, offset);
        if (offset === UARTDR) this.onRxSpace?.();
        return value;
    };
    u.writeUint32 = function (this: UartInternals, offset: number, value: number) {
        if (offset === UARTDR) {
            if (queue.length < depth()) queue.push(value & 0xff);
            if (queue.length > trigger()) {
                this.interruptStatus &= ~UARTTXINTR;
                this.checkInterrupts();
            }
            startNext();
            return;
        }
        if (offset === UARTIFLS) {
            ifls = value & 0x3f;
            return;
        }
        proto.writeUint32.call(this, offset, value);
        if (offset === UARTICR || offset === UARTLCR_H) this.checkInterrupts();
    };
    u.rxSpace = function (this: UartInternals) {
        return this.rxFIFO.size - this.rxFIFO.itemCount;
    };
    return u;
}

/** A logger that drops everything, except that it turns the core's SEV notice into the event it is. */
export class HarnessLogger implements Logger {
    readonly warnings: string[] = [];
    verbose = false;

    constructor(private readonly mcu: RP2040) {}

    debug(): void {}

    info(component: string, message: string): void {
        if (message === 'SEV') {
            (this.mcu.core as unknown as { eventRegistered: boolean }).eventRegistered = true;
            return;
        }
        if (this.verbose) process.stderr.write(`[rp2040js] ${component}: ${message}\n`);
    }

    warn(component: string, message: string): void {
        if (this.warnings.length < 50) this.warnings.push(`${component}: ${message}`);
        if (this.verbose) process.stderr.write(`[rp2040js] ${component}: ${message}\n`);
    }

    error(component: string, message: string): void {
        this.warn(component, message);
    }
}

const IO_QSPI_SS_CTRL = 0x0c;
const OUTOVER_LOW = 2;

/** IO_QSPI: stores its registers and reports when the firmware forces flash chip-select low/high. */
class QspiIo extends BasePeripheral {
    private readonly regs = new Map<number, number>();
    onChipSelect?: (low: boolean) => void;

    override readUint32(offset: number): number {
        return this.regs.get(offset) ?? 0;
    }

    override writeUint32(offset: number, value: number): void {
        const old = this.regs.get(offset) ?? 0;
        this.regs.set(offset, value >>> 0);
        if (offset === IO_QSPI_SS_CTRL && ((old ^ value) & 0x300)) {
            this.onChipSelect?.(((value >> 8) & 3) === OUTOVER_LOW);
        }
    }
}

const SSI_DR0 = 0x60;
const JEDEC_ID = [0xef, 0x40, 0x15]; // Winbond W25Q16JV, the Pico's 2 MB flash

/** Makes the flash answer direct commands sent with CS forced low (flash_do_cmd in pico-sdk). */
export function fixFlashCommands(mcu: RP2040, uniqueId: Uint8Array): void {
    const io = new QspiIo(mcu, 'IO_QSPI_BASE');
    mcu.peripherals[page(IO_QSPI_BASE)] = io;
    const ssi = mcu.peripherals[page(XIP_SSI_BASE)] as unknown as UartInternals;
    const proto = Object.getPrototypeOf(ssi) as UartInternals;
    let csLow = false;
    let index = 0;
    let command = 0;
    const rx: number[] = [];
    io.onChipSelect = (low) => {
        csLow = low;
        index = 0;
        rx.length = 0;
    };
    const respond = (byte: number): number => {
        const i = index++;
        if (i === 0) {
            command = byte;
            return 0;
        }
        if (command === 0x4b && i >= 5 && i < 13) return uniqueId[i - 5];
        if (command === 0x9f && i <= 3) return JEDEC_ID[i - 1];
        return 0;
    };
    ssi.writeUint32 = function (this: UartInternals, offset: number, value: number) {
        if (csLow && offset === SSI_DR0) {
            if (rx.length < 16) rx.push(respond(value & 0xff));
            return;
        }
        proto.writeUint32.call(this, offset, value);
    };
    ssi.readUint32 = function (this: UartInternals, offset: number) {
        if (csLow && offset === SSI_DR0) return rx.shift() ?? 0;
        return proto.readUint32.call(this, offset);
    };
}

const SIO_FIFO_ST = 0x50;
const SIO_FIFO_WR = 0x54;
const SIO_FIFO_RD = 0x58;
const FIFO_ST_RDY = 1 << 1;
const FIFO_ST_VLD = 1 << 0;
const PSM_FRCE_OFF = 0x04;
const PSM_PROC1 = 1 << 16;

/**
 * The inter-core FIFO: rp2040js has no core 1 and no FIFO registers (and prints a warning to the
 * console on every access). Core 0 sees an empty FIFO that accepts (and drops) writes; a write is
 * reported, since it means the firmware is waiting for a core that does not exist.
 */
export function fixSioFifo(mcu: RP2040, onCore1Contact?: () => void): void {
    const sio = mcu.sio as unknown as UartInternals;
    const proto = Object.getPrototypeOf(sio) as UartInternals;
    // Core 1's boot ROM pushes a 0 to core 0 when core 1 leaves reset: pico-sdk's
    // multicore_reset_core1() (called by MicroPython's soft reset) waits for it.
    const fromCore1: number[] = [];
    const psm = (mcu as unknown as { peripherals: Record<number, UartInternals> }).peripherals[page(PSM_BASE)];
    const psmProto = Object.getPrototypeOf(psm) as UartInternals;
    psm.writeUint32 = function (this: UartInternals, offset: number, value: number) {
        const before = psmProto.readUint32.call(this, PSM_FRCE_OFF);
        psmProto.writeUint32.call(this, offset, value);
        const after = psmProto.readUint32.call(this, PSM_FRCE_OFF);
        if (offset === PSM_FRCE_OFF && before & PSM_PROC1 && !(after & PSM_PROC1) && fromCore1.length < 8) fromCore1.push(0);
    };
    sio.readUint32 = function (this: UartInternals, offset: number) {
        if (offset === SIO_FIFO_ST) return FIFO_ST_RDY | (fromCore1.length ? FIFO_ST_VLD : 0);
        if (offset === SIO_FIFO_RD) return fromCore1.shift() ?? 0;
        return proto.readUint32.call(this, offset);
    };
    sio.writeUint32 = function (this: UartInternals, offset: number, value: number) {
        if (offset === SIO_FIFO_WR) {
            // only core 1 reads this FIFO: e.g. multicore_launch_core1() waiting for its answer
            onCore1Contact?.();
            return;
        }
        if (offset === SIO_FIFO_ST) return;
        proto.writeUint32.call(this, offset, value);
    };
}

/**
 * SPI: rp2040js completes every frame the moment it is written, so a DMA-driven transfer
 * (machine.SPI write/readinto of more than a few bytes) overruns the 8-entry RX FIFO, drops bytes,
 * and the RX DMA channel waits forever. Frames now take their real time on the wire (data bits at
 * the configured SCK rate), which throttles TX as the hardware does. MISO reads as 0 (nothing attached).
 */
export function fixSpi(mcu: RP2040): void {
    for (const spi of mcu.spi) {
        const alarm = mcu.clock.createAlarm(() => spi.completeTransmit(0));
        spi.onTransmit = () => {
            const hz = spi.clockFrequency || mcu.clkPeri / 2;
            alarm.schedule(Math.max(1, Math.round((spi.dataBits * 1e9) / hz)));
        };
    }
}

const ROSC_STATUS = 0x18;
const ROSC_RANDOMBIT = 0x1c;
const ROSC_COUNT = 0x20;

/** ROSC: absent from rp2040js, so RANDOMBIT read all ones (random.seed() got no entropy). */
class RingOscillator extends BasePeripheral {
    private readonly regs = new Map<number, number>();
    private state: number;

    constructor(mcu: RP2040, seed: number) {
        super(mcu, 'ROSC_BASE');
        this.state = seed >>> 0 || 0x9e3779b9;
    }

    override readUint32(offset: number): number {
        switch (offset) {
            case ROSC_STATUS:
                return 0x80001000; // STABLE | ENABLED
            case ROSC_RANDOMBIT: {
                // xorshift32: deterministic per image, so runs are reproducible
                let x = this.state;
                x ^= x << 13;
                x ^= x >>> 17;
                x ^= x << 5;
                this.state = x >>> 0;
                return this.state & 1;
            }
            case ROSC_COUNT:
                return 0;
            default:
                return this.regs.get(offset) ?? 0;
        }
    }

    override writeUint32(offset: number, value: number): void {
        this.regs.set(offset, value >>> 0);
    }
}

/** Adds the ring oscillator, whose RANDOMBIT is a deterministic pseudo-random stream seeded by `seed`. */
export function fixRosc(mcu: RP2040, seed: number): void {
    mcu.peripherals[page(ROSC_BASE)] = new RingOscillator(mcu, seed);
}
