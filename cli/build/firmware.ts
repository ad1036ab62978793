/**
 * `mprt build`: configuration → generated build tree → CMake/Ninja → output files and a report.
 * Incremental: generated files are only rewritten when they change, Ninja rebuilds what depends on
 * them, and a build that changes nothing is detected and reported as a no-op.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { loadBoard, type Board } from '../config/boards.js';
import { loadConfig, type EffectiveConfig } from '../config/load.js';
import { generateTree, type ComponentPaths } from '../generate/tree.js';
import { writeAtomic } from '../generate/write.js';
import { resolveToolchain, type Toolchain } from '../toolchain/resolve.js';
import { MprtError } from '../util/errors.js';
import { repoRoot } from '../util/paths.js';
import { componentDir, findComponent } from '../vendor/components.js';
import { abiId } from './abi.js';
import { writeExports } from './exports.js';
import { moduleSdkCurrent, writeModuleSdk } from './module-sdk.js';
import { resolveFreertosKernel } from '../vendor/freertos.js';
import { ensureMpyCross } from './mpycross.js';
import { runCmakeConfigure, runNinja } from './ninja.js';
import { OUTPUT_FILES, writeImageOutputs } from './outputs.js';
import { componentRoots, summariseSizes, type SizeSummary } from './sizes.js';

/** Fixed build date (2025-04-15, MicroPython 1.25.0's release) unless SOURCE_DATE_EPOCH is set. */
export const DEFAULT_SOURCE_DATE_EPOCH = 1744675200;

export interface BuildOptions {
    board: string;
    outDir?: string;
    jobs?: number;
    configFile?: string;
    set?: string[];
    /** --rtos: the kernel (rtos.kernel), applied after --set. */
    rtos?: string;
    /** --freertos-path: rtos.freertos_path, applied after --set. */
    freertosPath?: string;
    toolchain?: string;
    cwd?: string;
    log?: (line: string) => void;
    onProgress?: (done: number, total: number, what: string) => void;
}

export interface BuildResult {
    board: Board;
    outDir: string;
    toolchain: { binDir: string; origin: string; version: string; libc: string };
    effective: EffectiveConfig;
    /** The kernel the firmware runs on (also in size.json and build/.last-build.json, for `mprt doctor`). */
    kernel: KernelRecord;
    /** Nothing was rebuilt and the outputs were already up to date. */
    noop: boolean;
    configured: boolean;
    mpyCrossBuilt: boolean;
    /** Object files compiled in this run. */
    compiled: string[];
    /** Every build step run by Ninja (compile, link, generators). */
    steps: string[];
    outputs: { name: string; path: string; bytes: number }[];
    sizes?: SizeSummary;
    seconds: number;
    notes: string[];
}

export interface KernelRecord {
    /** rtos.kernel */
    name: 'none' | 'builtin' | 'freertos';
    /** lib/rtos for builtin, the FreeRTOS-Kernel tree for freertos, null for none. */
    path: string | null;
    /** The FreeRTOS-Kernel's tskKERNEL_VERSION_* (freertos only), e.g. "V11.3.0". */
    version?: string;
}

interface State {
    elfSha256: string;
    outputs: string[];
}

function sha256(path: string): string {
    return createHash('sha256').update(readFileSync(path)).digest('hex');
}

async function realPython(): Promise<string> {
    try {
        const r = await execa('python3', ['-c', 'import sys; print(sys.executable)']);
        return r.stdout.trim();
    } catch (err) {
        throw new MprtError('python3 not found (MicroPython\'s build scripts need it)', {
            hint: 'install python3 (Debian: apt-get install python3)', cause: err,
        });
    }
}

async function checkTool(cmd: string, pkg: string): Promise<void> {
    try {
        await execa(cmd, ['--version']);
    } catch (err) {
        throw new MprtError(`${cmd} not found`, { hint: `run \`npx mprt setup --yes\` (installs Debian ${pkg})`, cause: err });
    }
}

/** Links an empty program with picolibc.specs and returns the libc.a the linker used. */
async function checkPicolibc(tc: Toolchain, tmpDir: string): Promise<string> {
    mkdirSync(tmpDir, { recursive: true });
    const r = await execa(tc.gcc, ['--specs=picolibc.specs', '-mcpu=cortex-m0plus', '-mthumb', '-x', 'c', '-',
        '-o', join(tmpDir, 'picolibc-probe.elf'), '-Wl,-t'], { input: 'int main(void) { return 0; }\n', reject: false, all: true });
    const libc = String(r.all ?? '').split('\n').map((l) => l.trim()).find((l) => /picolibc.*\/libc\.a$/.test(l));
    if (r.exitCode !== 0 || !libc) {
        throw new MprtError(`Picolibc not found for ${tc.gcc}`, {
            hint: 'run `npx mprt setup --yes` (installs Debian picolibc-arm-none-eabi)',
        });
    }
    return libc;
}

export function componentPaths(): ComponentPaths {
    return {
        micropython: componentDir('micropython'),
        picoSdk: componentDir('pico-sdk'),
        tinyusb: componentDir('tinyusb'),
        mbedtls: componentDir('mbedtls'),
        port: join(repoRoot(), 'ports', 'rp2'),
        repo: repoRoot(),
    };
}

export async function buildFirmware(opts: BuildOptions): Promise<BuildResult> {
    const started = Date.now();
    const log = opts.log ?? (() => {});
    const cwd = opts.cwd ?? process.cwd();
    const board = loadBoard(opts.board);
    const set = [...(opts.set ?? [])];
    if (opts.rtos !== undefined) set.push(`rtos.kernel=${opts.rtos}`);
    if (opts.freertosPath !== undefined) set.push(`rtos.freertos_path=${opts.freertosPath}`);
    const effective = loadConfig({ boardDefaults: board.defaults, boardName: board.name, configFile: opts.configFile, set, cwd });
    const kernelName = effective.config.rtos.kernel;
    // before anything slow: a freertos build without a usable kernel tree fails here, saying how to fix it
    const freertos = kernelName === 'freertos' ? resolveFreertosKernel(effective, cwd) : undefined;
    const kernel: KernelRecord = {
        name: kernelName,
        path: kernelName === 'builtin' ? join(repoRoot(), 'lib', 'rtos') : freertos?.path ?? null,
        ...(freertos ? { version: freertos.version } : {}),
    };
    const outDir = resolve(cwd, opts.outDir ?? join('build', board.name));
    const jobs = opts.jobs ?? Math.max(1, availableParallelism());
    if (!Number.isInteger(jobs) || jobs < 1) throw new MprtError(`--jobs must be a positive integer, not ${opts.jobs}`, { exitCode: 2 });

    const tc = resolveToolchain({ toolchain: opts.toolchain, projectDir: cwd });
    await checkTool('cmake', 'cmake');
    await checkTool('ninja', 'ninja-build');
    const paths: ComponentPaths = { ...componentPaths(), ...(freertos ? { freertos: freertos.path } : {}) };
    const mpVersion = findComponent('micropython').version;
    const python = await realPython();

    mkdirSync(outDir, { recursive: true });
    const genDir = join(outDir, 'gen');
    const cmakeDir = join(outDir, 'cmake');
    const stateDir = join(outDir, '.mprt');
    const libc = await checkPicolibc(tc, stateDir);
    const sourceDateEpoch = Number(process.env.SOURCE_DATE_EPOCH ?? DEFAULT_SOURCE_DATE_EPOCH);
    const env: NodeJS.ProcessEnv = {
        ...process.env,
        SOURCE_DATE_EPOCH: String(sourceDateEpoch),
        PATH: `${tc.binDir}:${process.env.PATH ?? ''}`,
        PICO_TOOLCHAIN_PATH: tc.binDir,
        LC_ALL: 'C',
        // Python's set/dict-of-str order must not vary between runs (make-pins.py, makeqstrdata.py).
        PYTHONHASHSEED: '0',
    };

    const mpyCross = await ensureMpyCross({ micropythonDir: paths.micropython, version: mpVersion, jobs, log });

    generateTree({
        board, effective, paths, micropythonVersion: mpVersion, genDir, outDir,
        mpyCross: mpyCross.path, sourceDateEpoch,
        // Stable across option changes: a --set must not touch every generated file.
        command: `mprt build --board ${board.name}`,
    });

    // Configure once per output directory (and again if a previous configure did not finish);
    // afterwards Ninja re-runs CMake by itself when CMakeLists.txt changes.
    const configuredStamp = join(stateDir, 'configured');
    const configureKey = JSON.stringify({ gcc: tc.gcc, version: tc.version, python });
    let configured = false;
    if (!existsSync(configuredStamp) || readFileSync(configuredStamp, 'utf8') !== configureKey || !existsSync(join(cmakeDir, 'build.ninja'))) {
        rmSync(join(cmakeDir, 'CMakeCache.txt'), { force: true });
        rmSync(join(cmakeDir, 'build.ninja'), { force: true });
        rmSync(configuredStamp, { force: true });
        log('configuring (CMake + pico-sdk)');
        await runCmakeConfigure(['-S', genDir, '-B', cmakeDir, '-G', 'Ninja', '-DCMAKE_BUILD_TYPE=MinSizeRel',
            `-DPython3_EXECUTABLE=${python}`, `-DPICO_TOOLCHAIN_PATH=${tc.binDir}`], { env });
        writeAtomic(configuredStamp, configureKey);
        configured = true;
    }

    const ninja = await runNinja(cmakeDir, jobs, { env, onProgress: opts.onProgress });

    const elf = join(cmakeDir, 'firmware.elf');
    const statePath = join(stateDir, 'state.json');
    const elfHash = sha256(elf);
    let state: State | undefined;
    try {
        state = JSON.parse(readFileSync(statePath, 'utf8')) as State;
    } catch {
        state = undefined;
    }
    const outputsPresent = OUTPUT_FILES.every((f) => existsSync(join(outDir, f)));
    const upToDate = ninja.noWork && outputsPresent && state?.elfSha256 === elfHash;

    const roots = componentRoots(paths, cmakeDir, (await execa(tc.gcc, ['-mcpu=cortex-m0plus', '-mthumb', '-print-libgcc-file-name'])).stdout.trim());
    let sizes: SizeSummary | undefined;
    if (!upToDate) {
        rmSync(statePath, { force: true });
        const { bin } = await writeImageOutputs({ cmakeDir, outDir, objcopy: tc.objcopy });
        sizes = summariseSizes({ mapText: readFileSync(join(cmakeDir, 'firmware.map'), 'utf8'), roots, cmakeDir, imageBytes: bin.length, effective });
        writeAtomic(join(outDir, 'size.json'), JSON.stringify({
            board: board.name,
            config: effective.values,
            kernel,
            flashMap: effective.layout.flashMap,
            ...sizes,
        }, null, 2) + '\n');
        writeAtomic(statePath, JSON.stringify({ elfSha256: elfHash, outputs: [...OUTPUT_FILES] } satisfies State, null, 2));
    } else {
        const saved = JSON.parse(readFileSync(join(outDir, 'size.json'), 'utf8')) as SizeSummary;
        sizes = saved;
    }

    // The export table for module builds (docs/modules.md): <out>/sdk/exports.json.
    writeExports({ outDir, board: board.name, kernel: effective.config.rtos.kernel,
        expectAbi: abiId({ micropythonVersion: mpVersion, config: effective.config }) });
    // Headers and flags for module builds: <out>/sdk/module-sdk.json, <out>/sdk/include/.
    if (!upToDate || !moduleSdkCurrent(outDir)) {
        await writeModuleSdk({ outDir, cmakeDir, board: board.name, kernel: effective.config.rtos.kernel, micropythonVersion: mpVersion,
            gcc: tc.gcc, gccVersion: tc.version, roots: { micropython: paths.micropython, 'pico-sdk': paths.picoSdk, tinyusb: paths.tinyusb, mbedtls: paths.mbedtls, mprt: paths.repo } });
    }

    // Where `mprt emulate` with no file finds the firmware (cli/emulator/session.ts).
    writeAtomic(join(cwd, 'build', '.last-build.json'), JSON.stringify({
        firmware: join(outDir, 'firmware.uf2'),
        elf: join(outDir, 'firmware.elf'),
        board: board.name,
        console: effective.config.console,
        kernel,
    }, null, 2) + '\n');

    const notes = [...board.notes];
    return {
        board,
        outDir,
        toolchain: { binDir: tc.binDir, origin: tc.origin, version: tc.version, libc },
        effective,
        kernel,
        noop: upToDate,
        configured,
        mpyCrossBuilt: mpyCross.built,
        compiled: ninja.compiled,
        steps: ninja.steps,
        outputs: OUTPUT_FILES.map((name) => {
            const path = join(outDir, name);
            return { name, path, bytes: statSync(path).size };
        }),
        sizes,
        seconds: (Date.now() - started) / 1000,
        notes,
    };
}
