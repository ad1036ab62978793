import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../cli/util/paths.js';

// Builds the kernel's portable core with its host port and the C tests in lib/rtos/tests/host under
// AddressSanitizer and UndefinedBehaviorSanitizer, twice: single-core, and with two simulated cores (the
// same tests on one core online, plus the SMP tests). Each C test becomes a node test.
const rtos = join(repoRoot(), 'lib', 'rtos');
const hostTests = join(rtos, 'tests', 'host');

/** Test names registered in tests.h: X(name, tick) entries, and Y(name, cores) entries for SMP. */
function registeredTests(kind: 'X' | 'Y'): string[] {
    const src = readFileSync(join(hostTests, 'tests.h'), 'utf8');
    return [...src.matchAll(new RegExp(`^\\s*${kind}\\((\\w+),`, 'gm'))].map((m) => m[1]);
}

/** Parses the harness output: one "PASS name" or "FAIL name: reason" line per test. */
function parseResults(stdout: string): Map<string, string | null> {
    const results = new Map<string, string | null>();
    for (const line of stdout.split('\n')) {
        const m = /^(PASS|FAIL) (\w+)(?:: (.*))?$/.exec(line);
        if (m) results.set(m[2], m[1] === 'PASS' ? null : (m[3] ?? 'failed'));
    }
    return results;
}

interface Run {
    stdout: string;
    stderr: string;
    status: number | null;
    buildError?: string;
}

const run = promisify(execFile);

async function buildAndRun(variant: 'single' | 'smp'): Promise<Run> {
    const out = mkdtempSync(join(tmpdir(), 'mprt-rtos-'));
    try {
        try {
            await run('sh', [join(hostTests, 'build.sh'), out, ...(variant === 'smp' ? ['smp'] : [])]);
        } catch (e) {
            const err = e as { stderr?: string; message: string };
            return { stdout: '', stderr: '', status: null, buildError: err.stderr || err.message };
        }
        const exe = join(out, variant === 'smp' ? 'rtos_host_tests_smp' : 'rtos_host_tests');
        const env = { ...process.env, ASAN_OPTIONS: 'detect_leaks=1', UBSAN_OPTIONS: 'print_stacktrace=1' };
        try {
            const { stdout, stderr } = await run(exe, [], { env, timeout: 60_000, maxBuffer: 16 << 20 });
            return { stdout, stderr, status: 0 };
        } catch (e) {
            const err = e as { stdout?: string; stderr?: string; code?: number | string };
            return { stdout: err.stdout ?? '', stderr: err.stderr ?? '', status: typeof err.code === 'number' ? err.code : -1 };
        }
    } finally {
        rmSync(out, { recursive: true, force: true });
    }
}

const plain = registeredTests('X');
const smpOnly = registeredTests('Y');
const variants = [
    { variant: 'single' as const, names: plain },
    { variant: 'smp' as const, names: [...plain, ...smpOnly] },
];

// the two builds run side by side (two compilers at most)
const runs = await Promise.all(variants.map((v) => buildAndRun(v.variant)));

for (const [i, { variant, names }] of variants.entries()) {
    const run = runs[i];
    const results = parseResults(run.stdout);

    test(`rtos host tests (${variant}) build with ASan/UBSan and exit cleanly`, () => {
        assert.equal(run.buildError, undefined, `build failed:\n${run.buildError}`);
        assert.ok(plain.length >= 25 && smpOnly.length >= 5, 'tests missing from tests.h');
        // a sanitizer report (leak, overflow, UB) makes the program exit non-zero
        assert.equal(run.status, 0, `exit status ${run.status}\n${run.stdout}\n${run.stderr.slice(-4000)}`);
        assert.match(run.stdout, new RegExp(`^SUMMARY ${names.length} passed, 0 failed, ${names.length} total$`, 'm'));
        assert.doesNotMatch(run.stderr, /ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:/);
    });

    for (const name of names) {
        test(`rtos host (${variant}): ${name}`, () => {
            assert.ok(results.has(name), `no result line for ${name}\n${run.stdout}\n${run.stderr.slice(-2000)}`);
            assert.equal(results.get(name), null, `${name} failed: ${results.get(name)}`);
        });
    }
}
