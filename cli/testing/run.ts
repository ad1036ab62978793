/**
 * `mprt test` and `mprt baseline` as library calls: pick the firmware and tests, run the suite,
 * write the reports, compare with the stock baseline, print the verdict.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { lastBuildFirmware } from '../emulator/session.js';
import { componentDir } from '../components/components.js';
import { MprtError } from '../util/errors.js';
import { repoRoot } from '../util/paths.js';
import { baselineFileName, diffWithBaseline, formatBaseline, formatDiff, toBaselineEntries, type RamBoundList } from './baseline.js';
import type { BaselineDiff, BaselineFile } from './baseline.js';
import { discoverTests } from './discover.js';
import { countsByDir, summarize, summaryLine, toJunitXml } from './report.js';
import { stockComponentVersions } from './stock.js';
import { runSuite } from './suite.js';
import type { SuiteRun } from './suite.js';
import type { TestCase } from './types.js';

export const DEFAULT_TIMEOUT_S = 20;

export { lastBuildFirmware };

/** The board policy, recorded in reports and the baseline. */
export const BOARD_POLICY = 'fresh boot per worker; soft reset (raw REPL Ctrl-D) before every test; reboot after a hang';
/** The policy with a board on a port (no power cycle: a hung board gets Ctrl-C, then a soft reset). */
export const PORT_POLICY = 'one board on a serial port; soft reset (raw REPL Ctrl-D) before every test; Ctrl-C after a hang';

/** What a report says about the firmware: the emulated file, or the port the board is on. */
export type FirmwareInfo = { path: string; sha256: string; size: number } | { port: string };

export function defaultBaselinePath(): string {
    return join(repoRoot(), 'tests', 'baseline', baselineFileName(stockComponentVersions()));
}

function upstreamTestsDir(): string {
    return join(componentDir('micropython'), 'tests');
}

export function selectTests(paths: readonly string[]): TestCase[] {
    return discoverTests(paths, { upstreamTests: upstreamTestsDir(), repo: repoRoot(), cwd: process.cwd() });
}

function fileInfo(path: string): { path: string; sha256: string; size: number } {
    if (!existsSync(path)) throw new MprtError(`firmware not found: ${path}`, { hint: 'check the path, or run `npx mprt build`', exitCode: 2 });
    const data = readFileSync(path);
    return { path, sha256: createHash('sha256').update(data).digest('hex'), size: data.length };
}

/**
 * Stock tests whose expected output on our firmware differs by design (tests/baseline/by-design/README.md):
 * they run against the .exp there instead of their own.
 */
export const BY_DESIGN_DIR = join('tests', 'baseline', 'by-design');

/** tests/baseline/by-design/ram-bound.json: stock tests that skip themselves for want of GC heap here. */
export function loadRamBound(): RamBoundList {
    const path = join(repoRoot(), BY_DESIGN_DIR, 'ram-bound.json');
    return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as RamBoundList) : {};
}

export function withByDesignOutput(tests: TestCase[]): TestCase[] {
    return tests.map((t) => {
        const exp = join(repoRoot(), BY_DESIGN_DIR, `${t.id}.exp`);
        return existsSync(exp) ? { ...t, expPath: exp } : t;
    });
}

export interface RunOptions {
    /** The firmware to emulate (ignored with `port`). */
    firmware: string;
    /** Run on the board on this serial port / pty instead of the emulator (one board). */
    port?: string;
    baud?: number;
    paths: string[];
    /** false: every test against its own expected output (the stock firmware, `mprt baseline`). */
    byDesign?: boolean;
    jobs?: number;
    timeoutS?: number;
    bootrom?: string;
    log?: (line: string) => void;
}

export async function runTests(opts: RunOptions): Promise<{ run: SuiteRun; tests: TestCase[]; firmware: FirmwareInfo }> {
    if (opts.port && !existsSync(opts.port)) {
        throw new MprtError(`serial port ${opts.port} not found`, { hint: 'is the board plugged in? (ls /dev/ttyACM*)', exitCode: 2 });
    }
    const firmware: FirmwareInfo = opts.port ? { port: opts.port } : fileInfo(resolve(opts.firmware));
    const tests = opts.byDesign === false ? selectTests(opts.paths) : withByDesignOutput(selectTests(opts.paths));
    if (!tests.length) throw new MprtError('no tests found', { hint: 'give test files or directories holding *.py tests', exitCode: 2 });
    // a port has one board behind it
    const jobs = opts.port ? 1 : Math.max(1, Math.min(opts.jobs ?? Math.min(2, availableParallelism()), tests.length));
    const log = opts.log ?? ((l: string) => process.stdout.write(l + '\n'));
    const timeoutS = opts.timeoutS ?? DEFAULT_TIMEOUT_S;
    if ('port' in firmware) log(`running ${tests.length} tests on the board at ${firmware.port}, timeout ${timeoutS} s`);
    else log(`running ${tests.length} tests on ${firmware.path} with ${jobs} board(s), timeout ${timeoutS} s emulated`);
    const run = await runSuite({
        tests,
        upstreamTests: upstreamTestsDir(),
        board: 'port' in firmware
            ? { port: firmware.port, ...(opts.baud ? { baud: opts.baud } : {}) }
            : { firmware: firmware.path, ...(opts.bootrom ? { bootrom: opts.bootrom } : {}) },
        jobs,
        timeoutS: opts.timeoutS ?? DEFAULT_TIMEOUT_S,
        log,
    });
    return { run, tests, firmware };
}

export interface TestCommandOptions extends RunOptions {
    json?: string;
    junit?: string;
    /** A baseline file; undefined: the default one for the current component versions if present; false: none. */
    baseline?: string | false;
}

function writeOut(path: string, text: string): void {
    mkdirSync(dirname(resolve(path)), { recursive: true });
    writeFileSync(path, text);
}

/** Runs `mprt test`; returns the exit code (1 when a test failed or regressed against the baseline). */
export async function testCommand(opts: TestCommandOptions): Promise<number> {
    const out = (l: string): void => void process.stdout.write(l + '\n');
    let baseline: BaselineFile | undefined;
    let baselinePath: string | undefined;
    if (opts.baseline !== false) {
        baselinePath = opts.baseline ? resolve(opts.baseline) : defaultBaselinePath();
        if (existsSync(baselinePath)) {
            baseline = JSON.parse(readFileSync(baselinePath, 'utf8')) as BaselineFile;
        } else if (opts.baseline) {
            throw new MprtError(`baseline file not found: ${opts.baseline}`, { hint: 'run `npm run baseline` to produce it', exitCode: 2 });
        }
    }
    const { run, firmware } = await runTests({ ...opts, log: out });
    const summary = summarize(run.results);
    const diff: BaselineDiff | undefined = baseline ? diffWithBaseline(run.results, baseline.tests, opts.byDesign === false ? {} : loadRamBound()) : undefined;

    if (opts.json) {
        const report = {
            firmware,
            policy: { board: opts.port ? PORT_POLICY : BOARD_POLICY, timeoutS: opts.timeoutS ?? DEFAULT_TIMEOUT_S, jobs: opts.port ? 1 : opts.jobs },
            features: run.features,
            wallSeconds: run.wallMs / 1000,
            summary,
            byDir: countsByDir(run.results),
            baseline: diff && baselinePath ? { file: baselinePath, ...diff } : undefined,
            tests: run.results,
        };
        writeOut(opts.json, JSON.stringify(report, null, 2) + '\n');
    }
    if (opts.junit) writeOut(opts.junit, toJunitXml(run.results));

    // A test that fails on the stock firmware as well is a known failure: listed, not counted against ours.
    const knownOnStock = (id: string): boolean => baseline?.tests[id]?.result === 'fail';
    const failed = run.results.filter((r) => r.result === 'fail' && !knownOnStock(r.id));
    const known = run.results.filter((r) => r.result === 'fail' && knownOnStock(r.id));
    if (known.length) out(`${known.length} known failure(s), failing on the stock firmware too: ${known.map((r) => r.id).join(' ')}`);
    if (failed.length) out(`${failed.length} failed: ${failed.map((r) => r.id).join(' ')}`);
    for (const [dir, s] of Object.entries(countsByDir(run.results))) out(`  ${dir}: ${summaryLine(s)}`);
    out(`wall time ${(run.wallMs / 1000).toFixed(1)} s (boot ${(run.bootWallMs / 1000).toFixed(2)} s, ${run.replacements} wedged board(s) replaced)`);
    if (diff && baselinePath) formatDiff(diff, baselinePath.slice(baselinePath.lastIndexOf('/') + 1)).forEach(out);
    else if (opts.baseline !== false) out('no stock baseline for these component versions (run `npm run baseline`)');
    out(summaryLine({ ...summary, failed: summary.failed - known.length, skipped: summary.skipped + known.length }));
    return failed.length || (diff && diff.regressions.length) ? 1 : 0;
}

/** Runs the suite on a (stock) firmware and writes the baseline file. */
export async function writeBaseline(opts: RunOptions & { out?: string; buildInfo?: Record<string, unknown> }): Promise<string> {
    const out = (l: string): void => void process.stdout.write(l + '\n');
    const { run, firmware } = await runTests({ ...opts, port: undefined, byDesign: false, log: out });
    if ('port' in firmware) throw new Error('unreachable: a baseline is measured in the emulator');
    const file: BaselineFile = {
        $comment: 'Results of MicroPython\'s stock rp2 RPI_PICO firmware on the default `mprt test` list in the emulator. Produced by `npm run baseline`; regenerate when the component versions change.',
        key: baselineFileName(stockComponentVersions()).slice('stock-'.length, -'.json'.length),
        components: stockComponentVersions(),
        firmware: { sha256: firmware.sha256, size: firmware.size },
        policy: { board: BOARD_POLICY, timeoutS: opts.timeoutS ?? DEFAULT_TIMEOUT_S, ...(opts.buildInfo ?? {}) },
        generated: new Date().toISOString(),
        wallSeconds: Math.round(run.wallMs / 1000),
        summary: summarize(run.results),
        byDir: countsByDir(run.results),
        tests: toBaselineEntries(run.results),
    };
    const path = opts.out ? resolve(opts.out) : defaultBaselinePath();
    writeOut(path, formatBaseline(file));
    for (const [dir, s] of Object.entries(file.byDir)) out(`  ${dir}: ${summaryLine(s)}`);
    out(`baseline written to ${path}`);
    out(summaryLine(file.summary));
    return path;
}
