/**
 * Build speed: `mprt build --board pico` against MicroPython's own `make -C ports/rp2 BOARD=RPI_PICO`
 * on the same component trees and machine, clean (including mpy-cross) and no-op, median of N.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { cacheDir, repoRoot } from '../cli/util/paths.js';
import { buildStockFirmware, stockBuildPaths } from '../cli/testing/stock.js';
import { type Figure, median, timed } from './stats.js';

/** A cache whose sources and downloads are the real ones but whose tools/ (mpy-cross, ...) is empty. */
function freshToolsCache(): string {
    const dir = mkdtempSync(join(tmpdir(), 'mprt-bench-cache-'));
    for (const sub of ['src', 'downloads', 'apt']) symlinkSync(join(cacheDir(), sub), join(dir, sub));
    return dir;
}

async function mprtBuild(out: string, env: NodeJS.ProcessEnv): Promise<void> {
    await execa('node', [join(repoRoot(), 'bin', 'mprt.js'), 'build', '--board', 'pico', '--out', out, '--jobs', '2'], { env, cwd: repoRoot() });
}

export async function benchBuild(runs: number, log: (s: string) => void): Promise<Figure[]> {
    // The timed builds go to temporary directories: keep the user's record of their last build.
    const lastBuild = join(repoRoot(), 'build', '.last-build.json');
    const saved = existsSync(lastBuild) ? readFileSync(lastBuild) : undefined;
    try {
        return await timeBuilds(runs, log);
    } finally {
        if (saved) writeFileSync(lastBuild, saved);
    }
}

async function timeBuilds(runs: number, log: (s: string) => void): Promise<Figure[]> {
    const ours: number[] = [];
    const oursNoop: number[] = [];
    const stock: number[] = [];
    const stockNoop: number[] = [];
    for (let i = 0; i < runs; i++) {
        const cache = freshToolsCache();
        const out = join(cache, 'out');
        const env = { ...process.env, MPRT_CACHE: cache };
        log(`ours: clean build ${i + 1}/${runs}`);
        ours.push((await timed(() => mprtBuild(out, env))).seconds);
        oursNoop.push((await timed(() => mprtBuild(out, env))).seconds);
        rmSync(cache, { recursive: true, force: true });

        const stockCache = freshToolsCache();
        const senv = { ...process.env, MPRT_CACHE: stockCache };
        log(`stock: clean make ${i + 1}/${runs}`);
        const prev = process.env.MPRT_CACHE;
        process.env.MPRT_CACHE = stockCache;
        try {
            const built = await buildStockFirmware({ rebuild: true, jobs: 2 });
            stock.push(built.makeSeconds ?? built.buildSeconds ?? NaN);
            const p = stockBuildPaths();
            stockNoop.push((await timed(() => execa('make', p.makeArgs, { env: { ...senv, ...p.env } }))).seconds);
        } finally {
            if (prev === undefined) delete process.env.MPRT_CACHE;
            else process.env.MPRT_CACHE = prev;
        }
        rmSync(stockCache, { recursive: true, force: true });
    }
    mkdirSync(join(repoRoot(), 'build'), { recursive: true });
    const o = median(ours);
    const s = median(stock);
    return [
        { name: 'mprt build pico, clean (incl. mpy-cross)', value: o, unit: 's', note: `median of ${runs}: ${ours.map((x) => x.toFixed(1)).join(', ')}` },
        { name: 'mprt build pico, no-op', value: median(oursNoop), unit: 's' },
        { name: 'stock make RPI_PICO, clean (incl. mpy-cross)', value: s, unit: 's', note: `median of ${runs}: ${stock.map((x) => x.toFixed(1)).join(', ')}` },
        { name: 'stock make RPI_PICO, no-op', value: median(stockNoop), unit: 's' },
        { name: 'clean build ratio ours/stock', value: o / s, unit: '×', note: 'target ≤ 1.0' },
    ];
}
