import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../cli/util/paths.js';

// Builds the kernel's portable core with its host port and the C tests in lib/rtos/tests/host under
// AddressSanitizer and UndefinedBehaviorSanitizer, runs them, and turns each C test into a node test.
const rtos = join(repoRoot(), 'lib', 'rtos');
const hostTests = join(rtos, 'tests', 'host');

/** Test names registered in tests.h (X(name, initial_tick) entries). */
function registeredTests(): string[] {
    const src = readFileSync(join(hostTests, 'tests.h'), 'utf8');
    return [...src.matchAll(/^\s*X\((\w+),/gm)].map((m) => m[1]);
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

const out = mkdtempSync(join(tmpdir(), 'mprt-rtos-'));
let stdout = '';
let stderr = '';
let status: number | null = null;
let buildError: string | undefined;
try {
    execFileSync('sh', [join(hostTests, 'build.sh'), out], { stdio: 'pipe' });
    const run = spawnSync(join(out, 'rtos_host_tests'), [], {
        encoding: 'utf8',
        timeout: 60_000,
        env: { ...process.env, ASAN_OPTIONS: 'detect_leaks=1:abort_on_error=0', UBSAN_OPTIONS: 'print_stacktrace=1' },
    });
    stdout = run.stdout;
    stderr = run.stderr;
    status = run.status;
} catch (e) {
    const err = e as { stderr?: Buffer; message: string };
    buildError = err.stderr?.toString() || err.message;
} finally {
    rmSync(out, { recursive: true, force: true });
}
const results = parseResults(stdout);
const names = registeredTests();

test('rtos host tests build with ASan/UBSan and exit cleanly', () => {
    assert.equal(buildError, undefined, `build failed:\n${buildError}`);
    assert.ok(names.length >= 25, `only ${names.length} tests registered`);
    // a sanitizer report (leak, overflow, UB) makes the program exit non-zero
    assert.equal(status, 0, `exit status ${status}\n${stdout}\n${stderr.slice(-4000)}`);
    assert.match(stdout, new RegExp(`^SUMMARY ${names.length} passed, 0 failed, ${names.length} total$`, 'm'));
    assert.doesNotMatch(stderr, /ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:/);
});

for (const name of names) {
    test(`rtos host: ${name}`, () => {
        assert.ok(results.has(name), `no result line for ${name}\n${stdout}\n${stderr.slice(-2000)}`);
        assert.equal(results.get(name), null, `${name} failed: ${results.get(name)}`);
    });
}
