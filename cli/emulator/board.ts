/**
 * The emulated board: an RP2040 (rp2040js, plus core 1 from dualcore.ts unless --cores 1) with our boot ROM, 2 MB of flash that
 * can persist in a file, and a console on USB CDC or UART0. Implements EmulatedBoard (types.ts).
 *
 * Time: every wait is bounded in emulated time (deterministic, whatever the host load) and, as a safety
 * net, in wall-clock time. The simulation runs in batches of instructions with no per-instruction work
 * of ours beyond the loop itself; a batch ends early when console output arrives for a waiter, the
 * firmware resets the chip (watchdog), or a ROM trap cannot be serviced.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { RP2040 } from 'rp2040js';
import { FLASH_SIZE, page, WATCHDOG_BASE } from '../chip/rp2040.js';
import { MprtError } from '../util/errors.js';
import { UartConsole, UsbConsole, type ConsoleLink } from './console.js';
import type { UsbHost } from './usb-host.js';
import { fixFlashCommands, fixForRomBoot, fixRosc, fixSioFifo, fixSpi, fixUart, HarnessLogger } from './rp2040js-gaps.js';
import { loadFirmware, type Firmware } from './firmware.js';
import { loadRomFile, ourRomPath } from './rom.js';
import { SD_TABLE, SD_V2_INTERNALS, SF_TABLE } from './rom-float.js';
import { patchRealRom, RomServices, type FlashOp, type FloatTables, type PowerCut } from './rom-services.js';
import { attachSecondCore, type DualCore } from './dualcore.js';
import { PinHarness } from './pins.js';
import { clockPio, type PioClock } from './pio-clock.js';
import { fixPwmDreq } from './pwm-dreq.js';
import type { BoardOptions, ConsoleKind, EmulatedBoard, ExecResult } from './types.js';
import { patternEnd, RawRepl } from '../repl/raw-repl.js';
import { readBoardFile, writeBoardFile } from '../repl/files.js';

interface SimClock {
    readonly nanos: number;
    nextAlarm: { nanos: number } | null;
    tick(deltaNanos: number): void;
}

interface CoreInternals {
    waiting: boolean;
    cycles: number;
    pendingSystick: boolean;
    executeInstruction(): number;
    checkForInterrupts(): boolean;
}

interface WatchdogState {
    reason: number;
    scratchData: Uint32Array;
    onWatchdogTrigger?: () => void;
}

/** The board went into a state it cannot leave by itself (fault, BOOTSEL). */
export class BoardStopped extends MprtError {}

const INSTRUCTIONS_PER_BATCH = 250_000;
/** Cores emulated when BoardOptions.cores is not given. */
export const DEFAULT_CORES: 1 | 2 = 2;
/** Longest emulated stretch between two checks of a wait condition. */
const SLICE_NANOS = 2e6;
const DEFAULT_WALL_TIMEOUT_MS = 10 * 60 * 1000;

export interface OpenBoardOptions extends BoardOptions {
    /** Called with every console byte chunk as it arrives (in addition to buffering for readUntil). */
    onOutput?: (data: Uint8Array) => void;
    /** Print rp2040js warnings to stderr. */
    verbose?: boolean;
}

/** Creates the board and loads the firmware; call boot() to start it. */
export async function openBoard(opts: OpenBoardOptions): Promise<Rp2040Board> {
    const firmware = loadFirmware(opts.firmware);
    const romPath = opts.bootrom ?? (await ourRomPath());
    const rom = loadRomFile(romPath);
    const realRom = opts.bootrom !== undefined;
    if (realRom) patchRealRom(rom);
    const float: FloatTables | undefined = realRom ? undefined : { SF_TABLE, SD_TABLE, SD_V2_INTERNALS };
    if (opts.cores !== undefined && opts.cores !== 1 && opts.cores !== 2) {
        throw new MprtError(`--cores must be 1 or 2 (got ${String(opts.cores)})`, { exitCode: 2 });
    }
    return new Rp2040Board(opts, firmware, rom, realRom, float);
}

export class Rp2040Board implements EmulatedBoard {
    mcu!: RP2040;
    /** What is outside the GPIO pads (cli/emulator/pins.ts): drive, wire and record pins in emulated time. A new one after each reboot. */
    pins!: PinHarness;
    /** The PIO blocks stepped on the emulated clock at their dividers' rates (cli/emulator/pio-clock.ts). */
    pio!: PioClock;
    private clock!: SimClock;
    private rom!: RomServices;
    private link!: ConsoleLink;
    private logger!: HarnessLogger;
    private readonly consoleKind: ConsoleKind;
    private readonly decoder = new TextDecoder('utf-8');
    private text = '';
    private halt = false;
    private outputListener: ((data: Uint8Array) => void) | undefined;
    private haltOnOutput = false;
    private rebootRequested = false;
    private stopped: string | undefined;
    private usbBootRequested = false;
    private waitCycles = 0;
    /** Core 1 and the two-core scheduler (cli/emulator/dualcore.ts), when the board has two cores. */
    dual: DualCore | undefined;
    private flashDirty = false;
    private usbConnectsAtBoot = 0;
    private usbEnableCount = 0;
    private readonly uniqueId: Uint8Array;
    private readonly wallTimeoutMs: number;
    /** Wall-clock pacing: when set, emulated time may run ahead of wall time by at most this many ms. */
    realTimeSlackMs: number | undefined;
    private wallStart = 0;
    private wakeUp: (() => void) | undefined;
    private emuStartNanos = 0;
    /** The firmware tried to start core 1, which is not emulated (it then waits forever for it). */
    core1Requested = false;
    /**
     * The raw-REPL client on this board's console: it reads what readUntil would and runs the chip
     * while it waits (emulated time).
     */
    readonly repl: RawRepl = new RawRepl(
        {
            write: (data) => this.send(data),
            read: () => new TextEncoder().encode(this.drainText()),
            wait: (done, timeoutMs) => this.runUntil(done, timeoutMs),
            nowMs: () => (this.earlierNanos + this.clock.nanos) / 1e6,
            discardUnsent: () => this.link.discard(),
        },
        // a program gets 20 emulated ms to stop on Ctrl-C; 2 s to answer after a timeout
        { settleMs: 20, recoverMs: 2000 },
    );
    /** Reboots done by the firmware itself (watchdog / machine.reset()), and injected power cuts. */
    resets = 0;
    /**
     * Tests: asked before every flash erase/program call; returning a PowerCut loses power there (the
     * chip stops and starts again from its flash, as after a power cycle; an exec() running meanwhile
     * returns with `reset: true`).
     */
    onFlashWrite: ((op: FlashOp) => PowerCut | undefined) | undefined;
    private powerCut = false;
    /** UART0 from the host's side while the console is on USB (the other end of /dev/ttyS0). */
    private serial: UartConsole | undefined;
    private serialListener: ((data: Uint8Array) => void) | undefined;
    /** Emulated time of the chip instances before the current one (reboots start a new clock). */
    private earlierNanos = 0;

    constructor(
        private readonly opts: OpenBoardOptions,
        readonly firmware: Firmware,
        private readonly romImage: Uint8Array,
        private readonly realRom: boolean,
        private readonly float: FloatTables | undefined,
    ) {
        this.consoleKind = opts.console ?? 'usb';
        this.wallTimeoutMs = opts.wallTimeoutMs ?? DEFAULT_WALL_TIMEOUT_MS;
        // a stable per-image id: what machine.unique_id() and the USB serial number report
        this.uniqueId = createHash('sha256').update('mprt-unique-id:' + firmware.sha256).digest().subarray(0, 8);
        const flash = new Uint8Array(FLASH_SIZE).fill(0xff);
        if (opts.flashImage && existsSync(opts.flashImage)) {
            const saved = readFileSync(opts.flashImage);
            if (saved.length !== FLASH_SIZE) {
                throw new MprtError(`flash image ${opts.flashImage} is ${saved.length} bytes, expected ${FLASH_SIZE} (2 MB)`, {
                    exitCode: 2,
                    hint: 'delete it to start from a fresh flash',
                });
            }
            flash.set(saved);
        }
        // like dropping the UF2 on the BOOTSEL drive: the firmware's blocks are written, the rest is kept
        for (const piece of firmware.pieces) flash.set(piece.data, piece.offset);
        this.flashDirty = opts.flashImage !== undefined;
        this.createChip(flash);
    }

    private createChip(flash: Uint8Array): void {
        const mcu = new RP2040();
        this.logger = new HarnessLogger(mcu);
        this.logger.verbose = this.opts.verbose ?? false;
        mcu.logger = this.logger;
        mcu.loadBootrom(new Uint32Array(this.romImage.buffer.slice(0)));
        mcu.flash.set(flash.subarray(0, FLASH_SIZE));
        fixUart(mcu.uart[0]);
        fixUart(mcu.uart[1]);
        fixFlashCommands(mcu, this.uniqueId);
        fixSioFifo(mcu, () => {
            this.core1Requested = true;
        });
        fixSpi(mcu);
        fixRosc(mcu, new DataView(this.uniqueId.buffer, this.uniqueId.byteOffset, 8).getUint32(0, true));
        // pads read back what the chip drives on them (rp2040js shows only external input), and tests drive them
        this.pins = new PinHarness(mcu);
        // PIO state machines step in emulated time at their clock dividers' rates (rp2040js: host timers)
        this.pio = clockPio(mcu);
        // one DMA transfer per PWM wrap (rp2040js never drops the PWM's DREQ): machine.AudioOutPwm's pacing
        fixPwmDreq(mcu);
        const watchdog = mcu.peripherals[page(WATCHDOG_BASE)] as unknown as WatchdogState;
        watchdog.onWatchdogTrigger = () => {
            this.rebootRequested = true;
            this.halt = true;
        };
        this.rom = new RomServices(mcu, this.romImage, {
            flashWritten: () => {
                this.flashDirty = true;
            },
            flashWriting: (op) => this.onFlashWrite?.(op),
            powerLost: () => {
                this.powerCut = true;
                this.rebootRequested = true;
                this.halt = true;
            },
            usbBoot: () => {
                this.usbBootRequested = true;
                this.stop('the firmware rebooted into USB boot mode (BOOTSEL)');
            },
            fault: (message) => this.stop(message),
        }, this.float);
        this.rom.install();
        this.dual = (this.opts.cores ?? DEFAULT_CORES) === 2 ? attachSecondCore(mcu) : undefined;
        const onData = (data: Uint8Array) => this.received(data);
        if (this.consoleKind === 'usb') {
            const usb = mcu.usbCtrl;
            this.link = new UsbConsole(usb, onData);
            const enabled = usb.onUSBEnabled;
            usb.onUSBEnabled = () => {
                this.usbEnableCount++;
                enabled?.();
            };
            this.serial = new UartConsole(mcu, (data) => this.serialListener?.(data), 0);
        } else {
            this.link = new UartConsole(mcu, onData, 0);
            this.serial = undefined;
        }
        // the real ROM boots as the chip does, from its reset vector: it checks the BOOTSEL button, loads
        // boot stage 2 from flash over the SSI, checks its CRC and runs it
        if (this.realRom) fixForRomBoot(mcu);
        this.mcu = mcu;
        this.clock = mcu.clock as unknown as SimClock;
        this.waitCycles = 0;
        this.repl.invalidate();
        this.usbEnableCount = 0;
        this.stopped = undefined;
    }

    private stop(message: string): void {
        this.stopped ??= message;
        this.halt = true;
    }

    /**
     * UART0 (GP0/GP1) as a serial line to the host while the console is on USB: `listener` gets every
     * byte the firmware sends on it (at the programmed baud rate), and serialSend() queues bytes for
     * its RX FIFO (delivered as the firmware makes room). Kept across power cycles.
     */
    onSerial(listener: ((data: Uint8Array) => void) | undefined): void {
        this.serialListener = listener;
    }

    serialSend(data: Uint8Array): void {
        if (!this.serial) throw new MprtError('UART0 is the console on this board: use write()', { exitCode: 2 });
        this.serial.send(data);
    }

    /** Sends console output to `listener` instead of buffering it for readUntil (pty / terminal modes). */
    setOutputListener(listener: ((data: Uint8Array) => void) | undefined): void {
        this.outputListener = listener;
    }

    private received(data: Uint8Array): void {
        this.opts.onOutput?.(data);
        if (this.outputListener) {
            this.outputListener(data);
            return;
        }
        this.text += this.decoder.decode(data, { stream: true });
        if (this.haltOnOutput) this.halt = true;
    }

    /**
     * Runs the chip until `deadlineNanos` (emulated), a halt request, or the end of one batch. While
     * the core sleeps (WFI/WFE) the clock jumps to the next alarm; those cycles count as waiting.
     */
    private runBatch(deadlineNanos: number): void {
        const core = this.mcu.core as unknown as CoreInternals;
        const clock = this.clock;
        const nsPerCycle = 1e9 / this.mcu.clkSys;
        this.halt = false;
        if (this.dual) {
            this.waitCycles += this.dual.run(deadlineNanos, INSTRUCTIONS_PER_BATCH, () => this.halt);
            return;
        }
        for (let i = 0; i < INSTRUCTIONS_PER_BATCH; i++) {
            if (core.waiting) {
                const next = clock.nextAlarm;
                const now = clock.nanos;
                const target = next ? Math.min(next.nanos, deadlineNanos) : deadlineNanos;
                if (target > now) {
                    this.waitCycles += (target - now) / nsPerCycle;
                    clock.tick(target - now);
                } else if (next) {
                    clock.tick(0);
                }
                // rp2040js 1.4.1 pends SysTick without ending a WFI (only NVIC interrupts do): a kernel
                // tick must wake the core, as on the chip
                if (core.waiting && core.pendingSystick && core.checkForInterrupts()) core.waiting = false;
                if (this.halt || clock.nanos >= deadlineNanos) break;
                continue;
            }
            clock.tick(core.executeInstruction() * nsPerCycle);
            if (this.halt) break;
            if ((i & 1023) === 0 && clock.nanos >= deadlineNanos) break;
        }
    }

    private handleReboot(): void {
        if (!this.rebootRequested) return;
        this.rebootRequested = false;
        this.resets++;
        this.earlierNanos += this.clock.nanos;
        const flash = this.mcu.flash.slice(0, FLASH_SIZE);
        if (this.powerCut) {
            // a power cut: nothing but the flash survives
            this.powerCut = false;
            this.createChip(flash);
            return;
        }
        // the watchdog's reason and scratch registers survive its own reset (machine.reset_cause())
        const old = this.mcu.peripherals[page(WATCHDOG_BASE)] as unknown as WatchdogState;
        const keep = { reason: old.reason, scratch: old.scratchData.slice() };
        this.createChip(flash);
        const fresh = this.mcu.peripherals[page(WATCHDOG_BASE)] as unknown as WatchdogState;
        fresh.reason = keep.reason;
        fresh.scratchData.set(keep.scratch);
    }

    /**
     * Runs until `done()` is true or `timeoutMs` of emulated time pass. Returns whether done() held.
     * Yields to the event loop between batches (host I/O keeps flowing).
     */
    async runUntil(done: () => boolean, timeoutMs: number, opts: { haltOnOutput?: boolean; wallTimeoutMs?: number } = {}): Promise<boolean> {
        const wallDeadline = Date.now() + (opts.wallTimeoutMs ?? this.wallTimeoutMs);
        const deadline = this.clock.nanos + timeoutMs * 1e6;
        this.haltOnOutput = opts.haltOnOutput ?? true;
        try {
            for (;;) {
                if (done()) return true;
                if (this.stopped) throw new BoardStopped(`emulated board stopped: ${this.stopped}`, { exitCode: 3 });
                if (this.clock.nanos >= deadline) return false;
                if (Date.now() > wallDeadline) {
                    throw new MprtError(`wall-clock safety net hit (${Math.round((opts.wallTimeoutMs ?? this.wallTimeoutMs) / 1000)} s) while the emulated board was running`, { exitCode: 124 });
                }
                this.runBatch(Math.min(deadline, this.clock.nanos + SLICE_NANOS));
                this.handleReboot();
                await this.pace();
            }
        } finally {
            this.haltOnOutput = false;
        }
    }

    /** Lets the event loop run; in real-time mode also sleeps while emulated time is ahead of wall time. */
    private async pace(): Promise<void> {
        if (this.realTimeSlackMs === undefined) {
            await new Promise<void>((resolve) => setImmediate(resolve));
            return;
        }
        if (!this.wallStart) {
            this.wallStart = Date.now();
            this.emuStartNanos = this.clock.nanos;
        }
        const ahead = (this.clock.nanos - this.emuStartNanos) / 1e6 - (Date.now() - this.wallStart);
        if (ahead > this.realTimeSlackMs) {
            // sleep, but wake as soon as the host sends something
            await new Promise<void>((resolve) => {
                const timer = setTimeout(done, Math.min(ahead, 50));
                function done() {
                    clearTimeout(timer);
                    resolve();
                }
                this.wakeUp = done;
            });
            this.wakeUp = undefined;
        } else {
            await new Promise<void>((resolve) => setImmediate(resolve));
        }
        if (ahead < -1000) {
            // we are slower than real time: do not try to catch up later
            this.wallStart = Date.now();
            this.emuStartNanos = this.clock.nanos;
        }
    }

    /** Runs forever (interactive / pty modes) until `stop()` returns true. */
    async serve(stop: () => boolean): Promise<void> {
        this.realTimeSlackMs ??= 20;
        while (!stop()) {
            await this.runUntil(stop, 100, { haltOnOutput: false });
        }
    }

    async boot(opts: { timeoutMs?: number } = {}): Promise<void> {
        const timeoutMs = opts.timeoutMs ?? 10_000;
        const start = this.clock.nanos;
        const left = () => Math.max(0, timeoutMs - (this.clock.nanos - start) / 1e6);
        if (this.consoleKind === 'usb') {
            const up = await this.runUntil(() => this.link.connected(), left());
            if (!up) {
                this.throwIfWaitingForCore1(timeoutMs);
                throw new MprtError(`the firmware did not bring up its USB serial port within ${timeoutMs} emulated ms`, { exitCode: 3, hint: 'is the REPL on UART? try --uart' });
            }
            this.usbConnectsAtBoot = this.link.connectCount();
        }
        // the banner may have gone out before the host opened the port: ask for a fresh prompt
        for (let attempt = 0; ; attempt++) {
            if (this.text.includes('>>> ')) break;
            this.link.send(Uint8Array.of(0x0d));
            const got = await this.runUntil(() => this.text.includes('>>> '), Math.min(500, left()));
            if (got) break;
            if (left() <= 0) {
                this.throwIfWaitingForCore1(timeoutMs);
                throw new MprtError(`no REPL prompt from the firmware within ${timeoutMs} emulated ms`, {
                    exitCode: 3,
                    hint: this.consoleKind === 'usb' ? 'is the REPL on UART? try --uart' : 'is the REPL on USB? drop --uart',
                });
            }
        }
        this.text = '';
        this.repl.invalidate();
    }

    /**
     * A boot that stalls on a one-core board after the firmware knocked on core 1's FIFO is waiting for a core
     * that is not there (the FreeRTOS-Kernel's SMP port starts core 1 with multicore_launch_core1, which waits
     * for core 1's answer forever): said so, instead of a timeout that names the console.
     */
    private throwIfWaitingForCore1(timeoutMs: number): void {
        if (this.dual || !this.core1Requested) return;
        throw new MprtError('the firmware waits for core 1, which this board does not have (--cores 1): it asked core 1 to start '
            + `and did not reach its REPL within ${timeoutMs} emulated ms (a FreeRTOS-Kernel SMP build starts both cores at boot)`, {
            exitCode: 3,
            hint: 'run it with --cores 2 (the default), or build it with --rtos builtin, which runs on one core too',
        });
    }

    write(data: string | Uint8Array): void {
        this.repl.invalidate();
        this.send(data);
    }

    private send(data: string | Uint8Array): void {
        this.link.send(typeof data === 'string' ? new TextEncoder().encode(data) : data);
        this.wakeUp?.();
    }

    async readUntil(pattern: string | RegExp, opts: { timeoutMs?: number } = {}): Promise<string> {
        let end = -1;
        const find = () => {
            end = patternEnd(this.text, pattern);
            return end >= 0;
        };
        const ok = await this.runUntil(find, opts.timeoutMs ?? 10_000);
        if (!ok) {
            throw new MprtError(`timed out after ${opts.timeoutMs ?? 10_000} emulated ms waiting for ${JSON.stringify(String(pattern))}; got ${JSON.stringify(this.text.slice(-200))}`, { exitCode: 124 });
        }
        const out = this.text.slice(0, end);
        this.text = this.text.slice(end);
        return out;
    }

    drain(): string {
        return this.drainText();
    }

    private drainText(): string {
        const out = this.text;
        this.text = '';
        return out;
    }

    /**
     * Runs code through the raw REPL (the one client, cli/repl/raw-repl.ts). When the chip resets
     * itself meanwhile (machine.reset(), the watchdog) the board is booted again and `reset` is set.
     */
    async exec(code: string, opts: { timeoutMs?: number } = {}): Promise<ExecResult> {
        const resetsBefore = this.resets;
        const r = await this.repl.exec(code, { timeoutMs: opts.timeoutMs ?? 60_000, abort: () => this.resets !== resetsBefore });
        if (r.aborted) {
            await this.boot();
            return { stdout: r.stdout, stderr: '', timedOut: false, emulatedMs: r.ms, reset: true };
        }
        if (r.timedOut) {
            const note = this.core1Requested ? 'note: the firmware tried to start core 1, which this run does not emulate (--cores 1; the default --cores 2 does)\n' : '';
            return { stdout: r.stdout, stderr: r.stderr || note, timedOut: true, emulatedMs: r.ms };
        }
        return { stdout: r.stdout, stderr: r.stderr, timedOut: false, emulatedMs: r.ms };
    }

    async powerCycle(): Promise<void> {
        this.earlierNanos += this.clock.nanos;
        const flash = this.mcu.flash.slice(0, FLASH_SIZE);
        this.createChip(flash);
        this.text = '';
        await this.boot();
    }

    async readFile(path: string): Promise<Uint8Array> {
        return readBoardFile(this, path);
    }

    async writeFile(path: string, data: Uint8Array | string): Promise<void> {
        await writeBoardFile(this, path, data);
    }

    /** The emulated USB host (enumerated device, CDC ports); undefined with the UART console. */
    /** Emulated time since the board was opened, in ns. */
    get emulatedNanos(): number {
        return this.clock.nanos;
    }

    get usb(): UsbHost | undefined {
        return this.link instanceof UsbConsole ? this.link.host : undefined;
    }

    usbLinkStable(): boolean {
        return this.consoleKind === 'usb' && this.usbEnableCount === 1 && this.link.connected() && this.link.connectCount() === this.usbConnectsAtBoot;
    }

    cycles(): { total: number; waiting: number } {
        const core = this.mcu.core as unknown as CoreInternals;
        const waiting = Math.round(this.waitCycles);
        return { total: core.cycles + waiting, waiting };
    }

    nowMs(): number {
        return this.clock.nanos / 1e6;
    }

    /** Whether the firmware asked for USB boot mode (reset_to_usb_boot / machine.bootloader()). */
    enteredUsbBoot(): boolean {
        return this.usbBootRequested;
    }

    /** rp2040js warnings seen so far (unimplemented registers and the like). */
    warnings(): string[] {
        return this.logger.warnings;
    }

    /** Host-serviced ROM calls, counted when enabled (diagnostics). */
    romCalls(enable?: boolean): Map<string, number> {
        if (enable !== undefined) this.rom.countCalls = enable;
        return this.rom.callCounts;
    }

    /** Writes the flash image file (if any) when flash changed. */
    flush(): void {
        const path = this.opts.flashImage;
        if (!path || !this.flashDirty) return;
        const tmp = `${path}.tmp-${process.pid}`;
        writeFileSync(tmp, this.mcu.flash.subarray(0, FLASH_SIZE));
        renameSync(tmp, path);
        this.flashDirty = false;
    }

    async close(): Promise<void> {
        this.flush();
        this.halt = true;
    }
}
