import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { discoverTests, testId } from '../../cli/testing/discover.js';
import { dataFilesFor, importsUnittest } from '../../cli/testing/suite.js';

function tree(): { root: string; roots: { upstreamTests: string; repo: string; cwd: string } } {
    const root = mkdtempSync(join(tmpdir(), 'mprt-discover-'));
    const up = join(root, 'mp', 'tests');
    const repo = join(root, 'repo');
    const files: Record<string, string> = {
        'mp/tests/basics/b.py': 'print(1)\n',
        'mp/tests/basics/a.py': 'print(2)\n',
        'mp/tests/basics/a.py.exp': '2\n',
        'mp/tests/basics/sub/deep.py': '',
        'mp/tests/unicode/file1.py': '',
        'mp/tests/unicode/data/utf-8_1.txt': 'héllo',
        'repo/tests/firmware/F8/sel.py': '',
        'repo/tests/firmware/F8/data/in.bin': '\x00\xff',
        'repo/tests/firmware/F8/data/helper.py': '',
        'repo/tests/firmware/README.md': '',
    };
    for (const [p, text] of Object.entries(files)) {
        mkdirSync(join(root, p, '..'), { recursive: true });
        writeFileSync(join(root, p), text);
    }
    return { root, roots: { upstreamTests: up, repo, cwd: repo } };
}

test('ids are suite-relative for upstream tests and repo-relative for ours', () => {
    const { root, roots } = tree();
    try {
        assert.equal(testId(join(roots.upstreamTests, 'basics', 'a.py'), roots), 'basics/a.py');
        assert.equal(testId(join(roots.repo, 'tests', 'firmware', 'F8', 'sel.py'), roots), 'tests/firmware/F8/sel.py');
    } finally {
        rmSync(root, { recursive: true, force: true });
    }
});

test('suites by name, sorted; upstream folders one level deep, ours recursive without data/', () => {
    const { root, roots } = tree();
    try {
        const got = discoverTests(['basics', 'tests/firmware'], roots);
        assert.deepEqual(got.map((t) => t.id), ['basics/a.py', 'basics/b.py', 'tests/firmware/F8/sel.py']);
        assert.ok(got[0].expPath?.endsWith('a.py.exp'));
        assert.equal(got[1].expPath, undefined);
        // A file given twice (by two spellings) runs once.
        assert.equal(discoverTests(['basics/a.py', join(roots.upstreamTests, 'basics', 'a.py')], roots).length, 1);
        assert.throws(() => discoverTests(['nosuch'], roots), /no such test file or directory: nosuch/);
    } finally {
        rmSync(root, { recursive: true, force: true });
    }
});

test('data/ next to a test becomes /data on the board', () => {
    const { root, roots } = tree();
    try {
        const d = dataFilesFor(join(roots.upstreamTests, 'unicode', 'file1.py'));
        assert.ok(d);
        assert.deepEqual(d.list.map((f) => f.path), ['/data/utf-8_1.txt']);
        assert.equal(Buffer.from(d.list[0].base64, 'base64').toString('utf8'), 'héllo');
        assert.equal(dataFilesFor(join(roots.upstreamTests, 'basics', 'a.py')), undefined);
    } finally {
        rmSync(root, { recursive: true, force: true });
    }
});

test('unittest imports are recognised at the start of a line only', () => {
    assert.equal(importsUnittest('import sys\nimport unittest\n'), true);
    assert.equal(importsUnittest('from unittest import TestCase\n'), true);
    assert.equal(importsUnittest('# no unittest here\nimport unittests\n'), false);
    assert.equal(importsUnittest('x = "import unittest"\n'), false);
});
