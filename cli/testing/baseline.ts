/**
 * The stock-firmware baseline: results of the identical test list on MicroPython's own rp2 build,
 * recorded in tests/baseline/stock-<key>.json, and the comparison of a run against it.
 * Pure functions (the file is read and written by the callers).
 */
import type { Summary, TestResult, Verdict } from './types.js';

/** Components whose versions decide the stock firmware (and so name the baseline file). */
export const BASELINE_COMPONENTS = ['micropython', 'pico-sdk', 'tinyusb'] as const;

export interface BaselineEntry {
    result: Verdict;
    reason?: string;
}

export interface BaselineFile {
    $comment?: string;
    key: string;
    components: Record<string, string>;
    firmware: { sha256: string; size: number };
    policy: Record<string, unknown>;
    generated: string;
    wallSeconds: number;
    summary: Summary;
    byDir: Record<string, Summary>;
    tests: Record<string, BaselineEntry>;
}

/** `micropython-1.25.0_pico-sdk-2.1.1_tinyusb-0.18.0` from the component versions. */
export function baselineKey(versions: Record<string, string>): string {
    return BASELINE_COMPONENTS.map((name) => {
        const v = versions[name];
        if (!v) throw new Error(`no version for component ${name}`);
        return `${name}-${v}`;
    }).join('_');
}

export function baselineFileName(versions: Record<string, string>): string {
    return `stock-${baselineKey(versions)}.json`;
}

export function toBaselineEntries(results: readonly TestResult[]): Record<string, BaselineEntry> {
    const out: Record<string, BaselineEntry> = {};
    for (const r of [...results].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
        out[r.id] = r.reason && r.result !== 'pass' ? { result: r.result, reason: r.reason } : { result: r.result };
    }
    return out;
}

/** The baseline as JSON with one test per line, so that diffs of the committed file stay readable. */
export function formatBaseline(b: BaselineFile): string {
    const { tests, ...head } = b;
    const headJson = JSON.stringify(head, null, 2);
    const testLines = Object.entries(tests).map(([id, e]) => `    ${JSON.stringify(id)}: ${JSON.stringify(e)}`);
    return headJson.slice(0, -2) + ',\n  "tests": {\n' + testLines.join(',\n') + '\n  }\n}\n';
}

export interface BaselineDiff {
    /** Passed on stock, did not pass (failed or skipped) on ours. */
    regressions: { id: string; ours: Verdict; reason?: string }[];
    /** Passes on ours, failed or was skipped on stock. */
    improvements: { id: string; stock: Verdict; reason?: string }[];
    /** Tests of this run the baseline does not know (e.g. new tests of ours). */
    unknown: string[];
    /**
     * Passed on stock, skipped here, and listed as RAM-bound (tests/baseline/by-design/ram-bound.json):
     * the test itself prints SKIP on MemoryError, and our GC heap is smaller than stock's by design.
     */
    ramBound: { id: string; why: string }[];
}

/** Stock tests that skip themselves on MemoryError and need more GC heap than this firmware has: id → why. */
export type RamBoundList = Readonly<Record<string, string>>;

/** Compares the tests of a run (only those) with the baseline. */
export function diffWithBaseline(
    results: readonly TestResult[],
    baseline: Record<string, BaselineEntry>,
    ramBound: RamBoundList = {},
): BaselineDiff {
    const diff: BaselineDiff = { regressions: [], improvements: [], unknown: [], ramBound: [] };
    for (const r of results) {
        const stock = baseline[r.id];
        if (!stock) {
            diff.unknown.push(r.id);
        } else if (stock.result === 'pass' && r.result === 'skip' && r.id in ramBound && /SKIP/.test(r.reason ?? '')) {
            // only the test's own SKIP (its MemoryError branch) is accepted: a failure stays a regression
            diff.ramBound.push({ id: r.id, why: ramBound[r.id]! });
        } else if (stock.result === 'pass' && r.result !== 'pass') {
            diff.regressions.push({ id: r.id, ours: r.result, reason: r.reason });
        } else if (stock.result !== 'pass' && r.result === 'pass') {
            diff.improvements.push({ id: r.id, stock: stock.result, reason: stock.reason });
        }
    }
    return diff;
}

/** Human-readable lines for the end of a run (empty when nothing differs). */
export function formatDiff(diff: BaselineDiff, baselineName: string): string[] {
    const lines: string[] = [];
    if (diff.improvements.length) {
        lines.push(`${diff.improvements.length} improvement(s) over ${baselineName} (pass here, not on stock):`);
        for (const i of diff.improvements) lines.push(`  ${i.id} (stock: ${i.stock}${i.reason ? `, ${i.reason}` : ''})`);
    }
    if (diff.ramBound.length) {
        lines.push(`${diff.ramBound.length} RAM-bound test(s) skipped here, passing on stock (tests/baseline/by-design/ram-bound.json):`);
        for (const r of diff.ramBound) lines.push(`  ${r.id}: ${r.why}`);
    }
    if (diff.regressions.length) {
        lines.push(`${diff.regressions.length} regression(s) against ${baselineName} (pass on stock, not here):`);
        for (const r of diff.regressions) lines.push(`  ${r.id}: ${r.ours}${r.reason ? ` (${r.reason})` : ''}`);
    }
    return lines;
}
