/**
 * MicroPython's tests/perf_bench suite on our firmware and on the stock firmware, in the same emulator
 * (two cores, as the board has). Each benchmark is run as upstream's tests/run-perfbench.py runs it on a
 * board: the bench file + perf_bench/benchrun.py + `bm_run(N, M)` through the raw REPL; the firmware
 * prints "<µs> <norm> <result>", the µs being time.ticks_us, i.e. emulated time. Emulation is
 * deterministic, so each benchmark runs once per firmware (upstream averages 8 runs of a real board).
 * The figure is the speed ratio stock µs / ours µs (target ≥ 0.95); results must agree between the two.
 *
 * Run alone: `node dist/bench/perfbench.js [N M]` (firmware: $MPRT_RTOS_FIRMWARE, else build/pico or
 * build/pico-rtos when built with a kernel; the stock one is built if missing, as `npm run baseline` does).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openBoard, type Rp2040Board } from '../cli/emulator/board.js';
import { buildStockFirmware } from '../cli/testing/stock.js';
import { componentDir } from '../cli/components/components.js';
import { kernelFirmwares } from './firmware.js';
import { formatColumns, type Column, type Figure } from './stats.js';

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

async function feature(board: Rp2040Board, dir: string, name: string): Promise<string> {
    const r = await board.exec(readFileSync(join(dir, '..', 'feature_check', `${name}.py`), 'utf8'), { timeoutMs: 5000 });
    return r.stderr ? '' : r.stdout.trim();
}

/** As pyboard.py's enter_raw_repl does before each benchmark: a soft reset from the raw REPL. */
async function softReset(board: Rp2040Board): Promise<void> {
    const r = await board.exec('pass', { timeoutMs: 5000 });
    if (r.stderr || r.timedOut) throw new Error(`raw REPL not answering: ${r.stderr}`);
    board.write('\x04');
    await board.readUntil(/soft reboot[\s\S]*raw REPL; CTRL-B to exit\r\n>/, { timeoutMs: 5000 });
}

async function runOne(board: Rp2040Board, dir: string, file: string, n: number, m: number): Promise<Outcome> {
    await softReset(board);
    const script = "import sys\nsys.path.remove('')\n\n" + readFileSync(join(dir, file), 'utf8')
        + readFileSync(join(dir, 'benchrun.py'), 'utf8') + `bm_run(${n}, ${m})\n`;
    const r = await board.exec(script, { timeoutMs: 120_000 });
    if (r.timedOut) return { error: 'CRASH: timed out' };
    if (r.stderr) return { error: `CRASH: ${r.stderr.trim().split('\n').pop()}` };
    const out = r.stdout.trim();
    if (out === 'SKIP' || out.startsWith('-1 -1 SKIP')) return { error: 'SKIP' };
    const [us, norm, ...rest] = out.split(/\s+/);
    if (!/^\d+$/.test(us ?? '') || !/^\d+$/.test(norm ?? '')) return { error: `CRASH: ${JSON.stringify(out.slice(0, 80))}` };
    return { us: Number(us), result: rest.join(' ') };
}

/** Runs every benchmark on one firmware, one board (as upstream does on a real board). */
async function runSuite(firmware: string, dir: string, files: string[], n: number, m: number, log: (s: string) => void): Promise<Map<string, Outcome>> {
    const out = new Map<string, Outcome>();
    const board = await openBoard({ firmware });
    try {
        await board.boot();
        const complex = (await feature(board, dir, 'complex')) === 'complex';
        const native = (await feature(board, dir, 'native_check')) === 'native';
        for (const file of files) {
            if ((!complex && file.includes('bm_fft')) || (!native && file.includes('viper_'))) {
                out.set(file, { error: 'SKIP' });
                continue;
            }
            const o = await runOne(board, dir, file, n, m);
            out.set(file, o);
            log(`perfbench ${file}: ${o.us !== undefined ? `${o.us} µs` : o.error}`);
        }
    } finally {
        await board.close();
    }
    return out;
}

/** Every kernel with a build (bench/firmware.ts, kernelFirmwares) against the same stock run, side by side. */
export async function benchPerf(_runs: number, log: (s: string) => void, n = PERF_N, m = PERF_M): Promise<{ columns: Column[] }> {
    const fws = kernelFirmwares();
    if (!fws.length) {
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
    log(`perfbench: N=${n} M=${m}, ${files.length} benchmarks on ${fws.map((f) => `${f.uf2} (kernel ${f.kernel})`).join(', ')} and ${stock.uf2}`);
    const b = await runSuite(stock.uf2, dir, files, n, m, (s) => log(`stock: ${s}`));
    const columns: Column[] = [];
    for (const fw of fws) {
        const a = await runSuite(fw.uf2, dir, files, n, m, (s) => log(`${fw.kernel}: ${s}`));
        const figures = ratioFigures(files, a, b, n, m);
        for (const f of figures) log(`${fw.kernel}: ${f.name} ${f.value} ${f.unit}${f.note ? ` (${f.note})` : ''}`);
        columns.push({ label: `${fw.kernel} (stock/ours)`, figures });
    }
    return { columns };
}

type SuiteResults = Awaited<ReturnType<typeof runSuite>>;

function ratioFigures(files: string[], a: SuiteResults, b: SuiteResults, n: number, m: number): Figure[] {

    const figures: Figure[] = [{ name: 'parameters', value: n, unit: 'N', note: `M=${m}; emulated µs (time.ticks_us), 1 run each; ratio = stock µs / ours µs, target >= ${TARGET}` }];
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
    const [n, m] = process.argv.slice(2).map(Number);
    const { columns } = await benchPerf(1, (s) => process.stderr.write(s + '\n'), n || PERF_N, m || PERF_M);
    process.stdout.write(formatColumns('perfbench', columns) + '\n');
}
