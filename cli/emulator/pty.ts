/**
 * A pseudo-terminal for the emulated console, so host tools (mpremote, pyserial, screen) can talk to
 * the board as if it were /dev/ttyACM0. socat owns the pty (`pty,raw,echo=0,link=PATH`) and relays it
 * to its stdio, which we connect to the board's console. Input from the pty is queued and fed to the
 * firmware with flow control (see console.ts), so large transfers (mpremote fs cp) lose nothing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MprtError } from '../util/errors.js';

export interface PtyBridge {
    /** Path of the pty symlink (what `mpremote connect` takes). */
    path: string;
    /** Write board output to the pty. */
    write(data: Uint8Array): void;
    /** Resolves when socat exits. */
    closed: Promise<void>;
    close(): void;
}

export async function openPty(onInput: (data: Uint8Array) => void, link?: string, name = 'ttyACM0'): Promise<PtyBridge> {
    const dir = link ? undefined : mkdtempSync(join(tmpdir(), 'mprt-pty-'));
    const path = link ?? join(dir!, name);
    let child: ChildProcess;
    try {
        child = spawn('socat', [`pty,raw,echo=0,link=${path}`, 'STDIO'], { stdio: ['pipe', 'pipe', 'pipe'] });
    } catch (err) {
        throw new MprtError('could not start socat for --pty', { hint: 'install socat (Debian: apt-get install socat)', cause: err });
    }
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => {
        stderr += d.toString();
    });
    const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
    const spawnError = new Promise<Error>((resolve) => child.on('error', resolve));
    child.stdout!.on('data', (d: Buffer) => onInput(new Uint8Array(d)));
    const start = Date.now();
    while (!existsSync(path)) {
        const failed = await Promise.race([spawnError, new Promise<undefined>((r) => setTimeout(() => r(undefined), 20))]);
        if (failed) {
            throw new MprtError(`could not start socat for --pty: ${failed.message}`, { hint: 'install socat (Debian: apt-get install socat)' });
        }
        if (child.exitCode !== null || Date.now() - start > 5000) {
            child.kill();
            throw new MprtError(`socat did not create the pty ${path}: ${stderr.trim()}`);
        }
    }
    return {
        path,
        write: (data) => {
            child.stdin!.write(data);
        },
        closed,
        close: () => {
            if (child.exitCode === null) child.kill('SIGTERM');
            if (dir) rmSync(dir, { recursive: true, force: true });
        },
    };
}
