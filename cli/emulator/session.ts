/**
 * What `mprt emulate` does with a board, one function per mode: run scripts through the raw REPL,
 * an interactive terminal, or a pty for host tools.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MprtError } from '../util/errors.js';
import { repoRoot } from '../util/paths.js';
import type { Rp2040Board } from './board.js';
import { openPty, type PtyBridge } from './pty.js';
import type { ExecResult } from './types.js';

/** Exit codes of `mprt emulate --run/--exec`. */
export const EXIT_OK = 0;
export const EXIT_RAISED = 1;
export const EXIT_TIMEOUT = 124;

export interface LastBuild {
    firmware: string;
    /** The console the build put the REPL on, when recorded. */
    console?: 'usb' | 'uart';
}

/** The last `mprt build` (build/.last-build.json), looked up from `cwd` then the repo. */
export function lastBuild(cwd = process.cwd()): LastBuild {
    for (const dir of [cwd, repoRoot()]) {
        const record = join(dir, 'build', '.last-build.json');
        if (!existsSync(record)) continue;
        let data: { firmware?: unknown; console?: unknown };
        try {
            data = JSON.parse(readFileSync(record, 'utf8')) as typeof data;
        } catch (err) {
            throw new MprtError(`${record} is not valid JSON`, { exitCode: 2, hint: 'run `mprt build` again', cause: err });
        }
        if (typeof data.firmware !== 'string') throw new MprtError(`${record} names no firmware`, { exitCode: 2, hint: 'run `mprt build` again' });
        const console = data.console === 'uart' || data.console === 'usb' ? data.console : undefined;
        return { firmware: resolve(dir, data.firmware), console };
    }
    throw new MprtError('no firmware given and no last build recorded (build/.last-build.json)', {
        exitCode: 2,
        hint: 'run `mprt build` first, or pass FIRMWARE.uf2 / FIRMWARE.elf',
    });
}

/** The firmware of the last `mprt build`. */
export function lastBuildFirmware(cwd = process.cwd()): string {
    return lastBuild(cwd).firmware;
}

export interface ScriptSource {
    /** A file name or "--exec". */
    name: string;
    code: string;
}

export interface ScriptOutcome extends ExecResult {
    name: string;
}

/** Converts the REPL's CRLF line ends to the host's LF. */
export function hostText(s: string): string {
    return s.replace(/\r\n/g, '\n');
}

/**
 * Runs each source in turn through the raw REPL; stops at the first that raises or times out.
 * Output is streamed to `out`/`err` after each script unless `quiet`.
 */
export async function runScripts(
    board: Rp2040Board,
    sources: ScriptSource[],
    opts: { timeoutMs: number; out?: (s: string) => void; err?: (s: string) => void },
): Promise<{ exitCode: number; outcomes: ScriptOutcome[] }> {
    const outcomes: ScriptOutcome[] = [];
    for (const src of sources) {
        const r = await board.exec(src.code, { timeoutMs: opts.timeoutMs });
        outcomes.push({ name: src.name, ...r });
        if (r.stdout) opts.out?.(hostText(r.stdout));
        if (r.stderr) opts.err?.(hostText(r.stderr));
        if (r.reset) opts.err?.(`(${src.name}: the board reset itself and was booted again)\n`);
        if (r.timedOut) {
            opts.err?.(`error: ${src.name} did not finish within ${opts.timeoutMs / 1000} emulated s (--timeout)\n`);
            return { exitCode: EXIT_TIMEOUT, outcomes };
        }
        if (r.stderr) return { exitCode: EXIT_RAISED, outcomes };
    }
    return { exitCode: EXIT_OK, outcomes };
}

/** The terminal becomes the REPL: raw mode, Ctrl-C/Ctrl-D go to the board, Ctrl-] quits. */
export async function interactive(board: Rp2040Board): Promise<void> {
    const stdin = process.stdin;
    let quit = false;
    const tty = stdin.isTTY;
    if (tty) stdin.setRawMode(true);
    stdin.resume();
    const onData = (d: Buffer) => {
        const i = d.indexOf(0x1d);
        if (i >= 0) {
            if (i > 0) board.write(new Uint8Array(d.subarray(0, i)));
            quit = true;
            return;
        }
        board.write(new Uint8Array(d));
    };
    stdin.on('data', onData);
    stdin.on('end', () => {
        quit = true;
    });
    if (tty) process.stderr.write('[mprt emulate: Ctrl-] quits]\r\n');
    board.setOutputListener((data) => process.stdout.write(data));
    board.write('\r');
    try {
        await board.serve(() => quit);
        if (!tty) await board.runUntil(() => false, 200);
    } finally {
        stdin.off('data', onData);
        board.setOutputListener(undefined);
        if (tty) stdin.setRawMode(false);
        stdin.pause();
    }
}

/**
 * Serves the console on a pty until SIGINT/SIGTERM or socat ends; prints the pty path first. Every other
 * CDC ACM port the USB host enumerated (a saved usb.UsbConfig: /dev/ttyUSB1.. on the board) gets a pty of
 * its own (`<link>.N`, or ttyACMN beside the console's), announced after the console's, in port order.
 */
export async function servePty(board: Rp2040Board, opts: { link?: string; announce: (path: string, ports: string[]) => void }): Promise<void> {
    const pty = await openPty((data) => board.write(data), opts.link);
    const extra: PtyBridge[] = [];
    const host = board.usb;
    for (let i = 1; i < (host?.cdcCount() ?? 0); i++) {
        const port = host!.port(i);
        const bridge = await openPty((data) => port.send(data), opts.link ? `${opts.link}.${i}` : undefined, `ttyACM${i}`);
        port.onData = (data) => bridge.write(data);
        extra.push(bridge);
    }
    let quit = false;
    board.setOutputListener((data) => pty.write(data));
    const stop = () => {
        quit = true;
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    void pty.closed.then(stop);
    opts.announce(
        pty.path,
        extra.map((b) => b.path),
    );
    try {
        await board.serve(() => quit);
    } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        board.setOutputListener(undefined);
        pty.close();
        for (const b of extra) b.close();
        for (let i = 1; i <= extra.length; i++) host!.port(i).onData = undefined;
    }
}
