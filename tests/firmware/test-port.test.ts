/**
 * `mprt test --port`: the suite runner on a board behind a serial port, here the emulated board
 * served on a pty by `mprt emulate --pty` (what a Pico on /dev/ttyACM0 looks like to the host).
 * Real MicroPython tests, the suite's skip rules and probes, the stock comparison, data files and
 * unittest written through the port, and a hung test interrupted with the board still usable after.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { mprtBin, testFirmware } from './emulator-fixture.js';

const firmware = testFirmware();
const work = mkdtempSync(join(tmpdir(), 'mprt-port-test-'));
after(() => rmSync(work, { recursive: true, force: true }));

function hasSocat(): boolean {
    return spawnSync('socat', ['-V'], { encoding: 'utf8' }).status === 0;
}

test('mprt test --port runs MicroPython tests on a board behind a pty', {
    skip: !firmware ? 'no firmware to run' : !hasSocat() ? 'socat is not installed (mprt setup installs it)' : false,
    timeout: 300_000,
}, async () => {
    const pty = join(work, 'ttyACM0');
    const board = spawn(process.execPath, [mprtBin, 'emulate', firmware!, '--pty', '--pty-link', pty], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
        await new Promise<void>((resolve, reject) => {
            let out = '';
            board.stdout.on('data', (d: Buffer) => {
                out += d.toString();
                if (out.includes('\n')) resolve();
            });
            board.on('exit', (code) => reject(new Error(`mprt emulate --pty exited with ${code}`)));
        });
        const mine = join(work, 'mine');
        const files: Record<string, string> = {
            'hang.py': 'while True:\n    pass\n',
            'hang.py.exp': '',
            'after_hang.py': 'print("alive")\n',
            'after_hang.py.exp': 'alive\n',
            'data_file.py': 'with open("data/in.txt") as f:\n    print(f.read())\n',
            'data_file.py.exp': 'sent through the port\n',
            'data/in.txt': 'sent through the port',
            'skipped.py': 'print("SKIP")\nraise SystemExit\n',
            'unit.py': 'import unittest\nclass T(unittest.TestCase):\n    def test_sum(self):\n        self.assertEqual(sum([1, 2]), 3)\nunittest.main()\n',
        };
        for (const [name, text] of Object.entries(files)) {
            mkdirSync(join(mine, name, '..'), { recursive: true });
            writeFileSync(join(mine, name), text);
        }
        const report = join(work, 'report.json');
        const upstream = ['basics/int1.py', 'basics/list1.py', 'float/float1.py', 'micropython/const.py'];
        const r = spawnSync(process.execPath, [mprtBin, 'test', '--port', pty, ...upstream, mine, '--timeout', '5', '--json', report], {
            encoding: 'utf8',
            timeout: 240_000,
            cwd: work,
        });
        assert.equal(r.status, 1, `one test hangs, so the run fails\n${r.stdout}\n${r.stderr}`);
        const lines = r.stdout.trim().split('\n');
        assert.match(lines[0], /^running 9 tests on the board at .*ttyACM0/);
        const failures = () => readFileSync(report, 'utf8');
        assert.equal(lines[lines.length - 1], '7 passed, 1 failed, 1 skipped', `${r.stdout}\n${failures()}`);
        assert.match(r.stdout, /^platform=rp2 arch=armv6m/m);
        const json = JSON.parse(readFileSync(report, 'utf8')) as { firmware: { port?: string }; baseline?: { file: string; regressions: unknown[] }; tests: { id: string; result: string; reason?: string; output?: string }[] };
        assert.equal(json.firmware.port, pty);
        // compared with the stock firmware's results, as in the emulator
        assert.match(json.baseline?.file ?? '', /stock-micropython-/);
        assert.deepEqual(json.baseline?.regressions, []);
        const got = Object.fromEntries(json.tests.map((t) => [t.id.slice(t.id.lastIndexOf('/') + 1), `${t.result}${t.reason ? `: ${t.reason}` : ''}`]));
        assert.deepEqual(got, {
            'int1.py': 'pass',
            'list1.py': 'pass',
            'float1.py': 'pass',
            'const.py': 'pass',
            'hang.py': 'fail: timeout',
            'after_hang.py': 'pass',
            'data_file.py': 'pass',
            'skipped.py': 'skip: test printed SKIP',
            'unit.py': 'pass: unittest: 1 ran, 0 skipped',
        });
    } finally {
        board.kill('SIGTERM');
    }
});
