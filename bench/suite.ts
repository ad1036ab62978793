/**
 * Suite wall time: the default `mprt test` list on our last pico build, -j2, once (a full run takes
 * minutes; the emulated-time figures inside it are deterministic, the wall time is the figure here).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { repoRoot } from '../cli/util/paths.js';
import type { Figure } from './stats.js';

export async function benchSuite(_runs: number, log: (s: string) => void): Promise<Figure[]> {
    const firmware = join(repoRoot(), 'build', 'pico', 'firmware.uf2');
    const dir = mkdtempSync(join(tmpdir(), 'mprt-bench-suite-'));
    try {
        log('suite: the default test list on build/pico, -j2');
        const json = join(dir, 'report.json');
        await execa('node', [join(repoRoot(), 'bin', 'mprt.js'), 'test', '--firmware', firmware, '-j2', '--json', json], { reject: false });
        const report = JSON.parse(readFileSync(json, 'utf8')) as { wallSeconds: number; summary: { passed: number; failed: number; skipped: number } };
        const s = report.summary;
        return [
            { name: 'default suite wall time (-j2)', value: report.wallSeconds, unit: 's', note: `${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped` },
        ];
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}
