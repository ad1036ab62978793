/**
 * The pin harness: what is outside the emulated chip's GPIO pads, for tests (docs/emulator.md, "Pins").
 *
 * rp2040js models a pad's input only as what is driven from outside (`setInputValue`): a pin the chip
 * drives itself reads back 0, and nothing connects pins or records them. This harness owns every pad's
 * level, in emulated time:
 *  - a pin the chip drives (output enabled, any function: SIO, PWM, PIO) reads back its driven level, as on
 *    the chip;
 *  - otherwise a pin reads what the harness drives on it (`drive`, `at`, `waveform`, `pulses`), or the
 *    level of the pin wired to it (`wire`), or its pull-up / pull-down; a floating pin keeps its last level;
 *  - `record(pin)` notes every change of a pad's level with its emulated time (ns);
 *  - `when(pin, level, fn)` calls fn once when the pad reaches a level (a firmware's "ready" signal).
 * Scheduled levels use one rp2040js clock alarm, so they happen at their exact emulated nanosecond, also
 * while the cores sleep. Everything goes through rp2040js's public GPIO listeners and `setInputValue`.
 */
import { GPIOPinState, type RP2040 } from 'rp2040js';

export type Level = 0 | 1;

/** A change of a pad's level at an emulated time (ns on the chip's clock, see PinHarness.now()). */
export interface Transition {
    ns: number;
    level: Level;
}

export interface Recorder {
    readonly pin: number;
    /** Every change of level since recording began, oldest first. */
    readonly transitions: Transition[];
    /** The level when recording began. */
    readonly initial: Level;
    stop(): void;
}

interface Alarm {
    schedule(deltaNanos: number): void;
    cancel(): void;
}

interface ClockWithAlarms {
    readonly nanos: number;
    createAlarm(callback: () => void): Alarm;
}

interface Scheduled {
    ns: number;
    pin: number;
    level: Level | null;
}

/** A pulse train: `count` pulses of `width` ns at `level`, starting every `period` ns. */
export interface PulseTrain {
    /** Emulated ns (chip clock) of the first pulse's leading edge; default now. */
    startNs?: number;
    widthNs: number;
    periodNs: number;
    count: number;
    /** The pulse's level (default 1: high pulses on a low line). */
    level?: Level;
}

export class PinHarness {
    private readonly pad: Level[];
    private readonly external: (Level | null)[];
    private readonly wires = new Map<number, Set<number>>();
    private readonly recorders = new Map<number, Set<{ transitions: Transition[] }>>();
    private readonly watchers: { pin: number; level: Level; fn: () => void }[] = [];
    private queue: Scheduled[] = [];
    private readonly alarm: Alarm;
    private readonly clock: ClockWithAlarms;

    constructor(private readonly mcu: RP2040) {
        const n = mcu.gpio.length;
        this.pad = new Array<Level>(n).fill(0);
        this.external = new Array<Level | null>(n).fill(null);
        this.clock = mcu.clock as unknown as ClockWithAlarms;
        this.alarm = this.clock.createAlarm(() => this.fire());
        mcu.gpio.forEach((gpio, index) => {
            gpio.addListener(() => this.update(index));
            this.update(index);
        });
    }

    /** Emulated time on the chip's clock, ns. */
    now(): number {
        return this.clock.nanos;
    }

    /** The pad's level as the chip and the outside see it. */
    level(pin: number): Level {
        return this.pad[this.check(pin)];
    }

    /** Whether the chip drives the pin (its output is enabled). */
    driven(pin: number): boolean {
        return this.mcu.gpio[this.check(pin)].outputEnable;
    }

    /** Drives the pin from outside now (null: release it, so pulls or a wire decide). */
    drive(pin: number, level: Level | null): void {
        this.external[this.check(pin)] = level;
        this.update(pin);
    }

    /** Drives the pin from outside at emulated time `ns` (chip clock); a time in the past means now. */
    at(ns: number, pin: number, level: Level | null): void {
        this.check(pin);
        // keep the queue sorted by time, in call order for equal times
        let lo = 0;
        let hi = this.queue.length;
        while (lo < hi) {
            const mid = (lo + hi) >> 1;
            if (this.queue[mid].ns <= ns) lo = mid + 1;
            else hi = mid;
        }
        this.queue.splice(lo, 0, { ns, pin, level });
        if (lo === 0) this.arm();
    }

    /**
     * Drives a sequence of levels, each held for its duration (ns), from `startNs` (default now).
     * Returns the emulated time when the last step ends (the pin keeps the last level).
     */
    waveform(pin: number, steps: { level: Level; ns: number }[], startNs = this.now()): number {
        let t = startNs;
        for (const step of steps) {
            this.at(t, pin, step.level);
            t += step.ns;
        }
        return t;
    }

    /** Drives a pulse train; the line rests at the other level before, between and after. Returns its end. */
    pulses(pin: number, train: PulseTrain): number {
        const active: Level = train.level ?? 1;
        const idle: Level = active === 1 ? 0 : 1;
        if (train.widthNs <= 0 || train.periodNs <= train.widthNs) throw new Error('pulses: need 0 < widthNs < periodNs');
        let t = train.startNs ?? this.now();
        for (let i = 0; i < train.count; i++) {
            this.at(t, pin, active);
            this.at(t + train.widthNs, pin, idle);
            t += train.periodNs;
        }
        return t;
    }

    /** Connects `from` to `to`: `to` reads the level of `from` pad (unless the chip drives `to`). */
    wire(from: number, to: number): () => void {
        this.check(from);
        this.check(to);
        let set = this.wires.get(from);
        if (!set) this.wires.set(from, (set = new Set()));
        set.add(to);
        this.update(to);
        return () => {
            this.wires.get(from)?.delete(to);
            this.update(to);
        };
    }

    /** Records the pad's level changes from now on. */
    record(pin: number): Recorder {
        this.check(pin);
        const entry = { transitions: [] as Transition[] };
        let set = this.recorders.get(pin);
        if (!set) this.recorders.set(pin, (set = new Set()));
        set.add(entry);
        return {
            pin,
            transitions: entry.transitions,
            initial: this.pad[pin],
            stop: () => {
                this.recorders.get(pin)?.delete(entry);
            },
        };
    }

    /** Calls `fn` once, the first time the pad is at `level` (at once if it already is). */
    when(pin: number, level: Level, fn: () => void): void {
        if (this.pad[this.check(pin)] === level) {
            fn();
            return;
        }
        this.watchers.push({ pin, level, fn });
    }

    /** A promise-free variant for tests: a function telling whether the pad has reached a level. */
    reached(pin: number, level: Level): () => boolean {
        let seen = false;
        this.when(pin, level, () => {
            seen = true;
        });
        return () => seen;
    }

    private check(pin: number): number {
        if (!Number.isInteger(pin) || pin < 0 || pin >= this.pad.length) throw new Error(`no GPIO ${pin}`);
        return pin;
    }

    /** The level of the wire feeding `pin`, if any (the first source that is wired to it). */
    private wiredLevel(pin: number): Level | null {
        for (const [from, tos] of this.wires) if (tos.has(pin)) return this.pad[from];
        return null;
    }

    private update(pin: number): void {
        const gpio = this.mcu.gpio[pin];
        let level: Level;
        if (gpio.outputEnable) {
            level = gpio.outputValue ? 1 : 0;
        } else {
            const ext = this.external[pin] ?? this.wiredLevel(pin);
            if (ext !== null) {
                level = ext;
            } else {
                const state = gpio.value;
                if (state === GPIOPinState.InputPullUp) level = 1;
                else if (state === GPIOPinState.InputPullDown) level = 0;
                else level = this.pad[pin];
            }
        }
        // pad[] mirrors the raw input given to rp2040js (only this harness sets it; both start at 0)
        if (level === this.pad[pin]) return;
        this.pad[pin] = level;
        gpio.setInputValue(level === 1);
        const recs = this.recorders.get(pin);
        if (recs) {
            const t = { ns: this.clock.nanos, level };
            for (const r of recs) r.transitions.push(t);
        }
        for (let i = 0; i < this.watchers.length; i++) {
            const w = this.watchers[i];
            if (w.pin === pin && w.level === level) {
                this.watchers.splice(i--, 1);
                w.fn();
            }
        }
        const tos = this.wires.get(pin);
        if (tos) for (const to of tos) this.update(to);
    }

    private arm(): void {
        this.alarm.cancel();
        if (this.queue.length === 0) return;
        this.alarm.schedule(Math.max(0, this.queue[0].ns - this.clock.nanos));
    }

    private fire(): void {
        const now = this.clock.nanos;
        let n = 0;
        while (n < this.queue.length && this.queue[n].ns <= now) n++;
        const due = this.queue.splice(0, n);
        for (const ev of due) {
            this.external[ev.pin] = ev.level;
            this.update(ev.pin);
        }
        this.arm();
    }
}
