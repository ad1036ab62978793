import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countsByDir, describeDifference, summarize, summaryLine, toJunitXml, xmlEscape } from '../../cli/testing/report.js';
import type { TestResult } from '../../cli/testing/types.js';

const results: TestResult[] = [
    { id: 'basics/a.py', result: 'pass', wallMs: 1500 },
    { id: 'basics/b.py', result: 'fail', reason: 'output differs', output: '1\n<2>\n', expected: '1\n3\n', wallMs: 500 },
    { id: 'extmod/c.py', result: 'skip', reason: 'no "float" & <complex>' },
    { id: 'tests/firmware/F8/d.py', result: 'pass' },
];

test('summary line counts each verdict', () => {
    assert.equal(summaryLine(summarize(results)), '2 passed, 1 failed, 1 skipped');
    assert.equal(summaryLine(summarize([])), '0 passed, 0 failed, 0 skipped');
    assert.match(summaryLine(summarize(results)), /^\d+ passed, \d+ failed, \d+ skipped$/);
});

test('counts per directory', () => {
    const by = countsByDir(results);
    assert.deepEqual(Object.keys(by), ['basics', 'extmod', 'tests/firmware/F8']);
    assert.deepEqual(by.basics, { passed: 1, failed: 1, skipped: 0 });
});

test('XML escaping covers markup, quotes and characters XML cannot hold', () => {
    assert.equal(xmlEscape('a<b>&"c"\'d\''), 'a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos;');
    assert.equal(xmlEscape('x\u0000y\u001bz\ttab\nnl'), 'x\\x00y\\x1bz\ttab\nnl');
    assert.equal(xmlEscape('\uD800'), '\\xd800');
    assert.equal(xmlEscape('\u{1F600}'), '\u{1F600}'); // a valid surrogate pair stays
});

test('JUnit XML: one suite per directory, failures and skips with escaped messages', () => {
    const xml = toJunitXml(results);
    assert.match(xml, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="mprt" tests="4" failures="1" skipped="1">/);
    assert.match(xml, /<testsuite name="basics" tests="2" failures="1" skipped="0" time="2.000">/);
    assert.match(xml, /<testcase classname="basics" name="a.py" time="1.500"\/>/);
    assert.match(xml, /<failure message="output differs">first difference at line 2\n- 3\n\+ &lt;2&gt;/);
    assert.match(xml, /<skipped message="no &quot;float&quot; &amp; &lt;complex&gt;"\/>/);
    assert.match(xml, /<testsuite name="tests\/firmware\/F8"/);
    // Every element opened is closed.
    assert.equal((xml.match(/<testcase /g) ?? []).length, 4);
    assert.equal((xml.match(/<\/testsuite>/g) ?? []).length, 3);
});

test('describeDifference points at the first differing line', () => {
    assert.equal(describeDifference('a\nb\nc\n', 'a\nx\nc\n', 1), 'first difference at line 2\n- b\n+ x');
    assert.equal(describeDifference('a\nb\nc\nd\n', 'a\nx\nc\ny\n'), 'first difference at line 2\n- b\n+ x\n  c\n- d\n+ y\n  ');
});
