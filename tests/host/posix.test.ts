/**
 * lib/posix on the host (lib/posix/tests/host/build.sh): the layer over a pthread shim of the kernel
 * calls it uses, built with ASan and UBSan. Each C unit test of test_posix.c becomes a node test; then
 * the randomized fd-call fuzzer (posix_fuzz.c) runs MPRT_POSIX_FUZZ_ITERATIONS calls (100,000 by
 * default; `npm run fuzz` runs 1,000,000) from seed MPRT_POSIX_FUZZ_SEED, checking every result, errno
 * and byte against its model of the fd table, and LeakSanitizer checks nothing is left; then the same
 * number of calls from four threads at once on one table (closes and dup2s racing reads, writes and
 * polls of the same fds: every result must be one the call may give, and nothing may be left or leak).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../cli/util/paths.js';

const hostDir = join(repoRoot(), 'lib', 'posix', 'tests', 'host');
const ITERATIONS = Number(process.env.MPRT_POSIX_FUZZ_ITERATIONS ?? 100_000);
const SEED = process.env.MPRT_POSIX_FUZZ_SEED ?? '20261206';
const env = { ...process.env, ASAN_OPTIONS: 'detect_leaks=1', UBSAN_OPTIONS: 'print_stacktrace=1' };

const out = mkdtempSync(join(tmpdir(), 'mprt-posix-'));
after(() => rmSync(out, { recursive: true, force: true }));

/** The unit tests test_posix.c registers, in order: `{ "name", test_name },` rows. */
function registeredTests(): string[] {
    const src = readFileSync(join(hostDir, 'test_posix.c'), 'utf8');
    return [...src.matchAll(/^\s*\{ "(\w+)", test_\w+ \},$/gm)].map((m) => m[1]);
}

let unitOutput = '';
let unitStatus: number | null = null;
before(() => {
    execFileSync('sh', [join(hostDir, 'build.sh'), out], { stdio: ['ignore', 'pipe', 'pipe'] });
    const r = spawnSync(join(out, 'posix_host_tests'), [], { env, encoding: 'utf8', timeout: 120_000 });
    unitOutput = r.stdout + r.stderr;
    unitStatus = r.status;
});

const names = registeredTests();
test('test_posix.c registers its tests', () => {
    assert.ok(names.length >= 14, `found ${names.length}`);
});

for (const name of names) {
    test(`lib/posix host: ${name}`, () => {
        const line = unitOutput.split('\n').find((l) => l.startsWith(`PASS ${name}`) || l.startsWith(`FAIL ${name}`));
        assert.ok(line !== undefined, `no result for ${name} (exit ${unitStatus}):\n${unitOutput}`);
        assert.equal(line, `PASS ${name}`, unitOutput);
    });
}

test('lib/posix host tests exit cleanly (no sanitizer report, no leak)', () => {
    assert.equal(unitStatus, 0, unitOutput);
    assert.match(unitOutput, new RegExp(`^SUMMARY ${names.length} passed, 0 failed$`, 'm'));
});

test(`fuzz: ${ITERATIONS} random fd calls checked against a model, under ASan+UBSan`, { timeout: 600_000 }, (t) => {
    const started = Date.now();
    const r = spawnSync(join(out, 'posix_fuzz'), [String(ITERATIONS), SEED], { env, encoding: 'utf8', timeout: 590_000, maxBuffer: 16 << 20 });
    const seconds = (Date.now() - started) / 1000;
    const text = r.stdout + r.stderr;
    assert.equal(r.status, 0, text);
    const count = (label: string) => Number(new RegExp(`^${label} (\\d+)$`, 'm').exec(text)?.[1] ?? -1);
    assert.equal(count('iterations'), ITERATIONS, text);
    // Every kind of call ran, and enough of them failed on purpose and moved bytes to mean something.
    for (const op of ['pipe', 'eventfd', 'close', 'dup', 'dup2', 'fcntl', 'read', 'write', 'poll', 'select', 'info', 'dupfd']) {
        assert.ok(count(op) > ITERATIONS / 50, `${op}: ${count(op)}\n${text}`);
    }
    assert.ok(count('errno checks') > ITERATIONS / 5, text);
    assert.ok(count('bytes checked') > ITERATIONS, text);
    t.diagnostic(`posix_fuzz: ${ITERATIONS} iterations in ${seconds.toFixed(1)} s (${Math.round(ITERATIONS / seconds)}/s); ${text.trim().replace(/\n/g, ', ')}`);
});

test(`fuzz: ${ITERATIONS} random fd calls from four threads on one table, under ASan+UBSan`, { timeout: 600_000 }, (t) => {
    const started = Date.now();
    const r = spawnSync(join(out, 'posix_fuzz'), [String(ITERATIONS), SEED, '4'], { env, encoding: 'utf8', timeout: 590_000, maxBuffer: 16 << 20 });
    const seconds = (Date.now() - started) / 1000;
    const text = r.stdout + r.stderr;
    assert.equal(r.status, 0, text);
    assert.match(text, /^threads 4$/m);
    const count = (label: string) => Number(new RegExp(`^${label} (\\d+)$`, 'm').exec(text)?.[1] ?? -1);
    assert.equal(count('iterations'), ITERATIONS - (ITERATIONS % 4), text);
    assert.ok(count('io ok') > ITERATIONS / 20, `too few reads and writes moved bytes:\n${text}`);
    t.diagnostic(`posix_fuzz (4 threads): ${ITERATIONS} iterations in ${seconds.toFixed(1)} s (${Math.round(ITERATIONS / seconds)}/s); ${text.trim().replace(/\n/g, ', ')}`);
});

test(`fuzz: ${ITERATIONS} random paths (.., //, long names, non-UTF-8) against a model and through the path calls, under ASan+UBSan`, { timeout: 600_000 }, (t) => {
    const started = Date.now();
    const r = spawnSync(join(out, 'posix_path_fuzz'), [String(ITERATIONS), SEED], { env, encoding: 'utf8', timeout: 590_000, maxBuffer: 16 << 20 });
    const seconds = (Date.now() - started) / 1000;
    const text = r.stdout + r.stderr;
    assert.equal(r.status, 0, text);
    const m = /^iterations (\d+) normal (\d+) refused (\d+) device-opens (\d+) device-stats (\d+)$/m.exec(text);
    assert.ok(m !== null, text);
    const [iterations, normal, refused, opens, stats] = m.slice(1).map(Number);
    assert.equal(iterations, ITERATIONS, text);
    // both outcomes, and /dev reached through odd spellings, happened often enough to mean something
    assert.ok(normal > ITERATIONS / 4 && refused > ITERATIONS / 20, text);
    assert.ok(opens > ITERATIONS / 10_000 && stats > ITERATIONS / 1_000, text);
    t.diagnostic(`posix_path_fuzz: ${ITERATIONS} paths in ${seconds.toFixed(2)} s; ${text.trim()}`);
});
