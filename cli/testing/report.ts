/**
 * Reports of a suite run: the closing summary line, the JSON report and JUnit XML. Pure functions.
 */
import type { Summary, TestResult } from './types.js';

export function summarize(results: readonly TestResult[]): Summary {
    const s: Summary = { passed: 0, failed: 0, skipped: 0 };
    for (const r of results) {
        if (r.result === 'pass') s.passed++;
        else if (r.result === 'fail') s.failed++;
        else s.skipped++;
    }
    return s;
}

/** The last line of `mprt test` output; CI tools read it. */
export function summaryLine(s: Summary): string {
    return `${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped`;
}

/** Counts per directory of the test id (`basics`, `extmod`, `tests/firmware`…), sorted by name. */
export function countsByDir(results: readonly TestResult[]): Record<string, Summary> {
    const by: Record<string, TestResult[]> = {};
    for (const r of results) {
        const dir = r.id.includes('/') ? r.id.slice(0, r.id.lastIndexOf('/')) : '.';
        (by[dir] ??= []).push(r);
    }
    return Object.fromEntries(Object.keys(by).sort().map((d) => [d, summarize(by[d])]));
}

// Characters XML 1.0 cannot carry at all (even escaped): C0 controls but tab/LF/CR, lone surrogates, U+FFFE/F.
const XML_INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Text safe inside an XML attribute or element: markup escaped, unrepresentable characters shown as \xNN. */
export function xmlEscape(text: string): string {
    return text
        .replace(XML_INVALID, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
        .replace(/&/g, '&amp;')
        .replace(/</g, '&lt;')
        .replace(/>/g, '&gt;')
        .replace(/"/g, '&quot;')
        .replace(/'/g, '&apos;');
}

/** A short unified-style listing from the first line where output and expectation differ (equal lines after it once, indented). */
export function describeDifference(expected: string, output: string, maxLines = 20): string {
    const e = expected.split('\n');
    const o = output.split('\n');
    let first = 0;
    while (first < e.length && first < o.length && e[first] === o[first]) first++;
    const lines = [`first difference at line ${first + 1}`];
    for (let i = first; i < Math.min(first + maxLines, Math.max(e.length, o.length)); i++) {
        if (i < e.length && i < o.length && e[i] === o[i]) {
            lines.push(`  ${e[i]}`);
            continue;
        }
        if (i < e.length) lines.push(`- ${e[i]}`);
        if (i < o.length) lines.push(`+ ${o[i]}`);
    }
    return lines.join('\n');
}

/** JUnit XML (one testsuite per directory) for CI dashboards. */
export function toJunitXml(results: readonly TestResult[], suiteName = 'mprt'): string {
    const by = new Map<string, TestResult[]>();
    for (const r of results) {
        const dir = r.id.includes('/') ? r.id.slice(0, r.id.lastIndexOf('/')) : '.';
        if (!by.has(dir)) by.set(dir, []);
        by.get(dir)!.push(r);
    }
    const total = summarize(results);
    const out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        `<testsuites name="${xmlEscape(suiteName)}" tests="${results.length}" failures="${total.failed}" skipped="${total.skipped}">`,
    ];
    for (const dir of [...by.keys()].sort()) {
        const rs = by.get(dir)!;
        const s = summarize(rs);
        const time = rs.reduce((t, r) => t + (r.wallMs ?? 0), 0) / 1000;
        out.push(`  <testsuite name="${xmlEscape(dir)}" tests="${rs.length}" failures="${s.failed}" skipped="${s.skipped}" time="${time.toFixed(3)}">`);
        for (const r of rs) {
            const name = r.id.slice(r.id.lastIndexOf('/') + 1);
            const head = `    <testcase classname="${xmlEscape(dir)}" name="${xmlEscape(name)}" time="${((r.wallMs ?? 0) / 1000).toFixed(3)}"`;
            if (r.result === 'pass') {
                out.push(head + '/>');
            } else if (r.result === 'skip') {
                out.push(head + '>', `      <skipped message="${xmlEscape(r.reason ?? 'skipped')}"/>`, '    </testcase>');
            } else {
                const body = r.expected !== undefined && r.output !== undefined
                    ? describeDifference(r.expected, r.output)
                    : (r.output ?? '');
                out.push(
                    head + '>',
                    `      <failure message="${xmlEscape(r.reason ?? 'failed')}">${xmlEscape(body)}</failure>`,
                    '    </testcase>',
                );
            }
        }
        out.push('  </testsuite>');
    }
    out.push('</testsuites>', '');
    return out.join('\n');
}
