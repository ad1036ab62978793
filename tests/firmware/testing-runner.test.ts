/**
 * The suite runner end to end on an emulated board: verdicts for passing, failing, raising,
 * self-skipping and hanging scripts, data files copied to the board, and a board that still works
 * after a hang. Runs on the firmware the emulator tests use (tests/firmware/emulator-fixture.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { componentDir } from '../../cli/components/components.js';
import { discoverTests } from '../../cli/testing/discover.js';
import { runSuite } from '../../cli/testing/suite.js';
import { repoRoot } from '../../cli/util/paths.js';
import { testFirmware } from './emulator-fixture.js';

const firmware = testFirmware();

test('runner verdicts on an emulated board', { skip: firmware ? false : 'no firmware to run', timeout: 600_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mprt-runner-'));
    try {
        const files: Record<string, string> = {
            'a_pass.py': 'print(6 * 7)\n',
            'a_pass.py.exp': '42\n',
            'b_wrong.py': 'print(1)\n',
            'b_wrong.py.exp': '2\n',
            'c_raises.py': 'print("before")\nraise ValueError("boom")\n',
            'c_raises.py.exp': 'before\n',
            'd_skip.py': 'print("SKIP")\nraise SystemExit\n',
            'e_hang.py': 'while True:\n    pass\n',
            'e_hang.py.exp': '',
            'f_after_hang.py': 'print("alive")\n',
            'f_after_hang.py.exp': 'alive\n',
            'g_data.py': 'with open("data/in.txt") as f:\n    print(f.read())\n',
            'data/in.txt': 'from the host',
            'h_cpython.py': 'print(sorted({3, 1, 2}), 2 ** 70)\n',
        };
        for (const [name, text] of Object.entries(files)) {
            mkdirSync(join(dir, name, '..'), { recursive: true });
            writeFileSync(join(dir, name), text);
        }
        const upstreamTests = join(componentDir('micropython'), 'tests');
        const tests = discoverTests([dir], { upstreamTests, repo: repoRoot(), cwd: dir });
        const run = await runSuite({ tests, upstreamTests, board: { firmware: firmware! }, jobs: 1, timeoutS: 2 });
        const got = Object.fromEntries(run.results.map((r) => [r.id.slice(r.id.lastIndexOf('/') + 1), `${r.result}${r.reason ? `: ${r.reason}` : ''}`]));
        assert.deepEqual(got, {
            'a_pass.py': 'pass',
            'b_wrong.py': 'fail: output differs',
            'c_raises.py': 'fail: raised',
            'd_skip.py': 'skip: test printed SKIP',
            'e_hang.py': 'fail: timeout',
            'f_after_hang.py': 'pass',
            'g_data.py': 'pass',
            'h_cpython.py': 'pass',
        });
        const raised = run.results.find((r) => r.id.endsWith('c_raises.py'))!;
        assert.match(raised.output ?? '', /^before\nTraceback[^]*ValueError: boom\nCRASH$/);
        assert.equal(run.features.platform, 'rp2');
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
});
