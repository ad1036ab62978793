/**
 * N emulated boards in worker threads, fed from one queue of scripts. A watchdog in the main
 * thread replaces a worker whose board stops making progress (the emulated clock does not move for
 * `stallMs` of wall time) or overruns the wall-clock cap of a test: the per-test timeout is in
 * emulated time and is enforced by the board itself; this is the safety net for wedges.
 */
import { Worker } from 'node:worker_threads';
import type { TargetSpec } from './board-factory.js';
import { MprtError } from '../util/errors.js';
import type { ScriptJob } from './session.js';
import type { RawRun } from './types.js';
import type { FromWorker, ToWorker, WorkerInit } from './worker.js';

export interface PoolOptions {
    size: number;
    board: TargetSpec;
    unittestSource: string;
    /** Wall-clock cap for one script, board preparation included. */
    wallCapMs: (job: ScriptJob) => number;
    /** Replace a board whose emulated clock has not advanced for this long (wall). */
    stallMs: number;
}

interface Pending {
    job: ScriptJob;
    resolve: (r: RawRun) => void;
}

class Slot {
    private worker!: Worker;
    private current: (Pending & { started: number }) | undefined;
    private lastNow = -1;
    private lastProgress = Date.now();
    private bootWaiter: { resolve: () => void; reject: (e: Error) => void } | undefined;
    private closing = false;
    /** Times the worker was replaced. */
    replaced = 0;
    bootWallMs = 0;

    constructor(private readonly opts: PoolOptions) {
        this.spawn();
    }

    private spawn(): void {
        const init: WorkerInit = { board: this.opts.board, unittestSource: this.opts.unittestSource };
        // The emulator's own console noise (rp2040js warnings) stays out of the report: the summary
        // must be the last line. MPRT_TEST_VERBOSE=1 shows it on stderr.
        this.worker = new Worker(new URL('./worker.js', import.meta.url), { workerData: init, stdout: true, stderr: true });
        for (const stream of [this.worker.stdout, this.worker.stderr]) {
            if (process.env.MPRT_TEST_VERBOSE) stream.pipe(process.stderr, { end: false });
            else stream.resume();
        }
        this.lastNow = -1;
        this.lastProgress = Date.now();
        this.worker.on('message', (m: FromWorker) => this.onMessage(m));
        this.worker.on('error', (e) => this.onExit(`worker error: ${e.message}`));
        this.worker.on('exit', (code) => this.onExit(`worker exited (${code})`));
    }

    private onMessage(m: FromWorker): void {
        if (m.type === 'beat') {
            if (m.nowMs !== this.lastNow) {
                this.lastNow = m.nowMs;
                this.lastProgress = Date.now();
            }
        } else if (m.type === 'booted') {
            this.bootWallMs = m.wallMs;
            this.bootWaiter?.resolve();
            this.bootWaiter = undefined;
        } else if (m.type === 'fatal') {
            const board = this.opts.board;
            this.bootWaiter?.reject('port' in board
                ? new MprtError(`the board at ${board.port} did not answer: ${m.message}`, {
                    hint: 'is it a MicroPython board, and is no other program (mpremote, a terminal) using the port?',
                })
                : new MprtError(`the emulated board did not boot: ${m.message}`, {
                    hint: 'check that the file is an RP2040 MicroPython firmware (.uf2 or .elf)',
                }));
            this.bootWaiter = undefined;
        } else if (m.type === 'result') {
            const cur = this.current;
            this.current = undefined;
            cur?.resolve(m.raw);
        }
    }

    private onExit(why: string): void {
        if (this.closing) return;
        this.bootWaiter?.reject(new MprtError(`the emulated board did not boot: ${why}`));
        this.bootWaiter = undefined;
        const cur = this.current;
        this.current = undefined;
        if (cur) {
            cur.resolve({ output: `${why}\nCRASH`, crashed: true, timedOut: false, emulatedMs: 0, wallMs: Date.now() - cur.started, rebooted: true });
        }
        this.replaced++;
        this.spawn();
    }

    boot(): Promise<void> {
        return new Promise((resolve, reject) => {
            this.bootWaiter = { resolve, reject };
            this.send({ type: 'boot' });
        });
    }

    private send(m: ToWorker): void {
        this.worker.postMessage(m);
    }

    get busy(): boolean {
        return this.current !== undefined || this.closing;
    }

    run(p: Pending): void {
        this.current = { ...p, started: Date.now() };
        this.lastProgress = Date.now();
        this.send({ type: 'run', job: p.job });
    }

    /** Called every second: replaces the worker when its board wedged. */
    watch(): void {
        const cur = this.current;
        if (!cur) return;
        const now = Date.now();
        const over = now - cur.started > this.opts.wallCapMs(cur.job);
        const stalled = now - this.lastProgress > this.opts.stallMs;
        if (!over && !stalled) return;
        this.current = undefined;
        const why = over ? 'wall-clock cap exceeded' : 'emulation stalled';
        this.closing = true;
        void this.worker.terminate().finally(() => {
            this.closing = false;
            this.replaced++;
            this.spawn();
            cur.resolve({ output: `TIMEOUT (${why})`, crashed: true, timedOut: true, emulatedMs: 0, wallMs: now - cur.started, rebooted: true });
        });
    }

    async close(): Promise<void> {
        this.closing = true;
        this.send({ type: 'close' });
        const timer = setTimeout(() => void this.worker.terminate(), 5000);
        await new Promise<void>((r) => this.worker.once('exit', () => r()));
        clearTimeout(timer);
    }
}

export class BoardPool {
    private readonly slots: Slot[];
    private readonly queue: Pending[] = [];
    private readonly timer: NodeJS.Timeout;

    constructor(private readonly opts: PoolOptions) {
        this.slots = Array.from({ length: Math.max(1, opts.size) }, () => new Slot(opts));
        this.timer = setInterval(() => {
            for (const s of this.slots) s.watch();
            this.pump();
        }, 1000);
    }

    /** Boots every board; rejects with a clear error when the firmware does not boot. */
    async boot(): Promise<number> {
        await Promise.all(this.slots.map((s) => s.boot()));
        return Math.max(...this.slots.map((s) => s.bootWallMs));
    }

    run(job: ScriptJob): Promise<RawRun> {
        return new Promise((resolve) => {
            this.queue.push({
                job,
                resolve: (r) => {
                    resolve(r);
                    queueMicrotask(() => this.pump());
                },
            });
            this.pump();
        });
    }

    private pump(): void {
        for (const s of this.slots) {
            if (!this.queue.length) return;
            if (!s.busy) s.run(this.queue.shift()!);
        }
    }

    /** Workers replaced because their board wedged or died. */
    get replacements(): number {
        return this.slots.reduce((n, s) => n + s.replaced, 0);
    }

    async close(): Promise<void> {
        clearInterval(this.timer);
        await Promise.all(this.slots.map((s) => s.close()));
    }
}
