/**
 * The one raw-REPL client: MicroPython's machine protocol (the one pyboard.py and mpremote speak),
 * over any byte transport — the emulated board's console (cli/emulator/board.ts), a serial port or a
 * pty (cli/repl/serial.ts). `mprt emulate --exec/--run`, `mprt test`, the benches and the tests all
 * talk to a board through this class; no other file spells the protocol's control bytes.
 *
 * The protocol:
 * - Ctrl-C interrupts a running program; Ctrl-A (on a fresh line) enters the raw REPL, which answers
 *   `raw REPL; CTRL-B to exit\r\n>`; Ctrl-B goes back to the friendly REPL (`>>> `).
 * - In the raw REPL, code then Ctrl-D is answered `OK`, what the code printed, Ctrl-D, the error text
 *   (a traceback, or nothing), Ctrl-D, and the `>` prompt again. A program ended by SystemExit
 *   soft-resets the VM after its reply instead of prompting.
 * - Ctrl-D on an empty raw-REPL line soft-resets the VM (`soft reboot`), then the raw REPL comes back.
 *
 * Pure protocol: bytes in and out through Transport, no files, no processes. Times are the
 * transport's: emulated milliseconds on the emulator, wall milliseconds on a port.
 */
import { MprtError } from '../util/errors.js';

/** A byte link to a board's console, and the clock to wait on it. */
export interface Transport {
    /** Sends bytes to the board. */
    write(data: Uint8Array): void;
    /** Takes every byte received from the board since the last call. */
    read(): Uint8Array;
    /**
     * Lets time pass (the emulator runs the chip; a port waits) until `done()` holds or `timeoutMs` of
     * the transport's time pass; resolves done(). `done` is checked whenever bytes arrive. Rejects
     * when the board cannot answer any more (it stopped, the port closed, a wall-clock safety net).
     */
    wait(done: () => boolean, timeoutMs: number): Promise<boolean>;
    /** The transport's clock, in milliseconds. */
    nowMs(): number;
    /** Drops bytes written but not yet taken by the board, when the transport queues them. */
    discardUnsent?(): void;
}

/** The control characters of the protocol. */
export const CTRL_A = '\x01';
export const CTRL_B = '\x02';
export const CTRL_C = '\x03';
export const CTRL_D = '\x04';
/** The friendly REPL's paste mode (ended by CTRL_D); not part of the raw-REPL protocol. */
export const CTRL_E = '\x05';
/** What the raw REPL prints when entered (and after a soft reset in it), prompt included. */
export const RAW_BANNER = 'raw REPL; CTRL-B to exit\r\n>';
/** The line a soft reset starts with (rp2 prints `MPY: soft reboot`). */
export const SOFT_REBOOT = 'soft reboot\r\n';
/** The friendly REPL's prompt. */
export const FRIENDLY_PROMPT = '>>> ';

/** A wait on the board ran out of time (exit code 124, as a timed-out `mprt emulate --exec`). */
/** Where the first match of `pattern` in `text` ends, or -1. */
export function patternEnd(text: string, pattern: string | RegExp): number {
    if (typeof pattern === 'string') {
        const i = text.indexOf(pattern);
        return i < 0 ? -1 : i + pattern.length;
    }
    const m = pattern.exec(text);
    return m ? m.index + m[0].length : -1;
}

export class ReplTimeout extends MprtError {
    constructor(message: string) {
        super(message, { exitCode: 124 });
        this.name = 'ReplTimeout';
    }
}

/** Whether an error is a timeout (ours, or a transport's wall-clock safety net). */
export function isTimeout(err: unknown): boolean {
    return err instanceof MprtError && err.exitCode === 124;
}

/** The raw REPL's answer to code + Ctrl-D, as far as it has arrived. */
export type Reply =
    | { state: 'incomplete' }
    /** It answered something else than `OK` (it was not in the raw REPL): the code did not run. */
    | { state: 'refused'; text: string }
    /** `rest` is what followed the second Ctrl-D (normally the `>` prompt). */
    | { state: 'done'; stdout: string; stderr: string; rest: string };

/**
 * Parses the raw REPL's reply to code + Ctrl-D: `OK` stdout Ctrl-D stderr Ctrl-D. Noise before `OK`
 * (a prompt's line end) is skipped; a `>` before any `OK` means the code was not taken.
 */
export function parseReply(text: string): Reply {
    const ok = text.indexOf('OK');
    const prompt = text.indexOf('>');
    if (prompt >= 0 && (ok < 0 || prompt < ok)) return { state: 'refused', text: text.slice(0, prompt + 1) };
    if (ok < 0) return { state: 'incomplete' };
    const first = text.indexOf(CTRL_D, ok + 2);
    if (first < 0) return { state: 'incomplete' };
    const second = text.indexOf(CTRL_D, first + 1);
    if (second < 0) return { state: 'incomplete' };
    return { state: 'done', stdout: text.slice(ok + 2, first), stderr: text.slice(first + 1, second), rest: text.slice(second + 1) };
}

/** What a program printed before its reply was cut short (the stdout part so far). */
export function partialStdout(text: string): string {
    const ok = text.indexOf('OK');
    return ok < 0 ? '' : text.slice(ok + 2).split(CTRL_D)[0];
}

export interface RawReplOptions {
    /** Time for each handshake step (the banner, the soft-reboot line, the prompt after a reply). Default 5000. */
    handshakeMs?: number;
    /** Time a soft reset may take to come back to the raw REPL (boot.py, main.py run first). Default 20000. */
    resetMs?: number;
    /** Time given to a running program to stop on Ctrl-C before Ctrl-A is sent. Default 0. */
    settleMs?: number;
    /** After a timeout and Ctrl-C, time for the reply to finish (the board recovered). Default 5000. */
    recoverMs?: number;
}

export interface RawExecOptions {
    /** Time the code may run (the transport's clock). Default 60000. */
    timeoutMs?: number;
    /** Checked while the code runs: when it turns true, stop waiting (e.g. the chip reset itself). */
    abort?: () => boolean;
}

export interface RawExecResult {
    /** What the code printed (the stdout part; partial after a timeout or abort). */
    stdout: string;
    /** The error text ('' when the code did not raise), or why the code could not be run. */
    stderr: string;
    /** The code did not finish within the time given. */
    timedOut: boolean;
    /** Milliseconds (transport clock) from sending the code to its reply, or to the timeout. */
    ms: number;
    /** False when, after a timeout, the board did not answer Ctrl-C: it needs a reboot. */
    recovered: boolean;
    /** The board answered something else than `OK`: the code did not run. */
    refused?: boolean;
    /** RawExecOptions.abort turned true while the code ran. */
    aborted?: boolean;
    /** The code ended with SystemExit: the board soft-reset after the reply (and is back in the raw REPL). */
    softReset?: boolean;
}

export class RawRepl {
    private rx = '';
    private decoder = new TextDecoder('utf-8');
    private readonly encoder = new TextEncoder();
    private inRaw = false;
    private readonly handshakeMs: number;
    private readonly resetMs: number;
    private readonly settleMs: number;
    private readonly recoverMs: number;

    constructor(
        private readonly transport: Transport,
        opts: RawReplOptions = {},
    ) {
        this.handshakeMs = opts.handshakeMs ?? 5000;
        this.resetMs = opts.resetMs ?? 20_000;
        this.settleMs = opts.settleMs ?? 0;
        this.recoverMs = opts.recoverMs ?? 5000;
    }

    /** Whether the board is known to sit at the raw REPL's prompt. */
    get inRawRepl(): boolean {
        return this.inRaw;
    }

    /**
     * Someone else used the console (or the board rebooted): forget the raw-REPL state and what was
     * received so far; the next exec enters the raw REPL again.
     */
    invalidate(): void {
        this.inRaw = false;
        this.rx = '';
        this.decoder = new TextDecoder('utf-8');
    }

    private send(text: string): void {
        this.transport.write(this.encoder.encode(text));
    }

    private pull(): void {
        const bytes = this.transport.read();
        if (bytes.length) this.rx += this.decoder.decode(bytes, { stream: true });
    }

    /** Waits until `pattern` has arrived; returns the text up to its end (the rest stays buffered). */
    async readUntil(pattern: string | RegExp, timeoutMs: number): Promise<string> {
        let end = -1;
        const found = (): boolean => {
            this.pull();
            end = patternEnd(this.rx, pattern);
            return end >= 0;
        };
        if (!(await this.transport.wait(found, timeoutMs))) {
            throw new ReplTimeout(`timed out after ${timeoutMs} ms waiting for ${JSON.stringify(String(pattern))}; got ${JSON.stringify(this.rx.slice(-200))}`);
        }
        const out = this.rx.slice(0, end);
        this.rx = this.rx.slice(end);
        return out;
    }

    /** Everything received and not yet read, without waiting. */
    drain(): string {
        this.pull();
        const out = this.rx;
        this.rx = '';
        return out;
    }

    /** Interrupts whatever runs and enters the raw REPL (a second round of Ctrl-C if the first does not do). */
    async enter(): Promise<void> {
        this.inRaw = false;
        this.transport.discardUnsent?.();
        this.send('\r' + CTRL_C + CTRL_C);
        if (this.settleMs > 0) await this.transport.wait(() => false, this.settleMs);
        this.drain();
        this.send('\r' + CTRL_A);
        try {
            await this.readUntil(RAW_BANNER, this.handshakeMs);
        } catch (err) {
            if (!isTimeout(err)) throw err;
            // a program may have caught the first interrupt: once more
            this.send(CTRL_C + CTRL_C + '\r' + CTRL_A);
            await this.readUntil(RAW_BANNER, this.handshakeMs);
        }
        this.rx = '';
        this.inRaw = true;
    }

    /** Enters the raw REPL and soft-resets the VM, as pyboard.py does before every script. */
    async softReset(): Promise<void> {
        await this.enter();
        this.inRaw = false;
        this.send(CTRL_D);
        await this.readUntil(SOFT_REBOOT, this.handshakeMs);
        await this.readUntil(RAW_BANNER, this.resetMs);
        this.rx = '';
        this.inRaw = true;
    }

    /** Leaves the raw REPL for the friendly one. */
    async exit(): Promise<void> {
        this.inRaw = false;
        this.send('\r' + CTRL_B);
        await this.readUntil(FRIENDLY_PROMPT, this.handshakeMs);
        this.rx = '';
    }

    /** Sends Ctrl-C (outside a raw-REPL exchange: the raw-REPL state is forgotten). */
    interrupt(): void {
        this.inRaw = false;
        this.send(CTRL_C);
    }

    /**
     * Runs code in the raw REPL (entering it first when needed) and collects its reply. When the code
     * runs longer than `timeoutMs` it is interrupted with Ctrl-C; `recovered` says whether the REPL came
     * back. Never throws for the code's own behaviour; rejects when the board does not answer the
     * raw-REPL handshake (ReplTimeout) or the transport fails.
     */
    async exec(code: string, opts: RawExecOptions = {}): Promise<RawExecResult> {
        const timeoutMs = opts.timeoutMs ?? 60_000;
        if (!this.inRaw) await this.enter();
        this.drain();
        this.inRaw = false;
        const t0 = this.transport.nowMs();
        this.send(code + CTRL_D);
        let reply: Reply = { state: 'incomplete' };
        const answered = (): boolean => {
            this.pull();
            reply = parseReply(this.rx);
            return reply.state !== 'incomplete';
        };
        const stop = (): boolean => answered() || (opts.abort?.() ?? false);
        let finished: boolean;
        try {
            finished = await this.transport.wait(stop, timeoutMs);
        } catch (err) {
            if (!isTimeout(err)) throw err;
            // the transport's safety net: the board is in no state to answer an interrupt
            const stdout = partialStdout(this.rx);
            this.rx = '';
            return { stdout, stderr: (err as Error).message, timedOut: true, ms: this.transport.nowMs() - t0, recovered: false };
        }
        const ms = this.transport.nowMs() - t0;
        if (opts.abort?.()) {
            const stdout = partialStdout(this.rx);
            this.rx = '';
            return { stdout, stderr: '', timedOut: false, ms, recovered: false, aborted: true };
        }
        if (!finished) {
            const stdout = partialStdout(this.rx);
            this.send(CTRL_C);
            const back = await this.transport.wait(answered, this.recoverMs).catch(() => false);
            const late = reply as Reply;
            const recovered = back && late.state === 'done' && (await this.prompt(late.rest)) !== 'unknown';
            if (!recovered) this.rx = '';
            return { stdout, stderr: '', timedOut: true, ms, recovered };
        }
        const r = reply as Reply;
        if (r.state === 'refused') {
            this.rx = '';
            return { stdout: '', stderr: `raw REPL refused the code: ${JSON.stringify(r.text.slice(0, 200))}`, timedOut: false, ms, recovered: true, refused: true };
        }
        if (r.state !== 'done') throw new Error('unreachable: reply incomplete');
        const after = await this.prompt(r.rest);
        return { stdout: r.stdout, stderr: r.stderr, timedOut: false, ms, recovered: true, ...(after === 'reset' ? { softReset: true } : {}) };
    }

    /**
     * After a reply: the raw REPL prompts again with `>`. After SystemExit the VM soft-resets instead
     * and comes back to the raw REPL with its banner: wait for that, so that the banner cannot be taken
     * for the answer to what is sent next. Anything else leaves the raw-REPL state unknown.
     */
    private async prompt(rest: string): Promise<'prompt' | 'reset' | 'unknown'> {
        this.rx = rest;
        const seen = await this.transport.wait(() => {
            this.pull();
            return this.rx.startsWith('>') || this.rx.includes(SOFT_REBOOT);
        }, this.handshakeMs).catch(() => false);
        this.inRaw = false;
        if (!seen) return 'unknown';
        if (this.rx.startsWith('>')) {
            this.rx = this.rx.slice(1);
            this.inRaw = true;
            return 'prompt';
        }
        try {
            await this.readUntil(RAW_BANNER, this.resetMs);
        } catch (err) {
            if (isTimeout(err)) return 'unknown';
            throw err;
        }
        this.inRaw = true;
        return 'reset';
    }
}
