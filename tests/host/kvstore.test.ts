/**
 * lib/kvstore on the host (lib/kvstore/tests/host/build.sh), under ASan and UBSan, over a simulated NOR
 * flash: the unit tests of test_kvstore.c, one node test each, then the power-cut run: a random sequence
 * of sets and deletes where, for every erase and program call of every change, the power is lost before
 * the call, partway through it (first byte, half, all but the last byte, a random subset, garbage) or
 * right after it; the store opened again must hold exactly the old state or the new one, and take the
 * change again. Bank sizes of one and two sectors. MPRT_KVSTORE_CHANGES sets the number of changes.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../cli/util/paths.js';

const hostDir = join(repoRoot(), 'lib', 'kvstore', 'tests', 'host');
const CHANGES = Number(process.env.MPRT_KVSTORE_CHANGES ?? 400);
const env = { ...process.env, ASAN_OPTIONS: 'detect_leaks=1', UBSAN_OPTIONS: 'print_stacktrace=1' };
const CUT_MODES = ['before', 'first byte', 'half', 'all but last byte', 'random bytes', 'garbage', 'after'];

const out = mkdtempSync(join(tmpdir(), 'mprt-kvstore-'));
after(() => rmSync(out, { recursive: true, force: true }));

const runs = new Map<string, { text: string; status: number | null }>();
before(() => {
    execFileSync('sh', [join(hostDir, 'build.sh'), out], { stdio: ['ignore', 'pipe', 'pipe'] });
    for (const [name, args] of [['1 sector', [String(CHANGES), '20261207', '1']], ['2 sectors', [String(CHANGES / 2), '7', '2']]] as const) {
        const r = spawnSync(join(out, 'kvstore_host_tests'), args, { env, encoding: 'utf8', timeout: 300_000 });
        runs.set(name, { text: r.stdout + r.stderr, status: r.status });
    }
});

const names = [...readFileSync(join(hostDir, 'test_kvstore.c'), 'utf8').matchAll(/^\s*\{ "(\w+)", test_\w+ \},$/gm)].map((m) => m[1]);
test('test_kvstore.c registers its tests', () => assert.ok(names.length >= 10, `found ${names.length}`));

for (const name of names) {
    test(`lib/kvstore host: ${name}`, () => {
        const { text } = runs.get('1 sector')!;
        assert.ok(text.split('\n').includes(`PASS ${name}`), text);
    });
}

for (const bank of ['1 sector', '2 sectors']) {
    test(`power cut at every erase/program call of every change (bank of ${bank}): old or new state, never another`, (t) => {
        const { text, status } = runs.get(bank)!;
        assert.equal(status, 0, text);
        assert.match(text, /^PASS power_cuts$/m);
        assert.match(text, new RegExp(`^SUMMARY ${names.length + 1} passed, 0 failed$`, 'm'));
        const count = (label: string) => Number(new RegExp(`^${label} (\\d+)$`, 'm').exec(text)?.[1] ?? -1);
        const changes = count('changes');
        assert.ok(changes > (bank === '1 sector' ? CHANGES : CHANGES / 2) * 0.8, text);
        // every change is at least an erase and a header program; every mode ran at every call
        assert.ok(count('cuts') >= changes * 2 * CUT_MODES.length, text);
        for (const mode of CUT_MODES) assert.equal(count(`mode ${mode}`), count('cuts') / CUT_MODES.length, text);
        // both outcomes happen: cuts before the commit keep the old state, a completed commit gives the new
        assert.ok(count('old') > changes && count('new') >= changes, text);
        assert.equal(count('old') + count('new'), count('cuts'), text);
        t.diagnostic(`${bank}: ${text.trim().split('\n').filter((l) => /^(changes|cuts|old|new) /.test(l)).join(', ')}`);
    });
}
