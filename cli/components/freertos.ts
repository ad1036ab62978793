/**
 * The FreeRTOS-Kernel source tree for `mprt build --rtos freertos`: where it comes from
 * (--freertos-path / rtos.freertos_path, else $MPRT_FREERTOS_PATH: the `freertos-kernel` path component of
 * vendor/manifest.json) and a check that it is a kernel tree with the SMP RP2040 port, of a release the firmware
 * supports (tskKERNEL_VERSION_* of include/task.h: V11.3.0 or later), failing with what was found, what was
 * expected and how to fix it.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { EffectiveConfig } from '../config/load.js';
import { MprtError } from '../util/errors.js';
import { componentInstallDir, findComponent } from './components.js';

/** The tree `mprt setup --component freertos-kernel` put in the cache, if it did. */
function setupTree(env: NodeJS.ProcessEnv): string | undefined {
    const dir = componentInstallDir(findComponent('freertos-kernel'), env);
    return existsSync(join(dir, '.mprt-unpacked')) ? dir : undefined;
}

/** The RP2040 port inside a FreeRTOS-Kernel tree (SMP since V11). */
export const FREERTOS_RP2040_PORT = 'portable/ThirdParty/GCC/RP2040';

/** What the build uses from the tree (library.cmake defines the FreeRTOS-Kernel* CMake libraries). */
export const FREERTOS_REQUIRED_FILES = [
    'tasks.c', 'queue.c', 'list.c', 'timers.c', 'event_groups.c', 'stream_buffer.c',
    'include/FreeRTOS.h', 'include/task.h', 'portable/MemMang/heap_3.c',
    `${FREERTOS_RP2040_PORT}/port.c`, `${FREERTOS_RP2040_PORT}/library.cmake`, `${FREERTOS_RP2040_PORT}/include/portmacro.h`,
];

/**
 * The oldest FreeRTOS-Kernel release the firmware is known to build and run on: V11.1.0 and V11.2.0 lack the
 * RP2040 port's xPortIsInsideInterrupt. Later releases are accepted but untested here.
 */
export const FREERTOS_MIN_VERSION: readonly [number, number, number] = [11, 3, 0];
export const FREERTOS_TESTED_TAG = 'V11.3.0';

export function formatFreertosVersion(v: readonly number[]): string {
    return `V${v.join('.')}`;
}

/** tskKERNEL_VERSION_MAJOR/MINOR/BUILD of include/task.h; undefined when a tree does not say. */
export function readFreertosVersion(dir: string): [number, number, number] | undefined {
    const file = join(dir, 'include', 'task.h');
    if (!existsSync(file)) return undefined;
    const text = readFileSync(file, 'utf8');
    const found: Record<string, number> = {};
    for (const m of text.matchAll(/^\s*#\s*define\s+tskKERNEL_VERSION_(MAJOR|MINOR|BUILD)\s+\(?\s*(\d+)/gm)) found[m[1]] = Number(m[2]);
    if (found.MAJOR === undefined || found.MINOR === undefined || found.BUILD === undefined) return undefined;
    return [found.MAJOR, found.MINOR, found.BUILD];
}

function versionBefore(a: readonly number[], b: readonly number[]): boolean {
    for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] < b[i];
    return false;
}

export interface FreertosKernel {
    path: string;
    /** tskKERNEL_VERSION_* of the tree, e.g. "V11.3.0". */
    version: string;
    /** Where the path came from, in words. */
    origin: string;
}

export function freertosEnvName(): string {
    const c = findComponent('freertos-kernel');
    return c.source.type === 'path' || c.source.type === 'git-tag' ? c.source.env : 'MPRT_FREERTOS_PATH';
}

function fixHint(env: string): string {
    return `point --freertos-path DIR (or rtos.freertos_path in mprt.config.json, or ${env}=DIR) at a FreeRTOS-Kernel `
        + `${formatFreertosVersion(FREERTOS_MIN_VERSION)} or later source tree: the directory with tasks.c, queue.c, list.c, include/FreeRTOS.h and the SMP `
        + `RP2040 port in ${FREERTOS_RP2040_PORT} (\`mprt setup --component freertos-kernel\`, or git clone -b ${FREERTOS_TESTED_TAG} `
        + 'https://github.com/FreeRTOS/FreeRTOS-Kernel); or build with --rtos builtin (our kernel, lib/rtos, nothing to download)';
}

function describeOrigin(origin: string): string {
    if (origin === '--set') return '--freertos-path / --set rtos.freertos_path';
    if (origin === 'default') return 'rtos.freertos_path';
    return `rtos.freertos_path in ${origin}`;
}

/** Problems of a directory as a FreeRTOS-Kernel tree for the RP2040 SMP build; [] when usable. */
export function checkFreertosTree(dir: string): string[] {
    if (!existsSync(dir)) return ['the directory does not exist'];
    if (!statSync(dir).isDirectory()) return ['it is not a directory'];
    const missing = FREERTOS_REQUIRED_FILES.filter((f) => !existsSync(join(dir, f)));
    if (missing.length) return [`missing ${missing.join(', ')}`];
    if (!readFileSync(join(dir, 'include', 'FreeRTOS.h'), 'utf8').includes('configNUMBER_OF_CORES')) {
        return ['include/FreeRTOS.h has no configNUMBER_OF_CORES: a kernel older than V11 (no SMP in its main line)'];
    }
    const version = readFreertosVersion(dir);
    if (!version) return ['include/task.h does not define tskKERNEL_VERSION_MAJOR/MINOR/BUILD'];
    if (versionBefore(version, FREERTOS_MIN_VERSION)) {
        return [`it is FreeRTOS-Kernel ${formatFreertosVersion(version)} (include/task.h); ${formatFreertosVersion(FREERTOS_MIN_VERSION)} or later is needed `
            + '(older releases lack what the firmware uses of the RP2040 port, e.g. xPortIsInsideInterrupt)'];
    }
    return [];
}

/**
 * The kernel tree of a freertos build: rtos.freertos_path (relative to its config file, or to `cwd` for
 * --set/--freertos-path), else $MPRT_FREERTOS_PATH. Throws (exit code 2) when unset or not a usable tree.
 */
export function resolveFreertosKernel(effective: EffectiveConfig, cwd: string, env: NodeJS.ProcessEnv = process.env): FreertosKernel {
    const envName = freertosEnvName();
    const given = effective.config.rtos.freertos_path;
    let path: string;
    let origin: string;
    if (given) {
        const keyOrigin = effective.origins['rtos.freertos_path'] ?? '--set';
        const base = keyOrigin === effective.configFile && effective.configFile ? effective.frozenBase : cwd;
        path = isAbsolute(given) ? given : resolve(base, given);
        origin = describeOrigin(keyOrigin);
    } else if (env[envName]) {
        path = resolve(cwd, env[envName]!);
        origin = envName;
    } else if (setupTree(env)) {
        path = setupTree(env)!;
        origin = '`mprt setup --component freertos-kernel`';
    } else {
        throw new MprtError(`--rtos freertos needs the FreeRTOS-Kernel source tree, and none was given (--freertos-path, rtos.freertos_path, ${envName})`, {
            hint: fixHint(envName),
            exitCode: 2,
        });
    }
    const problems = checkFreertosTree(path);
    if (problems.length) {
        throw new MprtError(`--rtos freertos: ${path} (from ${origin}) is not a FreeRTOS-Kernel tree with the RP2040 port: ${problems.join('; ')}`, {
            hint: fixHint(envName),
            exitCode: 2,
        });
    }
    return { path, origin, version: formatFreertosVersion(readFreertosVersion(path)!) };
}
