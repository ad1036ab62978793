/**
 * MicroPython's tests/perf_bench suite on our firmware and on the stock firmware, in the same emulator
 * (two cores, as the board has). Each benchmark is run as upstream's tests/run-perfbench.py runs it on a
 * board: the bench file + perf_bench/benchrun.py + `bm_run(N, M)` through the raw REPL; the firmware
 * prints "<µs> <norm> <result>", the µs being time.ticks_us, i.e. emulated time. Emulation is
 * deterministic, so each benchmark runs once per firmware (upstream averages 8 runs of a real board).
 * The figure is the speed ratio stock µs / ours µs (target ≥ 0.95); results must agree between the two.
 *
 * Both run on the real B1 boot ROM when it is at hand (bench/firmware.ts benchRom: figures that hold on
 * a board), else on ours. With `--port DEV` our side is the board on that serial port (µs of the real
 * chip, or of the emulator behind `mprt emulate --pty`), compared with the stock firmware emulated.
 *
 * Run alone: `node dist/bench/perfbench.js [N M] [--port DEV]` (firmware: $MPRT_RTOS_FIRMWARE, else build/pico or
 * build/pico-rtos when built with a kernel; the stock one is built if missing, as `npm run baseline` does).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openBoard } from '../cli/emulator/board.js';
import type { RawRepl } from '../cli/repl/raw-repl.js';
import { openPortTarget } from '../cli/repl/serial.js';
import { buildStockFirmware } from '../cli/testing/stock.js';
import { componentDir } from '../cli/components/components.js';
import { type BenchFirmware, benchRom, kernelFirmwares } from './firmware.js';
import { type Column, type Figure, formatColumns } from './stats.js';

/** N ~ CPU MHz, M ~ heap KB (upstream: 100 100 for a pyboard). The pyboard setting: each benchmark takes about 0.1-1 s of emulated time. */
export const PERF_N = Number(process.env.MPRT_PERFBENCH_N ?? 100);
export const PERF_M = Number(process.env.MPRT_PERFBENCH_M ?? 100);
const TARGET = 0.95;

interface Outcome {
    us?: number;
    result?: string;
    /** SKIP, CRASH: ... */
    error?: string;
}

function benchFiles(dir: string, m: number): string[] {
    // as run-perfbench.py: with M <= 25 the largest scripts cannot be compiled on the target
    const skip = new Set(['benchrun.py', ...(m <= 25 ? ['bm_chaos.py', 'bm_hexiom.py', 'misc_raytrace.py'] : [])]);
    return readdirSync(dir).filter((f) => f.endsWith('.py') && !skip.has(f)).sort();
}

async function feature(repl: RawRepl, dir: string, name: string): Promise<string> {
    const r = await repl.exec(readFileSync(join(dir, '..', 'feature_check', `${name}.py`), 'utf8'), { timeoutMs: 5000 });
    return r.stderr ? '' : r.stdout.trim();
}

async function runOne(repl: RawRepl, dir: string, file: string, n: number, m: number): Promise<Outcome> {
    // as pyboard.py's enter_raw_repl does before each benchmark: a soft reset from the raw REPL
    await repl.softReset();
    const script = "import sys\nsys.path.remove('')\n\n" + readFileSync(join(dir, file), 'utf8')
        + readFileSync(join(dir, 'benchrun.py'), 'utf8') + `bm_run(${n}, ${m})\n`;
    const r = await repl.exec(script, { timeoutMs: 120_000 });
    if (r.timedOut) return { error: 'CRASH: timed out' };
    if (r.stderr) return { error: `CRASH: ${r.stderr.trim().split('\n').pop()}` };
    const out = r.stdout.trim();
    if (out === 'SKIP' || out.startsWith('-1 -1 SKIP')) return { error: 'SKIP' };
    const [us, norm, ...rest] = out.split(/\s+/);
    if (!/^\d+$/.test(us ?? '') || !/^\d+$/.test(norm ?? '')) return { error: `CRASH: ${JSON.stringify(out.slice(0, 80))}` };
    return { us: Number(us), result: rest.join(' ') };
}

/** Where one side of the comparison runs: an emulated firmware (on `bootrom`), or the board on a port. */
type BenchTarget = { firmware: string; bootrom?: string } | { port: string };

async function openBenchTarget(t: BenchTarget): Promise<{ repl: RawRepl; close(): Promise<void> }> {
    if ('port' in t) {
        const port = await openPortTarget({ port: t.port });
        await port.boot(5000);
        return port;
    }
    const board = await openBoard({ firmware: t.firmware, ...(t.bootrom ? { bootrom: t.bootrom } : {}) });
    await board.boot();
    return { repl: board.repl, close: () => board.close() };
}

/** Runs every benchmark on one firmware, one board (as upstream does on a real board). */
async function runSuite(target: BenchTarget, dir: string, files: string[], n: number, m: number, log: (s: string) => void): Promise<Map<string, Outcome>> {
    const out = new Map<string, Outcome>();
    const board = await openBenchTarget(target);
    try {
        const complex = (await feature(board.repl, dir, 'complex')) === 'complex';
        const native = (await feature(board.repl, dir, 'native_check')) === 'native';
        for (const file of files) {
            if ((!complex && file.includes('bm_fft')) || (!native && file.includes('viper_'))) {
                out.set(file, { error: 'SKIP' });
                continue;
            }
            const o = await runOne(board.repl, dir, file, n, m);
            out.set(file, o);
            log(`perfbench ${file}: ${o.us !== undefined ? `${o.us} µs` : o.error}`);
        }
    } finally {
        await board.close();
    }
    return out;
}

export interface PerfOptions {
    n?: number;
    m?: number;
    /** Run our side on the board at this serial port / pty instead of the emulator. */
    port?: string;
}

/**
 * Every kernel with a build (bench/firmware.ts, kernelFirmwares) — or the board at `opts.port` — against one
 * stock run, one column each, side by side.
 */
export async function benchPerf(_runs: number, log: (s: string) => void, opts: PerfOptions = {}): Promise<{ columns: Column[] }> {
    const n = opts.n ?? PERF_N;
    const m = opts.m ?? PERF_M;
    const targets: (BenchFirmware & { target: BenchTarget })[] = opts.port
        ? [{ uf2: `the board at ${opts.port}`, kernel: 'as flashed', target: { port: opts.port } }]
        : kernelFirmwares().map((f) => ({ ...f, target: { firmware: f.uf2 } }));
    if (!targets.length) {
        log('perfbench: no firmware built with a kernel (build/pico or build/pico-rtos, build/pico-freertos, or $MPRT_RTOS_FIRMWARE), skipped');
        return { columns: [] };
    }
    let dir: string;
    try {
        dir = join(componentDir('micropython'), 'tests', 'perf_bench');
    } catch (err) {
        log(`perfbench: ${(err as Error).message}, skipped`);
        return { columns: [] };
    }
    if (!existsSync(dir)) {
        log(`perfbench: ${dir} not found, skipped`);
        return { columns: [] };
    }
    log('perfbench: the stock firmware (built once and cached, as `npm run baseline` does)');
    const stock = await buildStockFirmware({ log });
    const files = benchFiles(dir, m);
    const rom = benchRom();
    log(`perfbench: N=${n} M=${m}, ${files.length} benchmarks on ${targets.map((f) => `${f.uf2} (kernel ${f.kernel})`).join(', ')} and ${stock.uf2}; ROM: ${rom.label}`);
    const b = await runSuite({ firmware: stock.uf2, bootrom: rom.bootrom }, dir, files, n, m, (s) => log(`stock: ${s}`));
    const where = opts.port ? `ours: µs on the board at ${opts.port}; stock: emulated µs` : 'emulated µs (time.ticks_us)';
    const columns: Column[] = [];
    for (const fw of targets) {
        const target = 'port' in fw.target ? fw.target : { ...fw.target, bootrom: rom.bootrom };
        const a = await runSuite(target, dir, files, n, m, (s) => log(`${fw.kernel}: ${s}`));
        const figures: Figure[] = [
            { name: 'parameters', value: n, unit: 'N', note: `M=${m}; ${where}, 1 run each; ratio = stock µs / ours µs, target >= ${TARGET}` },
            { name: 'boot ROM', value: rom.bootrom ? 1 : 0, unit: rom.bootrom ? 'real' : 'ours', note: rom.label },
            ...ratioFigures(files, a, b),
        ];
        for (const f of figures) log(`${fw.kernel}: ${f.name} ${f.value} ${f.unit}${f.note ? ` (${f.note})` : ''}`);
        columns.push({ label: `${fw.kernel} (stock/ours)`, figures });
    }
    return { columns };
}

type SuiteResults = Awaited<ReturnType<typeof runSuite>>;

/** Per benchmark: stock µs / ours µs, then the geometric mean and how many are below the target. */
function ratioFigures(files: string[], a: SuiteResults, b: SuiteResults): Figure[] {
    const figures: Figure[] = [];
    const ratios: number[] = [];
    for (const file of files) {
        const x = a.get(file)!;
        const y = b.get(file)!;
        const name = file.replace(/\.py$/, '');
        if (x.us === undefined || y.us === undefined) {
            figures.push({ name, value: 0, unit: '', note: `ours ${x.us ?? x.error}, stock ${y.us ?? y.error}` });
            continue;
        }
        const ratio = y.us / x.us;
        ratios.push(ratio);
        const flags = [ratio < TARGET ? `BELOW ${TARGET}` : `>= ${TARGET}`];
        if (x.result !== y.result) flags.push(`RESULTS DIFFER: ours ${x.result}, stock ${y.result}`);
        figures.push({ name, value: Math.round(ratio * 1000) / 1000, unit: 'x', note: `ours ${x.us} µs, stock ${y.us} µs, ${flags.join(', ')}` });
    }
    if (ratios.length) {
        const geo = Math.exp(ratios.reduce((s, r) => s + Math.log(r), 0) / ratios.length);
        const below = ratios.filter((r) => r < TARGET).length;
        figures.push({ name: 'geometric mean', value: Math.round(geo * 1000) / 1000, unit: 'x', note: `${below} of ${ratios.length} below ${TARGET}` });
        figures.push({ name: `benchmarks below ${TARGET}`, value: below, unit: `of ${ratios.length}` });
    }
    return figures;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
    const args = process.argv.slice(2);
    const at = args.indexOf('--port');
    const port = at >= 0 ? args.splice(at, 2)[1] : undefined;
    const [n, m] = args.map(Number);
    const { columns } = await benchPerf(1, (s) => process.stderr.write(s + '\n'), { n: n || PERF_N, m: m || PERF_M, port });
    process.stdout.write(formatColumns('perfbench', columns) + '\n');
}
