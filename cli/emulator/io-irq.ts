/**
 * GPIO interrupts for core 1 (used by dualcore.ts). rp2040js models IO_BANK0's interrupt enable / force /
 * status registers of processor 0 only (PROC0_INTE/INTF/INTS), and raises IO_IRQ_BANK0 from them into
 * every NVIC. On the chip each core has its own set (PROC1_INTE0..3 at 0x130, INTF at 0x140, INTS at
 * 0x150) and IO_IRQ_BANK0 reaches each core from its own. pico-sdk's `gpio_set_irq_enabled` writes the
 * set of the core it runs on, so firmware whose task runs on core 1 (an SMP kernel) enabled nothing and
 * its `machine.Pin` IRQs never fired. This adds processor 1's registers and gives each core its own line;
 * the raw status (INTR, edge latches) stays shared, as on the chip.
 */
import type { RP2040 } from 'rp2040js';

const IO_BANK0_PAGE = 0x40014000;
const PROC1_INTE0 = 0x130;
const PROC1_INTF0 = 0x140;
const PROC1_INTS0 = 0x150;
const PROC1_LAST = 0x15c;
const IRQ_IO_BANK0 = 13;

interface PinIrqState {
    irqStatus: number;
    readonly irqValue: boolean;
    readonly irqOverride: number;
}

interface Peripheral {
    readUint32(offset: number): number;
    writeUint32(offset: number, value: number): void;
}

function applyOverride(value: boolean, override: number): boolean {
    return override === 0 ? value : override === 1 ? !value : override === 3;
}

/** Adds PROC1_INTE/INTF/INTS to IO_BANK0; `raise(core, irq, level)` drives one core's NVIC line. */
export function attachProc1GpioIrq(mcu: RP2040, raise: (core: number, irq: number, level: boolean) => void): void {
    const pins = mcu.gpio as unknown as PinIrqState[];
    const enable = new Uint8Array(pins.length);
    const force = new Uint8Array(pins.length);
    const io = (mcu as unknown as { peripherals: Record<number, Peripheral> }).peripherals[(IO_BANK0_PAGE >>> 14) << 2];
    const read = io.readUint32.bind(io);
    const write = io.writeUint32.bind(io);
    const field = (offset: number, base: number) => (offset - base) * 2; // first pin of a register: 8 pins of 4 bits
    io.readUint32 = (offset: number) => {
        if (offset < PROC1_INTE0 || offset > PROC1_LAST) return read(offset);
        const bank = offset & ~0xf;
        const first = field(offset, bank);
        let result = 0;
        for (let i = 7; i >= 0; i--) {
            const p = first + i;
            if (p >= pins.length) continue;
            const bits = bank === PROC1_INTE0 ? enable[p] : bank === PROC1_INTF0 ? force[p] : (pins[p].irqStatus & enable[p]) | force[p];
            result = (result << 4) | bits;
        }
        return result >>> 0;
    };
    io.writeUint32 = (offset: number, value: number) => {
        if (offset < PROC1_INTE0 || offset > PROC1_LAST) {
            write(offset, value);
            return;
        }
        const bank = offset & ~0xf;
        if (bank === PROC1_INTS0) return; // read-only
        const first = field(offset, bank);
        const target = bank === PROC1_INTE0 ? enable : force;
        for (let i = 0; i < 8; i++) {
            const p = first + i;
            if (p < pins.length) target[p] = (value >>> (i * 4)) & 0xf;
        }
        update();
    };
    const update = () => {
        let line0 = false;
        let line1 = false;
        for (let p = 0; p < pins.length; p++) {
            const pin = pins[p];
            if (pin.irqValue) line0 = true;
            if (applyOverride(((pin.irqStatus & enable[p]) | force[p]) !== 0, pin.irqOverride)) line1 = true;
        }
        raise(0, IRQ_IO_BANK0, line0);
        raise(1, IRQ_IO_BANK0, line1);
    };
    (mcu as unknown as { updateIOInterrupt(): void }).updateIOInterrupt = update;
    // rp2040js re-evaluates the line on an input change only when processor 0's view of it changed
    for (const pin of mcu.gpio) {
        const set = pin.setInputValue.bind(pin);
        pin.setInputValue = (value: boolean) => {
            set(value);
            update();
        };
    }
}
