/**
 * Native module figures for `npm run bench`: `mprt pack-module` time, the first import of a ~20 KB
 * module (install into flash + link + load) and a later one (installed, after a power cycle) in
 * emulated ms measured by the board's own clock, and the RAM a loaded module costs (its data+bss
 * plus the firmware's bookkeeping). Firmware: a build directory with sdk/ (default build/pico).
 * Run alone: `node dist/bench/modules.js [BUILD_DIR]`.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openBoard } from '../cli/emulator/board.js';
import { packModule } from '../cli/modules/pack.js';
import { repoRoot } from '../cli/util/paths.js';
import { bulkExpected, bulkModuleSource, describeBuild, packSource, writeLargeFile } from '../tests/firmware/modules-fixture.js';
import { formatFigures, median, timed, type Figure } from './stats.js';

const MODULE = 'bench20k';
/** Data and bss of the bench module, so that the RAM figure has something to carry. */
const EXTRA = `
static uint32_t bench_data[32] = { 1, 2, 3, 4, 5, 6, 7, 8 };
static uint32_t bench_bss[64];
uint32_t bench_touch(uint32_t i) { bench_bss[i & 63] += bench_data[i & 31]++; return bench_bss[i & 63]; }
`;

/** Defines `_t(name)`: imports a module by name and returns the emulated µs it took (no new globals). */
const TIMER = 'import gc, time\ndef _t(name):\n    t0 = time.ticks_us()\n    __import__(name)\n    return time.ticks_diff(time.ticks_us(), t0)\n';

async function importMicros(board: Awaited<ReturnType<typeof openBoard>>, name: string): Promise<number> {
    const r = await board.exec(`print(_t(${JSON.stringify(name)}))`, { timeoutMs: 60_000 });
    if (r.stderr || r.timedOut) throw new Error(`import ${name}: ${r.stderr || 'timed out'}`);
    return Number(r.stdout.trim());
}

async function heap(board: Awaited<ReturnType<typeof openBoard>>): Promise<{ total: number; used: number }> {
    const r = await board.exec('import gc\ngc.collect()\nprint(gc.mem_free() + gc.mem_alloc(), gc.mem_alloc())');
    if (r.stderr) throw new Error(r.stderr);
    const [total, used] = r.stdout.trim().split(/\s+/).map(Number) as [number, number];
    return { total, used };
}

export async function benchModules(runs: number, log: (s: string) => void, buildDir = join(repoRoot(), 'build', 'pico')): Promise<Figure[]> {
    if (!existsSync(join(buildDir, 'sdk', 'exports.json'))) {
        log(`modules: no firmware build with an SDK in ${buildDir} (mprt build --board pico), skipped`);
        return [];
    }
    const fw = describeBuild(buildDir);
    const work = mkdtempSync(join(tmpdir(), 'mprt-bench-modules-'));
    try {
        const source = bulkModuleSource(MODULE, 19_000) + EXTRA;
        const packTimes: number[] = [];
        const smallTimes: number[] = [];
        let packed: Awaited<ReturnType<typeof packSource>> | undefined;
        for (let i = 0; i < runs; i++) {
            const t = await timed(() => packSource(work, MODULE, source, buildDir));
            packTimes.push(t.seconds);
            packed = t.result;
            const s = await timed(() => packModule({ inputs: [join(repoRoot(), 'examples', 'modules', 'fib')], firmware: buildDir, output: join(work, 'fib.so') }));
            smallTimes.push(s.seconds);
        }
        const mod = packed!;
        log(`modules: ${MODULE}: code ${mod.text} B, data ${mod.data} B, bss ${mod.bss} B, file ${mod.bytes} B, ${mod.relocations.call} calls`);
        const file = readFileSync(mod.output);

        const first: number[] = [];
        const later: number[] = [];
        const costs: number[] = [];
        for (let i = 0; i < runs; i++) {
            const board = await openBoard({ firmware: fw.uf2, flashImage: join(work, `flash${i}.img`) });
            try {
                await board.boot();
                await board.exec("import os\ntry:\n    os.mkdir('/lib')\nexcept OSError:\n    pass\n");
                await writeLargeFile(board, `/lib/${MODULE}.so`, file);
                await board.powerCycle();
                await board.exec(TIMER);
                const h0 = await heap(board);
                first.push(await importMicros(board, MODULE) / 1000);
                const check = await board.exec(`import ${MODULE}\nprint(${MODULE}.run(7, 1000))`);
                if (Number(check.stdout.trim()) !== bulkExpected(7, 1000)) throw new Error(`${MODULE}.run gave ${check.stdout.trim()}`);
                await board.powerCycle();
                await board.exec(TIMER);
                const h1 = await heap(board);
                later.push(await importMicros(board, MODULE) / 1000);
                const h2 = await heap(board);
                // RAM reserved at boot for it (data+bss, its qstrs) + what its import took from the heap
                // (the sys.modules entry; measured without creating globals)
                costs.push(h0.total - h1.total + h2.used - h1.used);
                log(`modules: heap total ${h0.total} → ${h1.total} (reserved at boot), used at import ${h1.used} → ${h2.used}`);
                log(`modules run ${i + 1}/${runs}: first import ${first[i]!.toFixed(2)} ms, later ${later[i]!.toFixed(2)} ms, RAM ${costs[i]} B`);
            } finally {
                await board.close();
            }
        }
        const ram = median(costs);
        return [
            { name: 'bench module: code (text)', value: mod.text, unit: 'B', note: `${mod.relocations.call} calls, ${mod.relocations.abs32} words relocated` },
            { name: 'pack-module, ~20 KB module (wall)', value: median(packTimes), unit: 's' },
            { name: 'pack-module, fib example (wall)', value: median(smallTimes), unit: 's' },
            { name: 'first import: install + link + load (emulated)', value: median(first), unit: 'ms' },
            { name: 'later import, installed (emulated)', value: median(later), unit: 'ms', note: 'after a power cycle' },
            { name: 'RAM per loaded module', value: ram, unit: 'B', note: `data ${mod.data} + bss ${mod.bss}` },
            { name: 'RAM bookkeeping per module', value: ram - mod.data - mod.bss, unit: 'B', note: 'target < 256' },
        ];
    } finally {
        rmSync(work, { recursive: true, force: true });
    }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
    const figures = await benchModules(3, (s) => process.stderr.write(s + '\n'), process.argv[2]);
    process.stdout.write(formatFigures('modules', figures) + '\n');
}
