/**
 * Turning what a board printed into a verdict, following the conventions of MicroPython's
 * tests/run-tests.py for targets reached over a serial raw REPL. Pure functions, no I/O.
 */
import type { RawRun, TestResult } from './types.js';

/** Tests whose `.exp` files hold patterns (run-tests.py's "special" tests), by suite-relative id. */
export const PATTERN_TESTS: ReadonlySet<string> = new Set([
    'micropython/meminfo.py',
    'basics/bytes_compare3.py',
    'basics/builtin_help.py',
    'thread/thread_exc2.py',
]);

const UNITTEST_RULE = '-'.repeat(70);
const UNITTEST_RAN = /^Ran (\d+) tests$/;
const UNITTEST_RESULT = /^(?:(OK)(?: \(skipped=(\d+)\))?|(FAILED) \(failures=(\d+), errors=(\d+)\))$/;

/** Canonical line ends: the board sends `\r\n`, CPython and `.exp` files use `\n`. */
export function normalizeNewlines(text: string): string {
    return text.replace(/\r\n/g, '\n');
}

/**
 * The text a test is judged on: stdout, then the error part of the raw REPL with a `CRASH` marker
 * when the script raised (as run-tests.py does), or a `TIMEOUT` marker when it never finished.
 */
export function assembleOutput(stdout: string, stderr: string, timedOut: boolean): { output: string; crashed: boolean } {
    if (timedOut) {
        return { output: normalizeNewlines(stdout + stderr) + 'TIMEOUT', crashed: true };
    }
    if (stderr !== '') {
        return { output: normalizeNewlines(stdout + stderr) + 'CRASH', crashed: true };
    }
    return { output: normalizeNewlines(stdout), crashed: false };
}

/** Lines as Python's bytes.splitlines() gives them (\n, \r\n and \r end a line; no trailing empty line). */
export function splitLines(text: string): string[] {
    if (text === '') return [];
    const lines = text.split(/\r\n|\r|\n/);
    if (/[\r\n]$/.test(text)) lines.pop();
    return lines;
}

/**
 * One line of a pattern `.exp` file as a regular expression: a backslash makes the next character
 * a regex operator (`\.\+` is `.+`), the other regex punctuation is literal, and the final newline
 * accepts carriage returns before it. Anchored at the start, like Python's re.match.
 */
export function patternLineToRegExp(line: string): RegExp {
    let out = '';
    let escaped = false;
    for (const ch of line) {
        if (escaped) {
            escaped = false;
            out += ch;
        } else if (ch === '\\') {
            escaped = true;
        } else if ('()[]{}.*+^$'.includes(ch)) {
            out += '\\' + ch;
        } else {
            out += ch;
        }
    }
    if (out.endsWith('\n')) out = out.slice(0, -1) + '\\r*\\n';
    return new RegExp('^(?:' + out + ')');
}

const ANY_LINES = '########\n';

/**
 * Rewrites `output` against a pattern `.exp`: lines matching their pattern line are replaced by it,
 * and a `########` line swallows any number of output lines up to the one matching the next
 * pattern. The result equals the `.exp` text exactly when every line matched.
 */
export function applyPatternExp(output: string, exp: string): string {
    const expLines = exp.split(/(?<=\n)/).filter((l) => l !== '');
    const patterns = expLines.map((l) => (l === ANY_LINES ? null : patternLineToRegExp(l)));
    const got = output.split('\n').map((l) => l + '\n');
    if (output.endsWith('\n')) got.pop();
    let g = 0;
    for (let i = 0; i < expLines.length; i++) {
        if (g >= got.length) break;
        if (expLines[i] === ANY_LINES) {
            const next = patterns[i + 1] ?? null;
            let skip = 0;
            while (g + skip < got.length && next !== null && !next.test(got[g + skip])) skip++;
            if (g + skip >= got.length) {
                got[g] = '######## FAIL\n';
                break;
            }
            got.splice(g, skip, ANY_LINES);
            g++;
        } else {
            if (patterns[i]!.test(got[g])) got[g] = expLines[i];
            g++;
        }
        if (g >= got.length) break;
    }
    return got.join('');
}

export interface UnittestSummary {
    ok: boolean;
    ran: number;
    skipped: number;
    failures: number;
    errors: number;
}

/** The closing summary of a unittest run at the end of the output, if there is one. */
export function parseUnittestSummary(output: string): UnittestSummary | undefined {
    const lines = splitLines(output);
    const n = lines.length;
    if (n <= 4 || lines[n - 4] !== UNITTEST_RULE || lines[n - 2] !== '') return undefined;
    const ran = UNITTEST_RAN.exec(lines[n - 3]);
    const res = UNITTEST_RESULT.exec(lines[n - 1]);
    if (!ran || !res) return undefined;
    return {
        ok: res[1] === 'OK',
        ran: Number(ran[1]),
        skipped: res[2] ? Number(res[2]) : 0,
        failures: res[4] ? Number(res[4]) : 0,
        errors: res[5] ? Number(res[5]) : 0,
    };
}

/** Whether a script asked to be skipped (it printed exactly `SKIP` and stopped). */
export function isSkipOutput(output: string): boolean {
    return output === 'SKIP\n';
}

/**
 * The verdict for one test. `expected` is the `.exp` text or CPython's output (`\n` line ends);
 * `patternExp` says the `.exp` holds patterns (see applyPatternExp).
 */
export function judge(id: string, run: RawRun, expected: string, patternExp = false): TestResult {
    const timing = { emulatedMs: run.emulatedMs, wallMs: run.wallMs };
    let output = run.output;
    if (!run.crashed && isSkipOutput(output)) {
        return { id, result: 'skip', reason: 'test printed SKIP', ...timing };
    }
    if (run.timedOut) {
        return { id, result: 'fail', reason: 'timeout', ...timing, output, expected };
    }
    const tail = splitLines(output).slice(-3);
    if (tail.includes("ImportError: no module named 'unittest'")) {
        return { id, result: 'fail', reason: 'needs the unittest module', ...timing, output, expected };
    }
    const ut = parseUnittestSummary(output);
    if (ut) {
        if (ut.ok) return { id, result: 'pass', reason: `unittest: ${ut.ran - ut.skipped} ran, ${ut.skipped} skipped`, ...timing };
        return {
            id,
            result: 'fail',
            reason: `unittest: ${ut.failures} failures, ${ut.errors} errors`,
            ...timing,
            output,
        };
    }
    if (!run.crashed && patternExp) output = applyPatternExp(output, expected);
    if (output === expected) return { id, result: 'pass', ...timing };
    return { id, result: 'fail', reason: run.crashed ? 'raised' : 'output differs', ...timing, output, expected };
}
