/**
 * PIO on the emulated clock (docs/emulator.md, "PIO timing"). rp2040js 1.4.1 runs its PIO blocks in
 * batches of 1000 steps per host `setTimeout`, out of step with emulated time, steps every state machine
 * whether enabled or not, and ignores the clock dividers. Here each enabled state machine steps at its own
 * rate (clk_sys / (INT + FRAC/256), the dividers' fixed-point value) on one rp2040js clock alarm: pin
 * changes, FIFO levels and DREQs happen at emulated times, so a PIO UART's bit times can be measured on
 * the pin harness. rp2040js also runs an instruction's delay cycles ([n]) at once (it only counts them): each
 * machine here waits 1 + delay cycles after an instruction before its next step. Steps due within QUANTUM_NS of each other are run by the same alarm (a machine at full
 * speed takes up to 31 steps per alarm), which bounds the cost of a machine at divider 1; with a divider of
 * 32 or more every step has its own alarm and exact time.
 * When every enabled machine is stalled (a WAIT, a FIFO full or empty), no alarm runs until a PIO register
 * is written or RXF read, or a pad's input changes; the machines then resume at that instant (an enabled
 * machine waiting for a start bit costs nothing while the line is idle).
 * Everything goes through rp2040js's public objects (`mcu.pio`, its machines' `step`, `enabled`,
 * `clockDivInt`/`clockDivFrac`, the PIO's `checkChangedPins`); its `run` (the setTimeout loop) is replaced.
 */
import type { RP2040 } from 'rp2040js';
import type { Alarm, ClockWithAlarms } from './pins.js';

const QUANTUM_NS = 250;

interface PioMachine {
    enabled: boolean;
    /** Stalled: a WAIT, a blocking PULL/OUT on an empty TX FIFO or PUSH/IN on a full RX FIFO. */
    waiting: boolean;
    clockDivInt: number;
    clockDivFrac: number;
    /** Cycles executed, delays included (rp2040js counts them but does not wait for them). */
    cycles: number;
    step(): void;
}

interface PioBlock {
    machines: PioMachine[];
    stopped: boolean;
    run(): void;
    stop(): void;
    checkChangedPins(): void;
    writeUint32(offset: number, value: number): void;
    readUint32(offset: number): number;
}

export class PioClock {
    /** State machine steps run (all blocks), for benches. */
    steps = 0;
    private readonly blocks: PioBlock[];
    private readonly clock: ClockWithAlarms;
    private readonly alarm: Alarm;
    private readonly next = new Map<PioMachine, number>();
    private readonly nsPerCycle: number;
    private scheduledAt = Infinity;
    /** Every enabled machine is stalled: no alarm until something they wait on may have changed. */
    private idle = false;

    constructor(mcu: RP2040) {
        this.clock = mcu.clock as unknown as ClockWithAlarms;
        this.nsPerCycle = 1e9 / (mcu as unknown as { clkSys: number }).clkSys;
        this.blocks = (mcu as unknown as { pio: PioBlock[] }).pio;
        this.alarm = this.clock.createAlarm(() => this.fire());
        for (const block of this.blocks) {
            // the CTRL write that enables a machine calls run(): schedule from now instead of looping on setTimeout
            block.run = () => this.kick();
            // enabling another machine while one runs does not call run(): every register write kicks; an
            // instruction executed through SMx_INSTR (pico-sdk's pio_sm_exec) changes pins at once, as on
            // the chip (rp2040js shows pin changes only at its next step)
            const write = block.writeUint32.bind(block);
            block.writeUint32 = (offset: number, value: number) => {
                write(offset, value);
                block.checkChangedPins();
                this.kick();
            };
            // reading RXF frees room for a PUSH stalled on a full FIFO
            const read = block.readUint32.bind(block);
            block.readUint32 = (offset: number) => {
                const v = read(offset);
                if (this.idle) this.kick();
                return v;
            };
        }
        // a pad's input changed: a WAIT on it may end
        for (const gpio of mcu.gpio) {
            const set = gpio.setInputValue.bind(gpio);
            gpio.setInputValue = (value: boolean) => {
                set(value);
                if (this.idle) this.kick();
            };
        }
    }

    private period(sm: PioMachine): number {
        const div = (sm.clockDivInt === 0 ? 65536 : sm.clockDivInt) + sm.clockDivFrac / 256;
        return div * this.nsPerCycle;
    }

    /** Something may have been enabled: make sure the alarm runs soon. */
    private kick(): void {
        const now = this.clock.nanos;
        if (this.idle) {
            // stalled machines resume now, not from when they stalled
            this.idle = false;
            for (const sm of this.next.keys()) this.next.set(sm, now);
        }
        if (this.scheduledAt > now) {
            this.scheduledAt = now;
            this.alarm.schedule(0);
        }
    }

    private fire(): void {
        const now = this.clock.nanos;
        this.scheduledAt = Infinity;
        let earliest = Infinity;
        let stalled = true;
        for (const block of this.blocks) {
            let any = false;
            for (const sm of block.machines) {
                if (!sm.enabled) {
                    this.next.delete(sm);
                    continue;
                }
                any = true;
                let at = this.next.get(sm) ?? now;
                const period = this.period(sm);
                while (at <= now) {
                    const before = sm.cycles;
                    sm.step();
                    this.steps++;
                    block.checkChangedPins();
                    // rp2040js counts an instruction's delay in `cycles` but runs the next instruction at the
                    // next step: the machine stalls here for them instead (a stalled wait counts none: 1 cycle)
                    const used = sm.cycles - before;
                    at += period * (used > 1 ? used : 1);
                }
                this.next.set(sm, at);
                if (at < earliest) earliest = at;
                if (!sm.waiting) stalled = false;
            }
            if (!any) block.stopped = true;
        }
        if (earliest !== Infinity && stalled) {
            // nothing to step until a pin, a FIFO or an IRQ flag changes: the hooks above kick
            this.idle = true;
        } else if (earliest !== Infinity) {
            // steps due sooner than the quantum wait for it (and then run together)
            const target = Math.max(earliest, now + QUANTUM_NS);
            this.scheduledAt = target;
            this.alarm.schedule(target - now);
        }
    }
}

/** Puts the chip's two PIO blocks on the emulated clock (call before the firmware runs). */
export function clockPio(mcu: RP2040): PioClock {
    return new PioClock(mcu);
}
