/**
 * The RP2040's second Cortex-M0+ core on rp2040js (which emulates one), added from the outside: rp2040js
 * is not modified; its own classes are instantiated a second time.
 *
 * How it is wired:
 * - Each core gets a *view* of the chip (ChipView) with its own `core`, `ppb` (NVIC, SysTick, SCB: an
 *   rp2040js RPPPB per core), `sio` (a SioPort: CPUID, FIFO side, divider, interpolators) and `logger`
 *   (to see SEV); its memory accesses go to those for the SIO and PPB ranges and to the chip otherwise.
 * - Peripheral interrupts (rp2040.setInterrupt) reach both cores' NVICs; each takes them only if enabled
 *   there. SIO_IRQ_PROC0/1 reach only their own core; IO_IRQ_BANK0 reaches each core from its own
 *   PROC0/PROC1 interrupt enables (io-irq.ts).
 * - `mcu.core` names the core executing right now (the ROM services read their registers from it) and
 *   is core 0 between batches.
 * - Core 1 starts with the chip and runs the boot ROM's reset path, which parks it in the ROM's wait
 *   loop (the launch handshake of the datasheet, done by ROM code, not by the harness). PSM FRCE_OFF.PROC1
 *   holds it in reset; releasing it resets core 1 (a fresh core), which runs the ROM again.
 *
 * Scheduling (run()): each core keeps its own time; the core that is behind runs, for at most one slice
 * past the other's time, and the clock advances with whichever core is ahead. A core asleep in WFI/WFE
 * costs nothing; when both sleep the clock jumps to the next alarm. A sleeping core is woken by an
 * interrupt that would preempt it (also with PRIMASK set, without taking it — rp2040js would take it),
 * by SysTick (rp2040js raises it without ending a WFI), and WFE also by SEV from the other core.
 */
import type { Logger, RP2040 } from 'rp2040js';
import { page, PPB_BASE, PPB_SCS_BASE, PSM_BASE, SIO_BASE } from '../chip/rp2040.js';
import { SioPort, SioShared, type SioRegisters } from './sio.js';
import { attachProc1GpioIrq } from './io-irq.js';

/** Emulated time one core may run ahead of the other (ns) before they switch; see docs/emulator-dualcore.md. */
export const DEFAULT_SLICE_NANOS = 1000;
/** Instructions between two checks of the halt flag and the deadline when a core runs alone. */
const SOLO_CHUNK = 1024;
const LOWEST_PRIORITY = 4;
const OPCODE_WFE = 0xbf20;
const IRQ_SIO_PROC0 = 15;
const PSM_FRCE_OFF = 0x04;
const PSM_PROC1 = 1 << 16;
const SYST_CSR = 0x010;

/** The parts of rp2040js's CortexM0Core used here (fields that its typings do not all expose). */
export interface CoreState {
    rp2040: RP2040;
    registers: Uint32Array;
    PC: number;
    SP: number;
    cycles: number;
    waiting: boolean;
    eventRegistered: boolean;
    interruptsUpdated: boolean;
    PM: boolean;
    IPSR: number;
    VTOR: number;
    pendingInterrupts: number;
    enabledInterrupts: number;
    interruptPriorities: number[];
    pendingNMI: boolean;
    pendingPendSV: boolean;
    pendingSystick: boolean;
    readonly systickPriority: number;
    readonly pendSVPriority: number;
    exceptionPriority(n: number): number;
    checkForInterrupts(): boolean;
    executeInstruction(): number;
    readUint16(address: number): number;
    reset(): void;
}

interface PpbState extends SioRegisters {
    systickTimer: { frequency: number };
    systickAlarm: { callback: () => void };
}

interface SimClock {
    readonly nanos: number;
    nextAlarm: { nanos: number } | null;
    tick(deltaNanos: number): void;
}

interface PeripheralWithWrite {
    writeUint32(offset: number, value: number): void;
    readUint32(offset: number): number;
}

type CoreClass = new (rp2040: RP2040) => CoreState;
type PpbClass = new (rp2040: RP2040, name: string) => PpbState;
type SioClass = new (rp2040: RP2040) => SioRegisters;

/** Whether a sleeping core has a reason to wake: an exception that would preempt it if PRIMASK were clear. */
function wakeReason(core: CoreState): boolean {
    if (core.pendingNMI) return true;
    const limit = core.IPSR ? core.exceptionPriority(core.IPSR) : LOWEST_PRIORITY;
    if (core.pendingSystick && core.systickPriority < limit) return true;
    if (core.pendingPendSV && core.pendSVPriority < limit) return true;
    const set = core.pendingInterrupts & core.enabledInterrupts;
    if (set) {
        for (let p = 0; p < limit; p++) if (set & core.interruptPriorities[p]) return true;
    }
    return false;
}

const PPB_PAGE = page(PPB_SCS_BASE);

/**
 * What a core (and its PPB and SIO objects) use of the chip: memory accesses, with the SIO and the
 * private peripherals (PPB) resolved to this core's own; everything else is the shared chip.
 */
class ChipView {
    core!: CoreState;
    ppb!: PpbState;
    sio!: SioRegisters;
    readonly clock: unknown;

    constructor(
        private readonly mcu: RP2040,
        readonly logger: Logger,
    ) {
        this.clock = mcu.clock;
    }

    get clkSys(): number {
        return this.mcu.clkSys;
    }

    onBreak(code: number): void {
        this.mcu.onBreak(code);
    }

    // rp2040js passes register sums unwrapped (they may exceed 2^32): wrap before comparing
    readUint32(address: number): number {
        const a = address >>> 0;
        return a >= SIO_BASE ? this.readPrivate(a) : this.mcu.readUint32(a);
    }

    readUint16(address: number): number {
        const a = address >>> 0;
        if (a < SIO_BASE) return this.mcu.readUint16(a);
        const value = this.readPrivate((a & ~3) >>> 0);
        return a & 2 ? value >>> 16 : value & 0xffff;
    }

    readUint8(address: number): number {
        const a = address >>> 0;
        if (a < SIO_BASE) return this.mcu.readUint8(a);
        return (this.readPrivate((a & ~3) >>> 0) >>> (8 * (a & 3))) & 0xff;
    }

    writeUint32(address: number, value: number): void {
        const a = address >>> 0;
        if (a >= SIO_BASE) this.writePrivate(a, value);
        else this.mcu.writeUint32(a, value);
    }

    writeUint16(address: number, value: number): void {
        // narrow writes to SIO/PPB registers: the value replicated over the word, as the bus does
        const a = address >>> 0;
        if (a >= SIO_BASE) this.writePrivate((a & ~3) >>> 0, (value & 0xffff) * 0x10001);
        else this.mcu.writeUint16(a, value);
    }

    writeUint8(address: number, value: number): void {
        const a = address >>> 0;
        if (a >= SIO_BASE) this.writePrivate((a & ~3) >>> 0, (value & 0xff) * 0x1010101);
        else this.mcu.writeUint8(a, value);
    }

    private readPrivate(address: number): number {
        if (address < PPB_BASE) return this.sio.readUint32(address - SIO_BASE);
        if (address >>> 12 === PPB_PAGE) return this.ppb.readUint32(address & 0xfff);
        return this.mcu.readUint32(address);
    }

    private writePrivate(address: number, value: number): void {
        if (address < PPB_BASE) this.sio.writeUint32(address - SIO_BASE, value >>> 0);
        else if (address >>> 12 === PPB_PAGE) this.ppb.writeUint32(address & 0xfff, value >>> 0);
        else this.mcu.writeUint32(address, value);
    }
}

export interface DualCoreStats {
    /** Instructions executed per core since the chip was created. */
    instructions: [number, number];
    /** Times the scheduler switched from one running core to the other. */
    switches: number;
    /** Core 1 resets through the PSM (multicore_reset_core1). */
    core1Resets: number;
}

export class DualCore {
    readonly cores: [CoreState, CoreState];
    readonly views: [RP2040, RP2040];
    readonly ppbs: [PpbState, PpbState];
    readonly sio: SioShared;
    /** Each core's own time (ns). */
    private readonly t = [0, 0];
    /** Set when a sleeping core wakes or core 1 leaves reset: the core running alone yields. */
    private kicked = false;
    /** PSM FRCE_OFF.PROC1: core 1 held in reset. */
    private core1Held = false;
    sliceNanos = DEFAULT_SLICE_NANOS;
    readonly stats: DualCoreStats = { instructions: [0, 0], switches: 0, core1Resets: 0 };
    private readonly CoreCtor: CoreClass;
    private readonly PpbCtor: PpbClass;
    private readonly SioCtor: SioClass;
    private readonly clock: SimClock;
    private lastCore = 0;

    constructor(readonly mcu: RP2040) {
        const chip = mcu as unknown as { core: CoreState; ppb: PpbState; sio: SioRegisters };
        this.CoreCtor = chip.core.constructor as CoreClass;
        this.PpbCtor = chip.ppb.constructor as PpbClass;
        this.SioCtor = chip.sio.constructor as SioClass;
        this.clock = mcu.clock as unknown as SimClock;
        this.sio = new SioShared(chip.sio, (core, level) => this.raise(core, IRQ_SIO_PROC0 + core, level));
        const core0 = chip.core;
        this.views = [this.makeView(0), this.makeView(1)];
        this.cores = [core0, undefined as unknown as CoreState];
        this.ppbs = [undefined as unknown as PpbState, undefined as unknown as PpbState];
        // core 0 keeps rp2040js's core object; its memory accesses now go through its view
        core0.rp2040 = this.views[0];
        this.setCore(0, core0);
        this.setCore(1, new this.CoreCtor(this.views[1]));
        chip.ppb = this.ppbs[0]; // rp2040js updates this one's SysTick frequency with clk_sys
        mcu.addClockListener((hz) => {
            this.ppbs[1].systickTimer.frequency = hz;
        });
        // peripheral interrupt lines go to both NVICs
        (mcu as unknown as { setInterrupt(irq: number, value: boolean): void }).setInterrupt = (irq, value) => {
            this.raise(0, irq, value);
            this.raise(1, irq, value);
        };
        // GPIO interrupts: each core has its own enables and line (rp2040js models processor 0's only)
        attachProc1GpioIrq(mcu, (core, irq, level) => this.raise(core, irq, level));
        this.hookPsm();
        this.cores[1].reset();
    }

    /**
     * A core's view of the chip. Deliberately not an object inheriting from the chip: switching cores
     * writes `mcu.core`, and writing to an object that is some other object's prototype invalidates
     * V8's inline caches on every access through the chain (measured: 30 % slower).
     */
    private makeView(index: number): RP2040 {
        const mcu = this.mcu;
        const view = new ChipView(mcu, {
            debug: (c, m) => mcu.logger.debug(c, m),
            info: (c, m) => (m === 'SEV' ? this.sev(index) : mcu.logger.info(c, m)),
            warn: (c, m) => mcu.logger.warn(c, m),
            error: (c, m) => mcu.logger.error(c, m),
        });
        return view as unknown as RP2040;
    }

    /** Installs a core (and a fresh PPB and SIO port) as core `index`. */
    private setCore(index: number, core: CoreState): void {
        const view = this.views[index] as unknown as ChipView;
        view.core = core;
        const ppb = new this.PpbCtor(this.views[index], 'PPB');
        ppb.systickTimer.frequency = this.mcu.clkSys;
        const fire = ppb.systickAlarm.callback;
        ppb.systickAlarm.callback = () => {
            fire();
            const c = this.cores[index];
            if (c.waiting && wakeReason(c)) this.wake(index);
        };
        view.ppb = ppb;
        view.sio = new SioPort(index, this.sio, new this.SioCtor(this.views[index]));
        this.cores[index] = core;
        this.ppbs[index] = ppb;
    }

    private wake(index: number): void {
        const core = this.cores[index];
        core.waiting = false;
        core.interruptsUpdated = true; // the next instruction takes the exception if it may
        this.t[index] = Math.max(this.t[index], this.clock.nanos);
        this.kicked = true;
    }

    /** An interrupt line into core `index`'s NVIC (level, as rp2040js models them). */
    private raise(index: number, irq: number, value: boolean): void {
        const core = this.cores[index];
        const bit = 1 << irq;
        if (value) {
            if (core.pendingInterrupts & bit) return;
            core.pendingInterrupts |= bit;
            core.interruptsUpdated = true;
            if (core.waiting && wakeReason(core)) this.wake(index);
        } else {
            core.pendingInterrupts &= ~bit;
        }
    }

    /**
     * SEV on core `from`: sets every core's event register; a core sleeping in WFE wakes (and consumes it).
     * (Its PC may be odd: rp2040js keeps bit 0 of a PC popped by an exception return.)
     */
    private sev(from: number): void {
        for (let i = 0; i < 2; i++) {
            const core = this.cores[i];
            if (i !== from && core.waiting && !(i === 1 && this.core1Held) && core.readUint16((core.PC - 2) & ~1) === OPCODE_WFE) {
                this.wake(i);
            } else {
                core.eventRegistered = true;
            }
        }
    }

    /** PSM FRCE_OFF.PROC1: set holds core 1 in reset, clearing it restarts core 1 from the boot ROM. */
    private hookPsm(): void {
        const psm = (this.mcu as unknown as { peripherals: Record<number, PeripheralWithWrite> }).peripherals[page(PSM_BASE)];
        const write = psm.writeUint32.bind(psm);
        psm.writeUint32 = (offset: number, value: number) => {
            const before = psm.readUint32(PSM_FRCE_OFF) & PSM_PROC1;
            write(offset, value);
            if (offset !== PSM_FRCE_OFF) return;
            const after = psm.readUint32(PSM_FRCE_OFF) & PSM_PROC1;
            if (!before && after) this.core1Held = true;
            if (before && !after) this.resetCore1();
        };
    }

    private resetCore1(): void {
        this.ppbs[1].writeUint32(SYST_CSR, 0); // the old core's SysTick stops with it
        this.setCore(1, new this.CoreCtor(this.views[1]));
        this.cores[1].reset();
        this.core1Held = false;
        this.t[1] = this.clock.nanos;
        this.stats.core1Resets++;
        this.kicked = true;
    }

    /** Whether core 1 is executing (not held in reset, not asleep). */
    core1Busy(): boolean {
        return !this.core1Held && !this.cores[1].waiting;
    }

    /**
     * Runs both cores until `deadlineNanos` (emulated), `halted()` or about `maxInstructions` instructions.
     * Returns the cycles core 0 spent asleep (the board's "waiting" count).
     */
    run(deadlineNanos: number, maxInstructions: number, halted: () => boolean): number {
        const mcu = this.mcu as unknown as { core: CoreState; clkSys: number };
        const clock = this.clock;
        const ns = 1e9 / mcu.clkSys;
        const t = this.t;
        const startNanos = clock.nanos;
        const startCycles = this.cores[0].cycles;
        let budget = maxInstructions;
        while (budget > 0) {
            const c0 = this.cores[0];
            const c1 = this.cores[1];
            const now = clock.nanos;
            const r0 = !c0.waiting;
            const r1 = !this.core1Held && !c1.waiting;
            if (!r0) t[0] = now;
            if (!r1) t[1] = now;
            if (!r0 && !r1) {
                // both asleep: nothing runs until the next alarm
                const next = clock.nextAlarm;
                const target = next ? Math.min(next.nanos, deadlineNanos) : deadlineNanos;
                if (target > now) clock.tick(target - now);
                else if (next) clock.tick(0);
                budget--;
                if (halted() || clock.nanos >= deadlineNanos) break;
                continue;
            }
            let index: number;
            let limit: number;
            let chunk: number;
            if (r0 && r1) {
                index = t[0] <= t[1] ? 0 : 1;
                limit = t[index ^ 1] + this.sliceNanos;
                chunk = budget;
            } else {
                index = r0 ? 0 : 1;
                limit = deadlineNanos;
                chunk = Math.min(budget, SOLO_CHUNK);
            }
            if (index !== this.lastCore) {
                this.stats.switches++;
                this.lastCore = index;
            }
            const core = index ? c1 : c0;
            mcu.core = core;
            this.kicked = false;
            let at = t[index];
            let n = 0;
            while (n < chunk) {
                at += core.executeInstruction() * ns;
                n++;
                if (at > clock.nanos) clock.tick(at - clock.nanos);
                if (core.waiting || at >= limit || this.kicked) break;
            }
            mcu.core = c0;
            t[index] = at;
            this.stats.instructions[index] += n;
            budget -= n;
            if (halted() || clock.nanos >= deadlineNanos) break;
        }
        const elapsedCycles = (clock.nanos - startNanos) / ns;
        return Math.max(0, elapsedCycles - (this.cores[0].cycles - startCycles));
    }
}

/** Adds core 1 to a freshly created chip (before it runs). */
export function attachSecondCore(mcu: RP2040): DualCore {
    return new DualCore(mcu);
}
