/**
 * `mprt build`, one way through: configuration → plan → generate → compile → outputs, each step
 * handing the next what it needs (planBuild, generateTree, compileFirmware, writeOutputs).
 * Incremental: generated files are only rewritten when they change, Ninja rebuilds what depends on
 * them, and a build that changes nothing is detected and reported as a no-op, without re-reading its
 * outputs or probing the toolchain again.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { loadBoard, type Board } from '../config/boards.js';
import { kernelProfile, type RtosKernel } from '../config/kernel.js';
import { loadConfig, type EffectiveConfig } from '../config/load.js';
import { generateTree } from '../generate/tree.js';
import { writeAtomic } from '../generate/write.js';
import { resolveToolchain, type Toolchain } from '../toolchain/resolve.js';
import { MprtError } from '../util/errors.js';
import { findComponent } from '../components/components.js';
import { abiIdentity } from './abi.js';
import { writeExports } from './export-table.js';
import { moduleSdkCurrent, writeModuleSdk } from './module-sdk.js';
import { ensureMpyCross } from './mpycross.js';
import { runCmakeConfigure, runNinja } from './ninja.js';
import { OUTPUT_FILES, writeImageOutputs } from './outputs.js';
import { summariseSizes, type SizeSummary } from './sizes.js';
import { componentPaths, sdkRoots, sizeRoots, type ComponentPaths } from '../components/source-trees.js';

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
    name: RtosKernel;
    /** lib/rtos for builtin, the FreeRTOS-Kernel tree for freertos, null for none. */
    path: string | null;
    /** The FreeRTOS-Kernel's tskKERNEL_VERSION_* (freertos only), e.g. "V11.3.0". */
    version?: string;
}

/** build/<board>/.mprt/state.json: what the last complete build wrote, from which ELF. */
interface State {
    elfSha256: string;
    outputs: string[];
}

/** build/<board>/.mprt/probes.json: the host checks of the last build, valid while `key` (the toolchain and PATH) holds. */
interface Probes {
    key: string;
    python: string;
    libc: string;
    libgcc: string;
}

function sha256(path: string): string {
    return createHash('sha256').update(readFileSync(path)).digest('hex');
}

async function realPython(): Promise<string> {
    try {
        const { execa } = await import('execa');
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
        const { execa } = await import('execa');
        await execa(cmd, ['--version']);
    } catch (err) {
        throw new MprtError(`${cmd} not found`, { hint: `run \`npx mprt setup --yes\` (installs Debian ${pkg})`, cause: err });
    }
}

/**
 * The firmware's toolchain probes (cli/toolchain/probe.ts: C with Picolibc, boot stage 2's link), failing
 * with the missing package and the fix; returns the Picolibc libc.a the C probe linked.
 */
async function probeFirmwareToolchain(tc: Toolchain, tmpDir: string): Promise<string> {
    // loaded on use: a no-op build starts no process
    const { picolibcArchive, requireProbes } = await import('../toolchain/probe.js');
    const { installedVersions } = await import('../components/system.js');
    const results = await requireProbes(tc, 'firmware', join(tmpDir, 'probes'), async () => new Set((await installedVersions()).keys()));
    const libc = results.map(picolibcArchive).find((x) => x !== undefined);
    if (!libc) {
        throw new MprtError(`${tc.gcc} links with picolibc.specs but not against a Picolibc libc.a`, {
            hint: 'run `npx mprt setup --yes` (installs Debian picolibc-arm-none-eabi), or use a toolchain with Picolibc',
        });
    }
    return libc;
}

/** `cmd` on PATH, or undefined (no process started). */
function onPath(cmd: string, pathVar = process.env.PATH ?? ''): string | undefined {
    for (const dir of pathVar.split(delimiter)) {
        const p = join(dir || '.', cmd);
        if (existsSync(p)) return p;
    }
    return undefined;
}

const mtime = (p: string | undefined) => (p && existsSync(p) ? statSync(p).mtimeMs : null);

/**
 * The host checks (python3, cmake, ninja, Picolibc, libgcc), run once and kept in the state directory
 * while the toolchain and the tools found on PATH are the same files: a no-op build starts no probe
 * (and does not even load execa: the checks import it when they run).
 */
async function probeHost(tc: Toolchain, stateDir: string): Promise<Probes> {
    const key = JSON.stringify({ gcc: tc.gcc, version: tc.version, at: mtime(tc.gcc), path: process.env.PATH ?? '',
        tools: ['python3', 'cmake', 'ninja'].map((t) => { const p = onPath(t); return [p, mtime(p)]; }) });
    const file = join(stateDir, 'probes.json');
    try {
        const saved = JSON.parse(readFileSync(file, 'utf8')) as Probes;
        // still the same tools, and the libraries they found are still installed
        if (saved.key === key && existsSync(saved.python) && existsSync(saved.libc) && existsSync(saved.libgcc)) return saved;
    } catch {
        // none yet, or unreadable: probe
    }
    await checkTool('cmake', 'cmake');
    await checkTool('ninja', 'ninja-build');
    const python = await realPython();
    const libc = await probeFirmwareToolchain(tc, stateDir);
    const { execa } = await import('execa');
    const libgcc = (await execa(tc.gcc, ['-mcpu=cortex-m0plus', '-mthumb', '-print-libgcc-file-name'])).stdout.trim();
    const probes: Probes = { key, python, libc, libgcc };
    writeAtomic(file, JSON.stringify(probes, null, 2) + '\n');
    return probes;
}

/** What a build is made from, decided before anything runs: the output of the first step. */
export interface BuildPlan {
    board: Board;
    effective: EffectiveConfig;
    kernel: KernelRecord;
    cwd: string;
    outDir: string;
    genDir: string;
    cmakeDir: string;
    stateDir: string;
    jobs: number;
    paths: ComponentPaths;
    micropythonVersion: string;
    /** The ABI identity of this configuration (cli/compile/abi.ts): generated into the firmware, then checked in it. */
    abi: { lines: string[]; id: Uint8Array };
    sourceDateEpoch: number;
}

/** Step 1: the configuration and everything that follows from it alone (no process started). */
export function planBuild(opts: BuildOptions): BuildPlan {
    const cwd = opts.cwd ?? process.cwd();
    const board = loadBoard(opts.board);
    const effective = loadConfig({
        boardDefaults: board.defaults, boardName: board.name, configFile: opts.configFile, set: opts.set, cwd,
        // reported as command-line values, like --set (cli/components/freertos.ts resolves a relative path against cwd)
        options: [
            { key: 'rtos.kernel', value: opts.rtos, origin: '--set' },
            { key: 'rtos.freertos_path', value: opts.freertosPath, origin: '--set' },
        ],
    });
    const kernelName = effective.config.rtos.kernel;
    // before anything slow: a kernel whose tree is missing or unusable (e.g. freertos) fails here, saying how to fix it
    const tree = kernelProfile(kernelName).resolve(effective, cwd);
    const kernel: KernelRecord = {
        name: kernelName,
        path: tree.path,
        ...(tree.version ? { version: tree.version } : {}),
    };
    const outDir = resolve(cwd, opts.outDir ?? join('build', board.name));
    const jobs = opts.jobs ?? Math.max(1, availableParallelism());
    if (!Number.isInteger(jobs) || jobs < 1) throw new MprtError(`--jobs must be a positive integer, not ${opts.jobs}`, { exitCode: 2 });
    const micropythonVersion = findComponent('micropython').version;
    return {
        board, effective, kernel, cwd, outDir, jobs, micropythonVersion,
        genDir: join(outDir, 'gen'),
        cmakeDir: join(outDir, 'cmake'),
        stateDir: join(outDir, '.mprt'),
        paths: { ...componentPaths(), ...tree.paths },
        abi: abiIdentity({ micropythonVersion, config: effective.config }),
        sourceDateEpoch: Number(process.env.SOURCE_DATE_EPOCH ?? DEFAULT_SOURCE_DATE_EPOCH),
    };
}

interface Compiled {
    tc: Toolchain;
    probes: Probes;
    configured: boolean;
    mpyCrossBuilt: boolean;
    ninja: { noWork: boolean; steps: string[]; compiled: string[] };
}

/** Steps 2 and 3: the generated tree, then CMake (once) and Ninja. */
async function compileFirmware(plan: BuildPlan, opts: BuildOptions): Promise<Compiled> {
    const log = opts.log ?? (() => {});
    const tc = resolveToolchain({ toolchain: opts.toolchain, projectDir: plan.cwd });
    mkdirSync(plan.stateDir, { recursive: true });
    const probes = await probeHost(tc, plan.stateDir);
    const env: NodeJS.ProcessEnv = {
        ...process.env,
        SOURCE_DATE_EPOCH: String(plan.sourceDateEpoch),
        PATH: `${tc.binDir}:${process.env.PATH ?? ''}`,
        PICO_TOOLCHAIN_PATH: tc.binDir,
        LC_ALL: 'C',
        // Python's set/dict-of-str order must not vary between runs (make-pins.py, makeqstrdata.py).
        PYTHONHASHSEED: '0',
    };

    const mpyCross = await ensureMpyCross({ micropythonDir: plan.paths.micropython, version: plan.micropythonVersion, jobs: plan.jobs, log });

    generateTree({
        board: plan.board, effective: plan.effective, paths: plan.paths, micropythonVersion: plan.micropythonVersion,
        genDir: plan.genDir, outDir: plan.outDir, mpyCross: mpyCross.path, sourceDateEpoch: plan.sourceDateEpoch, abi: plan.abi,
        // Stable across option changes: a --set must not touch every generated file.
        command: `mprt build --board ${plan.board.name}`,
    });

    // Configure once per output directory (and again if a previous configure did not finish);
    // afterwards Ninja re-runs CMake by itself when CMakeLists.txt changes.
    const configuredStamp = join(plan.stateDir, 'configured');
    const configureKey = JSON.stringify({ gcc: tc.gcc, version: tc.version, python: probes.python });
    let configured = false;
    if (!existsSync(configuredStamp) || readFileSync(configuredStamp, 'utf8') !== configureKey || !existsSync(join(plan.cmakeDir, 'build.ninja'))) {
        rmSync(join(plan.cmakeDir, 'CMakeCache.txt'), { force: true });
        rmSync(join(plan.cmakeDir, 'build.ninja'), { force: true });
        rmSync(configuredStamp, { force: true });
        log('configuring (CMake + pico-sdk)');
        await runCmakeConfigure(['-S', plan.genDir, '-B', plan.cmakeDir, '-G', 'Ninja', '-DCMAKE_BUILD_TYPE=MinSizeRel',
            `-DPython3_EXECUTABLE=${probes.python}`, `-DPICO_TOOLCHAIN_PATH=${tc.binDir}`], { env });
        writeAtomic(configuredStamp, configureKey);
        configured = true;
    }

    const ninja = await runNinja(plan.cmakeDir, plan.jobs, { env, onProgress: opts.onProgress });
    return { tc, probes, configured, mpyCrossBuilt: mpyCross.built, ninja };
}

/** Step 4: the output files, from the linked ELF; when it and they are as the last build left them, nothing is read or written. */
async function writeOutputs(plan: BuildPlan, c: Compiled): Promise<{ noop: boolean; sizes: SizeSummary }> {
    const { outDir, cmakeDir, board, effective, kernel } = plan;
    const statePath = join(plan.stateDir, 'state.json');
    const elfHash = sha256(join(cmakeDir, 'firmware.elf'));
    let state: State | undefined;
    try {
        state = JSON.parse(readFileSync(statePath, 'utf8')) as State;
    } catch {
        state = undefined;
    }
    const outputsPresent = OUTPUT_FILES.every((f) => existsSync(join(outDir, f))) && existsSync(join(outDir, 'sdk', 'exports.json'));
    const upToDate = c.ninja.noWork && outputsPresent && state?.elfSha256 === elfHash;

    let sizes: SizeSummary;
    if (!upToDate) {
        rmSync(statePath, { force: true });
        const { bin } = await writeImageOutputs({ cmakeDir, outDir, objcopy: c.tc.objcopy });
        const roots = sizeRoots(plan.paths, { 'generated (pins)': cmakeDir, libgcc: dirname(c.probes.libgcc) });
        sizes = summariseSizes({ mapText: readFileSync(join(cmakeDir, 'firmware.map'), 'utf8'), roots, cmakeDir, imageBytes: bin.length, effective });
        writeAtomic(join(outDir, 'size.json'), JSON.stringify({
            board: board.name,
            config: effective.values,
            kernel,
            flashMap: effective.layout.flashMap,
            ...sizes,
        }, null, 2) + '\n');
        // The export table for module builds (docs/modules.md): <out>/sdk/exports.json.
        writeExports({ outDir, board: board.name, kernel: effective.config.rtos.kernel, expectAbi: plan.abi.id });
        writeAtomic(statePath, JSON.stringify({ elfSha256: elfHash, outputs: [...OUTPUT_FILES] } satisfies State, null, 2));
    } else {
        sizes = JSON.parse(readFileSync(join(outDir, 'size.json'), 'utf8')) as SizeSummary;
    }

    // Headers and flags for module builds: <out>/sdk/module-sdk.json, <out>/sdk/include/.
    if (!upToDate || !moduleSdkCurrent(outDir)) {
        await writeModuleSdk({ outDir, cmakeDir, board: board.name, kernel: effective.config.rtos.kernel, micropythonVersion: plan.micropythonVersion,
            gcc: c.tc.gcc, gccVersion: c.tc.version, roots: sdkRoots(plan.paths) });
    }

    // Where `mprt emulate` with no file finds the firmware (cli/emulator/session.ts).
    writeAtomic(join(plan.cwd, 'build', '.last-build.json'), JSON.stringify({
        firmware: join(outDir, 'firmware.uf2'),
        elf: join(outDir, 'firmware.elf'),
        board: board.name,
        console: effective.config.console,
        kernel,
    }, null, 2) + '\n');
    return { noop: upToDate, sizes };
}

export async function buildFirmware(opts: BuildOptions): Promise<BuildResult> {
    const started = Date.now();
    const plan = planBuild(opts);
    mkdirSync(plan.outDir, { recursive: true });
    const compiled = await compileFirmware(plan, opts);
    const { noop, sizes } = await writeOutputs(plan, compiled);
    const { tc } = compiled;
    return {
        board: plan.board,
        outDir: plan.outDir,
        toolchain: { binDir: tc.binDir, origin: tc.origin, version: tc.version, libc: compiled.probes.libc },
        effective: plan.effective,
        kernel: plan.kernel,
        noop,
        configured: compiled.configured,
        mpyCrossBuilt: compiled.mpyCrossBuilt,
        compiled: compiled.ninja.compiled,
        steps: compiled.ninja.steps,
        outputs: OUTPUT_FILES.map((name) => {
            const path = join(plan.outDir, name);
            return { name, path, bytes: statSync(path).size };
        }),
        sizes,
        seconds: (Date.now() - started) / 1000,
        notes: [...plan.board.notes],
    };
}
