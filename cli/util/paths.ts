import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (where package.json, templates/, ports/ live), from cli/util or dist/cli/util. */
export function repoRoot(): string {
    const here = dirname(fileURLToPath(import.meta.url));
    return here.split('/').includes('dist') ? resolve(here, '../../..') : resolve(here, '../..');
}

/** The download/unpack cache: $MPRT_CACHE, else ~/.cache/mprt. */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
    return env.MPRT_CACHE ? resolve(env.MPRT_CACHE) : join(env.HOME ?? homedir(), '.cache', 'mprt');
}

/** Where downloaded archives (.deb, .orig.tar.*, npm tarballs) are kept, verified by sha256. */
export function downloadsDir(env: NodeJS.ProcessEnv = process.env): string {
    return join(cacheDir(env), 'downloads');
}

/** Where component source trees are unpacked and patched: src/<name>-<version>/. */
export function sourcesDir(env: NodeJS.ProcessEnv = process.env): string {
    return join(cacheDir(env), 'src');
}

/** Host tools built from component sources (mpy-cross, pioasm), and the stock reference firmware. */
export function toolsDir(env: NodeJS.ProcessEnv = process.env): string {
    return join(cacheDir(env), 'tools');
}
