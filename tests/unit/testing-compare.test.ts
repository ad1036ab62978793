import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
    applyPatternExp,
    assembleOutput,
    judge,
    parseUnittestSummary,
    patternLineToRegExp,
    splitLines,
} from '../../cli/testing/compare.js';
import type { RawRun } from '../../cli/testing/types.js';

const run = (output: string, extra: Partial<RawRun> = {}): RawRun => ({ output, crashed: false, timedOut: false, emulatedMs: 5, wallMs: 7, ...extra });

test('board output is compared with \\n line ends', () => {
    assert.deepEqual(assembleOutput('1\r\n2\r\n', '', false), { output: '1\n2\n', crashed: false });
    assert.equal(judge('basics/a.py', run(assembleOutput('1\r\n2\r\n', '', false).output), '1\n2\n').result, 'pass');
});

test('a script that raised gets its traceback and CRASH appended, and fails', () => {
    const a = assembleOutput('partial\r\n', 'Traceback (most recent call last):\r\nValueError: x\r\n', false);
    assert.equal(a.crashed, true);
    assert.equal(a.output, 'partial\nTraceback (most recent call last):\nValueError: x\nCRASH');
    const r = judge('basics/a.py', run(a.output, { crashed: true }), 'partial\n');
    assert.equal(r.result, 'fail');
    assert.equal(r.reason, 'raised');
    assert.equal(r.expected, 'partial\n');
});

test('a timeout fails with reason timeout even if the output so far matched', () => {
    const a = assembleOutput('1\r\n', '', true);
    assert.equal(a.output, '1\nTIMEOUT');
    const r = judge('stress/x.py', run(a.output, { crashed: true, timedOut: true }), '1\n');
    assert.deepEqual([r.result, r.reason], ['fail', 'timeout']);
});

test('SKIP alone is a skip; SKIP among other output or after a crash is not', () => {
    assert.equal(judge('t.py', run('SKIP\n'), 'whatever\n').result, 'skip');
    assert.equal(judge('t.py', run('1\nSKIP\n'), 'whatever\n').result, 'fail');
    assert.equal(judge('t.py', run('SKIP\nCRASH', { crashed: true }), 'x').result, 'fail');
    assert.equal(judge('t.py', run('SKIP\n'), 'SKIP\n').result, 'skip');
});

test('output differing by one character fails, with both texts kept', () => {
    const r = judge('t.py', run('abc\n'), 'abd\n');
    assert.equal(r.result, 'fail');
    assert.equal(r.reason, 'output differs');
    assert.equal(r.output, 'abc\n');
    // A missing final newline is a difference too.
    assert.equal(judge('t.py', run('abc'), 'abc\n').result, 'fail');
});

test('splitLines follows bytes.splitlines', () => {
    assert.deepEqual(splitLines('a\nb\r\nc\rd\n'), ['a', 'b', 'c', 'd']);
    assert.deepEqual(splitLines(''), []);
    assert.deepEqual(splitLines('a\n\n'), ['a', '']);
});

test('pattern lines: backslash makes an operator, other punctuation is literal', () => {
    assert.ok(patternLineToRegExp('MicroPython \\.\\+ version\n').test('MicroPython v1.25.0 on 2025 version\n'));
    assert.ok(patternLineToRegExp('MicroPython \\.\\+ version\n').test('MicroPython x version\r\r\n'));
    assert.ok(!patternLineToRegExp('a.b\n').test('axb\n'));
    assert.ok(patternLineToRegExp('a.b (c) [d] {e} *+^$\n').test('a.b (c) [d] {e} *+^$\n'));
});

test('pattern .exp: ######## swallows lines up to the next match', () => {
    const exp = '########\nobject <function> is of type function\n########\ndone\n';
    const out = 'help text\nmore help\nobject <function> is of type function\nmodule list\nxx\ndone\n';
    assert.equal(applyPatternExp(out, exp), exp);
    // The anchor line never comes: the rewrite fails visibly.
    const bad = applyPatternExp('help\nnothing else\n', exp);
    assert.notEqual(bad, exp);
    assert.match(bad, /######## FAIL/);
});

test('pattern tests pass through judge only when flagged', () => {
    const exp = '########\nFalse\n';
    assert.equal(judge('basics/bytes_compare3.py', run('warning: x\nFalse\n'), exp, true).result, 'pass');
    assert.equal(judge('basics/bytes_compare3.py', run('warning: x\nFalse\n'), exp, false).result, 'fail');
    assert.equal(judge('basics/bytes_compare3.py', run('warning: x\nTrue\n'), exp, true).result, 'fail');
});

test('unittest summaries decide the verdict instead of the .exp', () => {
    const rule = '-'.repeat(70);
    const ok = `test_a (T) ... ok\n${rule}\nRan 3 tests\n\nOK (skipped=1)\n`;
    assert.deepEqual(parseUnittestSummary(ok), { ok: true, ran: 3, skipped: 1, failures: 0, errors: 0 });
    const r = judge('extmod/machine1.py', run(ok), 'not used\n');
    assert.equal(r.result, 'pass');
    const bad = `x\n${rule}\nRan 2 tests\n\nFAILED (failures=1, errors=1)\n`;
    assert.deepEqual(parseUnittestSummary(bad), { ok: false, ran: 2, skipped: 0, failures: 1, errors: 1 });
    assert.equal(judge('extmod/machine1.py', run(bad), '').result, 'fail');
    assert.equal(parseUnittestSummary(`${rule}\nRan 2 test\n\nOK\n`), undefined);
    assert.equal(parseUnittestSummary(`${'-'.repeat(69)}\nRan 2 tests\n\nOK\n`), undefined);
});

test('a missing unittest module is reported as such', () => {
    const out = "Traceback (most recent call last):\n  File \"<stdin>\", line 9, in <module>\nImportError: no module named 'unittest'\nCRASH";
    const r = judge('extmod/machine1.py', run(out, { crashed: true }), '');
    assert.equal(r.reason, 'needs the unittest module');
});
