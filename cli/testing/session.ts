/**
 * One emulated board running tests, the board policy shared by every firmware we test:
 * - a fresh boot when the session starts, and again after any test that hung (timeout);
 * - a soft reset (Ctrl-D in the raw REPL) before every test and probe, as MicroPython's
 *   run-tests.py does through pyboard.py's enter_raw_repl();
 * - the data files a test reads (a `data/` folder next to it) and our `unittest` module are
 *   written to the board's filesystem before the first test that needs them.
 */
import type { EmulatedBoard, ExecResult } from '../emulator/types.js';
import { MprtError } from '../util/errors.js';
import { assembleOutput } from './compare.js';
import type { RawRun } from './types.js';

export interface BoardFactory {
    (): Promise<EmulatedBoard>;
}

/** A file to put on the board before a test runs. */
export interface BoardFile {
    /** Absolute path on the board, e.g. `/data/utf-8_1.txt` or `/lib/unittest.py`. */
    path: string;
    /** File contents, base64 (workers receive them through structured messages). */
    base64: string;
}

/** What a session needs to run one script. */
export interface ScriptJob {
    id: string;
    source: string;
    /** Files the script needs on the board; `group` names the set (rewritten when it changes). */
    files?: { group: string; list: BoardFile[] };
    /** Whether the script imports unittest. */
    needsUnittest?: boolean;
    timeoutMs: number;
}

const RAW_PROMPT = 'raw REPL; CTRL-B to exit\r\n>';
const SOFT_REBOOT = 'soft reboot\r\n';
/** Emulated milliseconds allowed for each REPL handshake step and for a soft reset. */
const HANDSHAKE_MS = 5000;
const BOOT_MS = 20000;

function isTimeout(err: unknown): boolean {
    return err instanceof MprtError && err.exitCode === 124;
}

export class TestSession {
    private board: EmulatedBoard | undefined;
    private filesOnBoard = new Set<string>();
    /** Reboots after hangs, for the report. */
    reboots = 0;

    constructor(
        private readonly factory: BoardFactory,
        private readonly unittestSource: string,
    ) {}

    /** The current board, booting one first if needed. */
    async ensureBoard(): Promise<EmulatedBoard> {
        if (!this.board) {
            this.board = await this.factory();
            await this.board.boot({ timeoutMs: BOOT_MS });
            this.filesOnBoard.clear();
        }
        return this.board;
    }

    nowMs(): number {
        return this.board ? this.board.nowMs() : 0;
    }

    /** Replace the board after a hang: power cycle it (flash is kept), or start a new one. */
    async reboot(): Promise<void> {
        this.reboots++;
        const old = this.board;
        if (old) {
            try {
                await old.powerCycle();
                await old.boot({ timeoutMs: BOOT_MS });
                return;
            } catch {
                this.board = undefined;
                await old.close().catch(() => undefined);
            }
        }
        await this.ensureBoard();
    }

    /** Interrupt whatever runs, enter the raw REPL and soft-reset the VM, like pyboard.py does. */
    async softReset(): Promise<void> {
        const b = await this.ensureBoard();
        b.write('\r\x03\x03');
        b.drain();
        b.write('\r\x01');
        await b.readUntil(RAW_PROMPT, { timeoutMs: HANDSHAKE_MS });
        b.write('\x04');
        await b.readUntil(SOFT_REBOOT, { timeoutMs: HANDSHAKE_MS });
        await b.readUntil(RAW_PROMPT, { timeoutMs: BOOT_MS });
    }

    private async putFiles(b: EmulatedBoard, files: BoardFile[]): Promise<void> {
        const dirs = new Set<string>();
        for (const f of files) {
            const parts = f.path.split('/').slice(1, -1);
            for (let i = 1; i <= parts.length; i++) dirs.add('/' + parts.slice(0, i).join('/'));
        }
        if (dirs.size) {
            const code = [...dirs].sort().map((d) => `try:\n os.mkdir(${JSON.stringify(d)})\nexcept OSError:\n pass`).join('\n');
            const r = await b.exec('import os\n' + code, { timeoutMs: HANDSHAKE_MS });
            if (r.stderr || r.timedOut) throw new Error(`cannot create folders on the board: ${r.stderr || 'timeout'}`);
        }
        for (const f of files) await b.writeFile(f.path, Buffer.from(f.base64, 'base64'));
    }

    private async prepareFiles(job: ScriptJob): Promise<void> {
        const b = await this.ensureBoard();
        if (job.needsUnittest && !this.filesOnBoard.has('unittest')) {
            await this.putFiles(b, [{ path: '/lib/unittest.py', base64: Buffer.from(this.unittestSource).toString('base64') }]);
            this.filesOnBoard.add('unittest');
        }
        if (job.files && !this.filesOnBoard.has('data:' + job.files.group)) {
            await this.putFiles(b, job.files.list);
            for (const k of [...this.filesOnBoard]) if (k.startsWith('data:')) this.filesOnBoard.delete(k);
            this.filesOnBoard.add('data:' + job.files.group);
        }
    }

    /**
     * Sends a script to the raw REPL the session is in (after softReset) and collects its reply the
     * way pyboard.py does: `OK`, stdout up to the first Ctrl-D, the error text up to the second.
     * A script ended by SystemExit (the SKIP convention) soft-resets the board after its reply: the
     * next softReset() drains that. On timeout the script is interrupted with Ctrl-C.
     */
    private async rawExec(b: EmulatedBoard, code: string, timeoutMs: number): Promise<ExecResult & { recovered: boolean }> {
        const t0 = b.nowMs();
        const left = (): number => Math.max(1, timeoutMs - (b.nowMs() - t0));
        b.write(code);
        b.write('\x04');
        let stdout = '';
        try {
            const ok = await b.readUntil(/OK|>/, { timeoutMs: HANDSHAKE_MS + code.length });
            if (!ok.endsWith('OK')) throw new Error(`raw REPL refused the script: ${JSON.stringify(ok.slice(-200))}`);
            stdout = (await b.readUntil('\x04', { timeoutMs: left() })).slice(0, -1);
            const stderr = (await b.readUntil('\x04', { timeoutMs: left() })).slice(0, -1);
            return { stdout, stderr, timedOut: false, emulatedMs: b.nowMs() - t0, recovered: true };
        } catch (err) {
            if (!isTimeout(err)) throw err;
        }
        // Timed out: keep what it printed, interrupt it, and see whether the REPL comes back.
        const partial = stdout + b.drain().replace(/^OK/, '').split('\x04')[0];
        const emulatedMs = b.nowMs() - t0;
        b.write('\x03');
        let recovered = true;
        try {
            await b.readUntil(/\x04[^]*\x04/, { timeoutMs: HANDSHAKE_MS });
        } catch {
            recovered = false;
        }
        return { stdout: partial, stderr: '', timedOut: true, emulatedMs, recovered };
    }

    /** Runs one script with the board policy; never throws (a broken board gives a crashed run). */
    async run(job: ScriptJob): Promise<RawRun> {
        const start = Date.now();
        let res: ExecResult & { recovered: boolean };
        try {
            await this.prepareFiles(job);
            await this.softReset();
            res = await this.rawExec(await this.ensureBoard(), job.source, job.timeoutMs);
        } catch (err) {
            // The board did not answer a handshake: treat as a hang, start afresh for the next test.
            await this.reboot().catch(() => undefined);
            return {
                output: `board error: ${(err as Error).message}\nCRASH`,
                crashed: true,
                timedOut: false,
                emulatedMs: 0,
                wallMs: Date.now() - start,
                rebooted: true,
            };
        }
        const { output, crashed } = assembleOutput(res.stdout, res.stderr, res.timedOut);
        let rebooted = false;
        if (!res.recovered) {
            // A wedged board does not answer Ctrl-C: boot it again.
            await this.reboot().catch(() => undefined);
            rebooted = true;
        }
        return { output, crashed, timedOut: res.timedOut, emulatedMs: res.emulatedMs, wallMs: Date.now() - start, rebooted };
    }

    async close(): Promise<void> {
        const b = this.board;
        this.board = undefined;
        if (b) await b.close().catch(() => undefined);
    }
}
