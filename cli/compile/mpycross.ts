/**
 * mpy-cross (needed to freeze Python modules), built once from the MicroPython component with the
 * host C compiler and cached in toolsDir()/mpy-cross-<version>/ (outside the build graph: it never
 * changes for a given MicroPython version, so firmware builds only check it exists).
 */
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { MprtError } from '../util/errors.js';
import { toolsDir } from '../util/paths.js';

export function mpyCrossPath(version: string, env: NodeJS.ProcessEnv = process.env): string {
    return join(toolsDir(env), `mpy-cross-${version}`, 'build', 'mpy-cross');
}

export async function ensureMpyCross(opts: {
    micropythonDir: string;
    version: string;
    jobs: number;
    log: (line: string) => void;
}): Promise<{ path: string; built: boolean }> {
    const path = mpyCrossPath(opts.version);
    if (existsSync(path)) return { path, built: false };
    const dir = join(toolsDir(), `mpy-cross-${opts.version}`);
    const tmp = `${dir}.tmp-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    opts.log(`building mpy-cross ${opts.version} (once; cached in ${dir})`);
    try {
        const { execa } = await import('execa'); // loaded on use: a no-op build starts no process
        await execa('make', ['-C', join(opts.micropythonDir, 'mpy-cross'), `-j${opts.jobs}`,
            `BUILD=${join(tmp, 'build')}`, 'USER_C_MODULES='], { all: true });
    } catch (err) {
        rmSync(tmp, { recursive: true, force: true });
        const out = (err as { all?: string }).all ?? String(err);
        throw new MprtError(`building mpy-cross failed:\n${out.split('\n').slice(-20).join('\n')}`, {
            hint: 'mpy-cross needs a host C compiler (Debian: apt-get install build-essential)',
        });
    }
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
    return { path, built: true };
}
