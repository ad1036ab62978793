/**
 * One board running tests (emulated, or on a port), the board policy shared by every firmware we test:
 * - a fresh boot when the session starts, and again after any test that hung (timeout);
 * - a soft reset (Ctrl-D in the raw REPL) before every test and probe, as MicroPython's
 *   run-tests.py does through pyboard.py's enter_raw_repl();
 * - the data files a test reads (a `data/` folder next to it) and our `unittest` module are
 *   written to the board's filesystem before the first test that needs them.
 */
import type { ExecResult } from '../emulator/types.js';
import type { RawRepl } from '../repl/raw-repl.js';
import { makeBoardDirs, writeBoardFile } from '../repl/files.js';
import { assembleOutput } from './compare.js';
import type { RawRun } from './types.js';

/**
 * A board to run tests on, through its raw-REPL client: an emulated board (board-factory.ts) or a
 * board on a serial port (cli/repl/serial.ts).
 */
export interface TestTarget {
    readonly repl: RawRepl;
    /** Brings the board to its REPL (boots the emulated chip; on a port, the board is already up). */
    boot(timeoutMs: number): Promise<void>;
    /** Starts the board again after a hang, keeping its flash; rejects when it cannot. */
    restart(timeoutMs: number): Promise<void>;
    /** The board's clock in ms (emulated on the emulator, wall on a port). */
    nowMs(): number;
    close(): Promise<void>;
}

export interface BoardFactory {
    (): Promise<TestTarget>;
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

/** Milliseconds allowed for a handshake step and for a (re)boot; the soft reset's are the client's. */
const HANDSHAKE_MS = 5000;
const BOOT_MS = 20000;

export class TestSession {
    private board: TestTarget | undefined;
    private filesOnBoard = new Set<string>();
    /** Reboots after hangs, for the report. */
    reboots = 0;

    constructor(
        private readonly factory: BoardFactory,
        private readonly unittestSource: string,
    ) {}

    /** The current board, booting one first if needed. */
    async ensureBoard(): Promise<TestTarget> {
        if (!this.board) {
            this.board = await this.factory();
            await this.board.boot(BOOT_MS);
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
                await old.restart(BOOT_MS);
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
        await b.repl.softReset();
    }

    private async putFiles(b: TestTarget, files: BoardFile[]): Promise<void> {
        const dirs = new Set<string>();
        for (const f of files) {
            const parts = f.path.split('/').slice(1, -1);
            for (let i = 1; i <= parts.length; i++) dirs.add('/' + parts.slice(0, i).join('/'));
        }
        await makeBoardDirs(b.repl, dirs, HANDSHAKE_MS);
        for (const f of files) await writeBoardFile(b.repl, f.path, Buffer.from(f.base64, 'base64'));
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
    private async rawExec(b: TestTarget, code: string, timeoutMs: number): Promise<ExecResult & { recovered: boolean }> {
        const r = await b.repl.exec(code, { timeoutMs });
        if (r.refused) throw new Error(r.stderr);
        return { stdout: r.stdout, stderr: r.timedOut ? '' : r.stderr, timedOut: r.timedOut, emulatedMs: r.ms, recovered: r.recovered };
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
