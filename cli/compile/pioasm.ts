/**
 * pico-sdk's pioasm, built once with the host C++ compiler from the pico-sdk component's tools/pioasm and
 * cached in toolsDir()/pioasm-<version>/ (as mpy-cross: outside the build graph). The firmware does not
 * need it (its PIO assembler runs on the board, docs/pio.md); tests compare that assembler with it.
 */
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { MprtError } from '../util/errors.js';
import { toolsDir } from '../util/paths.js';

export function pioasmPath(version: string, env: NodeJS.ProcessEnv = process.env): string {
    return join(toolsDir(env), `pioasm-${version}`, 'pioasm');
}

export async function ensurePioasm(opts: { picoSdkDir: string; version: string; jobs: number }): Promise<string> {
    const path = pioasmPath(opts.version);
    if (existsSync(path)) return path;
    const dir = join(toolsDir(), `pioasm-${opts.version}`);
    const tmp = `${dir}.tmp-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    try {
        const { execa } = await import('execa');
        await execa('cmake', ['-S', join(opts.picoSdkDir, 'tools', 'pioasm'), '-B', tmp, '-DCMAKE_BUILD_TYPE=Release'], { all: true });
        await execa('cmake', ['--build', tmp, `-j${opts.jobs}`], { all: true });
    } catch (err) {
        rmSync(tmp, { recursive: true, force: true });
        const out = (err as { all?: string }).all ?? String(err);
        throw new MprtError(`building pioasm failed:\n${out.split('\n').slice(-20).join('\n')}`, {
            hint: 'pioasm needs cmake and a host C++ compiler (Debian: apt-get install cmake g++)',
        });
    }
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
    return path;
}
