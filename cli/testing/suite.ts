/**
 * A whole suite run: discover the tests, work out their expected outputs, probe the firmware's
 * features, decide skips, run the rest on N emulated boards and judge each result.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { TargetSpec } from './board-factory.js';
import { repoRoot } from '../util/paths.js';
import { judge, PATTERN_TESTS } from './compare.js';
import { expectedOutputs, runCpython } from './expected.js';
import { BoardPool } from './pool.js';
import type { BoardFile, ScriptJob } from './session.js';
import { featuresFromProbes, PROBES, skipList, skipReason } from './skips.js';
import type { Features, ProbeOutputs } from './skips.js';
import type { RawRun, TestCase, TestResult } from './types.js';

export interface SuiteOptions {
    tests: TestCase[];
    /** MicroPython's tests/ directory (for tests/feature_check). */
    upstreamTests: string;
    /** Emulated board options, or `{ port }` for a board on a serial port. */
    board: TargetSpec;
    jobs: number;
    /** Per-test timeout in emulated seconds. */
    timeoutS: number;
    /** Called with one line per finished test (and a few progress lines). */
    log?: (line: string) => void;
}

export interface SuiteRun {
    results: TestResult[];
    features: Features;
    probes: ProbeOutputs;
    wallMs: number;
    bootWallMs: number;
    /** Workers replaced because a board wedged. */
    replacements: number;
}

/** Emulated ms allowed for a feature probe. */
const PROBE_TIMEOUT_MS = 10_000;

export function unittestSource(): string {
    return readFileSync(join(repoRoot(), 'cli', 'testing', 'board', 'unittest.py'), 'utf8');
}

/** Whether a script imports unittest (then our unittest module is put on the board first). */
export function importsUnittest(source: string): boolean {
    return /^\s*(import\s+unittest\b|from\s+unittest\s+import\b)/m.test(source);
}

function listFiles(dir: string): string[] {
    const out: string[] = [];
    for (const ent of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, ent.name);
        if (ent.isDirectory()) out.push(...listFiles(p));
        else out.push(p);
    }
    return out.sort();
}

const dataCache = new Map<string, { group: string; list: BoardFile[] } | undefined>();

/** The `data/` folder next to a test, as files for /data on the board (tests open `data/...` from `/`). */
export function dataFilesFor(testPath: string): { group: string; list: BoardFile[] } | undefined {
    const dir = join(dirname(testPath), 'data');
    if (!dataCache.has(dir)) {
        if (!existsSync(dir) || !statSync(dir).isDirectory()) {
            dataCache.set(dir, undefined);
        } else {
            const list = listFiles(dir).map((f) => ({
                path: '/data/' + relative(dir, f).split('\\').join('/'),
                base64: readFileSync(f).toString('base64'),
            }));
            dataCache.set(dir, { group: dir, list });
        }
    }
    return dataCache.get(dir);
}

/**
 * Runs the feature probes of MicroPython's tests/feature_check/ one after another through `run` (a pool's
 * or a session's: a soft reset before each) and interprets them as run-tests.py does.
 */
export async function probeFeatures(run: (job: ScriptJob) => Promise<RawRun>, upstreamTests: string): Promise<{ probes: ProbeOutputs; features: Features }> {
    const probes: ProbeOutputs = {};
    for (const name of PROBES) {
        const path = join(upstreamTests, 'feature_check', name);
        probes[name] = (await run({ id: `feature_check/${name}`, source: readFileSync(path, 'utf8'), timeoutMs: PROBE_TIMEOUT_MS })).output;
    }
    const hostByteOrder = await runCpython(join(upstreamTests, 'feature_check', 'byteorder.py'));
    return { probes, features: featuresFromProbes(probes, hostByteOrder) };
}

export async function runSuite(opts: SuiteOptions): Promise<SuiteRun> {
    const log = opts.log ?? (() => undefined);
    const start = Date.now();
    const timeoutMs = opts.timeoutS * 1000;
    // Emulation runs at roughly half the speed of a real chip, slower with every core busy. The
    // wall-clock limits are only a safety net (MPRT_TEST_WALL_CAP_MS / MPRT_TEST_STALL_MS override them).
    const pool = new BoardPool({
        size: opts.jobs,
        board: opts.board,
        unittestSource: unittestSource(),
        wallCapMs: (job) => Number(process.env.MPRT_TEST_WALL_CAP_MS) || job.timeoutMs * 15 + 60_000,
        stallMs: Number(process.env.MPRT_TEST_STALL_MS) || 60_000,
    });
    try {
        const [expected, bootWallMs] = await Promise.all([expectedOutputs(opts.tests, 2), pool.boot()]);

        const { probes, features } = await probeFeatures((job) => pool.run(job), opts.upstreamTests);
        log(`platform=${features.platform} arch=${features.arch ?? 'none'} inlineasm=${features.inlineAsmArch ?? 'none'} float=${features.floatBits}`);
        const list = skipList(features);

        const results = await Promise.all(
            opts.tests.map(async (t): Promise<TestResult> => {
                const why = skipReason(t.id, features, list);
                if (why) {
                    log(`skip  ${t.id} (${why})`);
                    return { id: t.id, result: 'skip', reason: why };
                }
                const source = readFileSync(t.path, 'utf8');
                const job: ScriptJob = { id: t.id, source, timeoutMs };
                const files = dataFilesFor(t.path);
                if (files) job.files = files;
                if (importsUnittest(source)) job.needsUnittest = true;
                const raw = await pool.run(job);
                const r = judge(t.id, raw, expected.get(t.id) ?? '', PATTERN_TESTS.has(t.id));
                const secs = ((raw.wallMs ?? 0) / 1000).toFixed(1);
                log(`${r.result === 'pass' ? 'pass' : r.result === 'skip' ? 'skip' : 'FAIL'}  ${t.id}${r.reason ? ` (${r.reason})` : ''} [${secs}s]`);
                return r;
            }),
        );
        return { results, features, probes, wallMs: Date.now() - start, bootWallMs, replacements: pool.replacements };
    } finally {
        await pool.close();
    }
}
