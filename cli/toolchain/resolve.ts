import { existsSync, readdirSync, statSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { execFileSync } from 'node:child_process';
import { MprtError } from '../util/errors.js';
import { repoRoot } from '../util/paths.js';

export type ToolchainOrigin = '--toolchain' | 'MPRT_TOOLCHAIN' | 'xpm' | 'PATH';

export interface Toolchain {
    /** Directory holding arm-none-eabi-gcc and friends. */
    binDir: string;
    /** Where it was found, in the resolution order. */
    origin: ToolchainOrigin;
    /** `arm-none-eabi-gcc -dumpversion`. */
    version: string;
    gcc: string;
    gxx: string;
    objcopy: string;
    objdump: string;
    size: string;
    nm: string;
    readelf: string;
    ar: string;
    as: string;
    ld: string;
}

const PREFIX = 'arm-none-eabi-';

function hasGcc(dir: string): boolean {
    return existsSync(join(dir, `${PREFIX}gcc`));
}

/** The bin/ directory of an xpm-installed @xpack-dev-tools/arm-none-eabi-gcc under <project>/xpacks. */
function findXpm(projectDir: string): string | undefined {
    const xpacks = join(projectDir, 'xpacks');
    if (!existsSync(xpacks)) return undefined;
    const bin = join(xpacks, '.bin');
    if (hasGcc(bin)) return bin;
    for (const entry of readdirSync(xpacks)) {
        if (!entry.includes('arm-none-eabi-gcc')) continue;
        const candidate = join(xpacks, entry, '.content', 'bin');
        if (hasGcc(candidate)) return candidate;
    }
    return undefined;
}

function findOnPath(pathVar: string | undefined): string | undefined {
    for (const dir of (pathVar ?? '').split(delimiter)) {
        if (dir && hasGcc(dir)) return dir;
    }
    return undefined;
}

function make(binDir: string, origin: ToolchainOrigin): Toolchain {
    const tool = (name: string) => join(binDir, PREFIX + name);
    let version: string;
    try {
        version = execFileSync(tool('gcc'), ['-dumpversion'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
    } catch (err) {
        throw new MprtError(`${tool('gcc')} does not run`, { hint: 'reinstall the toolchain', cause: err });
    }
    return {
        binDir, origin, version,
        gcc: tool('gcc'), gxx: tool('g++'), objcopy: tool('objcopy'), objdump: tool('objdump'),
        size: tool('size'), nm: tool('nm'), readelf: tool('readelf'), ar: tool('ar'), as: tool('as'), ld: tool('ld'),
    };
}

/**
 * Finds the arm-none-eabi toolchain in this order: `--toolchain DIR`, `$MPRT_TOOLCHAIN`, an xpm
 * package in the project's xpacks/, then PATH. DIR may be the toolchain root or its bin/.
 */
export function resolveToolchain(
    opts: { toolchain?: string; projectDir?: string; env?: NodeJS.ProcessEnv } = {},
): Toolchain {
    const env = opts.env ?? process.env;
    const explicit: [string | undefined, ToolchainOrigin][] = [
        [opts.toolchain, '--toolchain'],
        [env.MPRT_TOOLCHAIN, 'MPRT_TOOLCHAIN'],
    ];
    for (const [dir, origin] of explicit) {
        if (!dir) continue;
        const abs = resolve(dir);
        for (const candidate of [abs, join(abs, 'bin')]) {
            if (existsSync(candidate) && statSync(candidate).isDirectory() && hasGcc(candidate)) {
                return make(candidate, origin);
            }
        }
        throw new MprtError(`no ${PREFIX}gcc in ${abs} (given by ${origin})`, {
            hint: `point ${origin} at the toolchain directory that contains bin/${PREFIX}gcc`,
        });
    }
    const xpm = findXpm(opts.projectDir ?? process.cwd()) ?? findXpm(repoRoot());
    if (xpm) return make(xpm, 'xpm');
    const onPath = findOnPath(env.PATH);
    if (onPath) return make(onPath, 'PATH');
    throw new MprtError(`no ${PREFIX}gcc found (looked at --toolchain, MPRT_TOOLCHAIN, xpacks/, PATH)`, {
        hint: 'run `npx mprt setup --yes` (installs Debian gcc-arm-none-eabi and picolibc-arm-none-eabi), or pass --toolchain DIR',
    });
}
