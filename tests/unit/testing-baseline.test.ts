import { test } from 'node:test';
import assert from 'node:assert/strict';
import { baselineFileName, baselineKey, diffWithBaseline, formatBaseline, formatDiff, toBaselineEntries } from '../../cli/testing/baseline.js';
import type { BaselineFile } from '../../cli/testing/baseline.js';
import type { TestResult } from '../../cli/testing/types.js';

const versions = { micropython: '1.25.0', 'pico-sdk': '2.1.1', tinyusb: '0.18.0', lwip: '2.2.1' };

test('the baseline key names the versions that decide the stock firmware', () => {
    assert.equal(baselineKey(versions), 'micropython-1.25.0_pico-sdk-2.1.1_tinyusb-0.18.0');
    assert.equal(baselineFileName(versions), 'stock-micropython-1.25.0_pico-sdk-2.1.1_tinyusb-0.18.0.json');
    assert.notEqual(baselineKey({ ...versions, tinyusb: '0.19.0' }), baselineKey(versions));
    assert.throws(() => baselineKey({ micropython: '1.25.0' }), /pico-sdk/);
});

test('regressions: stock passes, ours fails or skips; improvements: the reverse', () => {
    const stock = {
        'basics/a.py': { result: 'pass' as const },
        'basics/b.py': { result: 'pass' as const },
        'basics/c.py': { result: 'fail' as const, reason: 'timeout' },
        'basics/d.py': { result: 'skip' as const, reason: 'no complex numbers' },
        'basics/e.py': { result: 'pass' as const },
        'basics/f.py': { result: 'fail' as const },
    };
    const ours: TestResult[] = [
        { id: 'basics/a.py', result: 'pass' },
        { id: 'basics/b.py', result: 'skip', reason: 'test printed SKIP' },
        { id: 'basics/c.py', result: 'pass' },
        { id: 'basics/d.py', result: 'pass' },
        { id: 'basics/e.py', result: 'fail', reason: 'raised' },
        { id: 'basics/f.py', result: 'fail' },
        { id: 'tests/firmware/new.py', result: 'pass' },
    ];
    const diff = diffWithBaseline(ours, stock);
    assert.deepEqual(diff.regressions.map((r) => r.id), ['basics/b.py', 'basics/e.py']);
    assert.deepEqual(diff.improvements.map((r) => r.id), ['basics/c.py', 'basics/d.py']);
    assert.deepEqual(diff.unknown, ['tests/firmware/new.py']);
    const text = formatDiff(diff, 'stock.json').join('\n');
    assert.match(text, /2 regression\(s\) against stock.json/);
    assert.match(text, /basics\/b.py: skip \(test printed SKIP\)/);
    assert.match(text, /basics\/c.py \(stock: fail, timeout\)/);
    assert.deepEqual(formatDiff(diffWithBaseline([{ id: 'basics/a.py', result: 'pass' }], stock), 'x'), []);
});

test('baseline diff: a RAM-bound test may skip itself, but a failure or timeout stays a regression', () => {
    const stock = { 'stress/big.py': { result: 'pass' as const }, 'stress/other.py': { result: 'pass' as const } };
    const ramBound = { 'stress/big.py': 'needs 200 KB' };
    const skipped = diffWithBaseline([{ id: 'stress/big.py', result: 'skip', reason: 'test printed SKIP' }], stock, ramBound);
    assert.deepEqual(skipped.regressions, []);
    assert.deepEqual(skipped.ramBound, [{ id: 'stress/big.py', why: 'needs 200 KB' }]);
    assert.match(formatDiff(skipped, 's.json').join('\n'), /1 RAM-bound test\(s\) skipped here.*\n  stress\/big.py: needs 200 KB/);
    const failed = diffWithBaseline([{ id: 'stress/big.py', result: 'fail', reason: 'timeout' }], stock, ramBound);
    assert.deepEqual(failed.regressions.map((r) => r.id), ['stress/big.py']);
    const unlisted = diffWithBaseline([{ id: 'stress/other.py', result: 'skip', reason: 'test printed SKIP' }], stock, ramBound);
    assert.deepEqual(unlisted.regressions.map((r) => r.id), ['stress/other.py']);
});

test('baseline file: one test per line, valid JSON that reads back the same', () => {
    const results: TestResult[] = [
        { id: 'b/z.py', result: 'pass', reason: 'unittest: 3 ran' },
        { id: 'a/y.py', result: 'fail', reason: 'timeout', output: 'x' },
    ];
    const file: BaselineFile = {
        key: 'k', components: versions, firmware: { sha256: 'ab', size: 1 }, policy: { timeoutS: 30 },
        generated: '2026-01-01T00:00:00.000Z', wallSeconds: 1, summary: { passed: 1, failed: 1, skipped: 0 }, byDir: {},
        tests: toBaselineEntries(results),
    };
    assert.deepEqual(Object.keys(file.tests), ['a/y.py', 'b/z.py']);
    assert.deepEqual(file.tests['b/z.py'], { result: 'pass' });
    const text = formatBaseline(file);
    assert.deepEqual(JSON.parse(text), file);
    assert.match(text, /\n {4}"a\/y.py": \{"result":"fail","reason":"timeout"\},\n {4}"b\/z.py": \{"result":"pass"\}\n/);
});
