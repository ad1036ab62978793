/**
 * The emulated board and `mprt emulate`, on a real firmware (see emulator-fixture.ts for which one):
 * boot, raw-REPL exec, exit codes, emulated-time timeouts, flash image persistence, reset, the
 * rp2040js fixes (UART, SPI DMA, unique id), bad inputs, and mpremote through --pty.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FLASH_SIZE } from '../../cli/chip/rp2040.js';
import { openBoard, type Rp2040Board } from '../../cli/emulator/board.js';
import { componentDir } from '../../cli/components/components.js';
import { mprtBin, testFirmware, testFirmwareElf } from './emulator-fixture.js';

const firmware = testFirmware();
const skip = firmware ? false : 'no firmware to run (build one, or set MPRT_TEST_FIRMWARE)';
const work = mkdtempSync(join(tmpdir(), 'mprt-emu-test-'));
after(() => rmSync(work, { recursive: true, force: true }));

function mprt(args: string[], timeoutMs = 120_000, cwd?: string) {
    const r = spawnSync(process.execPath, [mprtBin, ...args], { encoding: 'utf8', timeout: timeoutMs, cwd });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('emulated board API', { skip }, () => {
    let board: Rp2040Board;
    before(async () => {
        board = await openBoard({ firmware: firmware! });
        await board.boot();
    });
    after(async () => board?.close());

    test('boots to the REPL quickly in emulated time', () => {
        assert.ok(board.nowMs() > 0 && board.nowMs() < 2000, `boot took ${board.nowMs()} emulated ms`);
        assert.ok(board.usbLinkStable());
    });

    test('exec returns stdout, and floats work through the ROM tables', async () => {
        const r = await board.exec('print(1+1)');
        assert.deepEqual([r.stdout, r.stderr, r.timedOut], ['2\r\n', '', false]);
        const f = await board.exec('import math\nprint(1.5*2, 2**0.5, math.sin(0.5), 10/4)');
        assert.equal(f.stdout, '3.0 1.414214 0.4794255 2.5\r\n');
    });

    test('an exception comes back as stderr', async () => {
        const r = await board.exec('1/0');
        assert.equal(r.stdout, '');
        assert.match(r.stderr, /ZeroDivisionError/);
        const s = await board.exec('def f(:');
        assert.match(s.stderr, /SyntaxError/);
    });

    test('a hang times out in emulated time and the board stays usable', async () => {
        const r = await board.exec('while True: pass', { timeoutMs: 300 });
        assert.equal(r.timedOut, true);
        assert.ok(r.emulatedMs >= 300 && r.emulatedMs < 400, `${r.emulatedMs}`);
        const next = await board.exec('print("alive")');
        assert.equal(next.stdout, 'alive\r\n');
    });

    test('time.sleep counts as waiting cycles', async () => {
        const before = board.cycles();
        const r = await board.exec('import time\ntime.sleep_ms(200)');
        assert.equal(r.stderr, '');
        const c = board.cycles();
        const waited = c.waiting - before.waiting;
        assert.ok(waited > 0.5 * 200e-3 * 125e6, `waited ${waited} cycles`);
        assert.ok(c.total - before.total >= 200e-3 * 125e6 * 0.99);
    });

    test('files are written and read back, and a filesystem exists', async () => {
        const data = new Uint8Array(3000).map((_, i) => (i * 7) & 0xff);
        await board.writeFile('blob.bin', data);
        assert.deepEqual(await board.readFile('blob.bin'), data);
        const r = await board.exec('import os\nprint(os.statvfs("/")[0] > 0, "blob.bin" in os.listdir())');
        assert.equal(r.stdout, 'True True\r\n');
    });

    test('machine.unique_id() is stable and not zero', async () => {
        const r = await board.exec('import machine\nprint(machine.unique_id().hex())');
        const id = r.stdout.trim();
        assert.match(id, /^[0-9a-f]{16}$/);
        assert.notEqual(id, '0000000000000000');
        const other = await openBoard({ firmware: firmware! });
        try {
            await other.boot();
            assert.equal((await other.exec('import machine\nprint(machine.unique_id().hex())')).stdout.trim(), id);
        } finally {
            await other.close();
        }
    });

    test('UART(0) transmits at its baud rate without an interrupt storm', async () => {
        const code = 'from machine import UART\nimport time\nu=UART(0, 9600)\nt=time.ticks_us()\nu.write(b"x"*20)\nu.flush()\nprint(time.ticks_diff(time.ticks_us(), t))';
        const r = await board.exec(code, { timeoutMs: 2000 });
        assert.equal(r.timedOut, false);
        const us = Number(r.stdout.trim());
        assert.ok(Math.abs(us - 20 * 10 * 1e6 / 9600) < 500, `20 bytes at 9600 took ${us} us`);
    });

    test('SPI(0) DMA transfers complete, at the configured rate', async () => {
        const code = 'from machine import SPI\nimport time\ns=SPI(0, baudrate=1_000_000)\nb=bytearray(1000)\nt=time.ticks_us()\ns.write_readinto(b"a"*1000, b)\nprint(time.ticks_diff(time.ticks_us(), t))';
        const r = await board.exec(code, { timeoutMs: 2000 });
        assert.equal(r.timedOut, false, r.stdout);
        const us = Number(r.stdout.trim());
        assert.ok(Math.abs(us - 8000) < 1000, `1000 bytes at 1 MHz took ${us} us`);
    });

    test('the ring oscillator gives random bits (random.seed() has entropy)', async () => {
        const r = await board.exec('import random\nrandom.seed()\nprint(random.getrandbits(32), random.getrandbits(32))');
        const [a, b] = r.stdout.trim().split(' ').map(Number);
        assert.notEqual(a, b);
        assert.ok(a !== 0 || b !== 0);
    });

    test('machine.reset() reboots the chip and keeps flash', async () => {
        await board.writeFile('keep.txt', 'kept');
        const r = await board.exec('import machine\nmachine.reset()', { timeoutMs: 2000 });
        assert.equal(r.reset, true);
        assert.equal(board.resets, 1);
        assert.equal(new TextDecoder().decode(await board.readFile('keep.txt')), 'kept');
        const cause = await board.exec('import machine\nprint(machine.reset_cause() == machine.WDT_RESET)');
        assert.equal(cause.stdout, 'True\r\n');
    });
});

describe('flash image persistence', { skip }, () => {
    test('a file written in one run is read in the next, also after a power cycle', async () => {
        const image = join(work, 'flash.bin');
        const a = await openBoard({ firmware: firmware!, flashImage: image });
        await a.boot();
        await a.writeFile('persist.txt', 'across runs');
        await a.powerCycle();
        assert.equal(new TextDecoder().decode(await a.readFile('persist.txt')), 'across runs');
        await a.close();
        assert.equal(readFileSync(image).length, FLASH_SIZE);
        const b = await openBoard({ firmware: firmware!, flashImage: image });
        await b.boot();
        assert.equal(new TextDecoder().decode(await b.readFile('persist.txt')), 'across runs');
        await b.close();
    });
});

describe('mprt emulate', { skip }, () => {
    test('--exec prints output and exits 0', () => {
        const r = mprt(['emulate', firmware!, '--exec', 'print(1+1)']);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout, '2\n');
    });

    test('an ELF runs like its UF2', (t) => {
        const elf = testFirmwareElf(firmware!);
        if (!elf) {
            t.skip('no ELF next to the test firmware');
            return;
        }
        const r = mprt(['emulate', elf, '--exec', 'print(sum(range(10)))']);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout, '45\n');
    });

    test('--run: 1 when the script raises (traceback on stderr), 124 on timeout', () => {
        const raises = join(work, 'raises.py');
        writeFileSync(raises, 'print("before")\nraise ValueError("boom")\n');
        const r = mprt(['emulate', firmware!, '--run', raises]);
        assert.equal(r.code, 1);
        assert.equal(r.stdout, 'before\n');
        assert.match(r.stderr, /ValueError: boom/);
        const loop = join(work, 'loop.py');
        writeFileSync(loop, 'while True:\n    pass\n');
        const t = mprt(['emulate', firmware!, '--run', loop, '--timeout', '1']);
        assert.equal(t.code, 124);
        assert.match(t.stderr, /did not finish within 1 emulated s/);
    });

    test('a syntax error exits 1 with the SyntaxError', () => {
        const bad = join(work, 'bad.py');
        writeFileSync(bad, 'def f(:\n');
        const r = mprt(['emulate', firmware!, '--run', bad]);
        assert.equal(r.code, 1);
        assert.match(r.stderr, /SyntaxError/);
    });

    test('without FIRMWARE it runs the last build (build/.last-build.json)', () => {
        const project = join(work, 'project');
        mkdirSync(join(project, 'build'), { recursive: true });
        writeFileSync(join(project, 'build', '.last-build.json'), JSON.stringify({ firmware: firmware!, console: 'usb' }));
        const r = mprt(['emulate', '--exec', 'print("last")'], 120_000, project);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout, 'last\n');
    });

    test('machine.bootloader() stops the board with exit code 3', () => {
        const r = mprt(['emulate', firmware!, '--exec', 'import machine\nmachine.bootloader()']);
        assert.equal(r.code, 3);
        assert.match(r.stderr, /USB boot mode/);
    });

    test('--json reports results', () => {
        const r = mprt(['emulate', firmware!, '--exec', 'print(3)', '--json']);
        assert.equal(r.code, 0);
        const j = JSON.parse(r.stdout) as { results: { stdout: string }[]; boot: { emulatedMs: number } };
        assert.equal(j.results[0].stdout, '3\r\n');
        assert.ok(j.boot.emulatedMs > 0);
    });

    test('--flash-image keeps files between runs', () => {
        const image = join(work, 'cli-flash.bin');
        const w = mprt(['emulate', firmware!, '--flash-image', image, '--exec', 'f=open("n.txt","w")\nf.write("42")\nf.close()']);
        assert.equal(w.code, 0, w.stderr);
        const r = mprt(['emulate', firmware!, '--flash-image', image, '--exec', 'print(open("n.txt").read())']);
        assert.equal(r.stdout, '42\n');
    });

    test('--profile writes the cycles per firmware function of the scripts', () => {
        const out = join(work, 'profile.txt');
        const r = mprt(['emulate', firmware!, '--exec', 'x = 0\nfor i in range(1000):\n    x += i * i\nprint(x)', '--profile', out]);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout, '332833500\n');
        const lines = readFileSync(out, 'utf8').trim().split('\n');
        const total = Number(/total (\d+)/.exec(lines[0])?.[1]);
        // the loop runs in the VM: its interpreter is the function that took most cycles
        assert.match(lines[1], /^\s*\d+\s+[\d.]+%\s+mp_execute_bytecode$/);
        const sum = lines.slice(1).reduce((n, l) => n + Number(l.trim().split(/\s+/)[0]), 0);
        assert.ok(total > 100_000 && sum <= total, `total ${total}, rows ${sum}`);
        const noScript = mprt(['emulate', firmware!, '--profile', out]);
        assert.equal(noScript.code, 2);
        assert.match(noScript.stderr, /--profile needs --run\/--exec/);
    });

    test('bad inputs: missing file, not firmware, other UF2 family, missing script', () => {
        const missing = mprt(['emulate', join(work, 'nope.uf2'), '--exec', '1']);
        assert.equal(missing.code, 2);
        assert.match(missing.stderr, /not found/);
        const text = join(work, 'text.uf2');
        writeFileSync(text, 'hello, not a firmware\n');
        const notFw = mprt(['emulate', text, '--exec', '1']);
        assert.equal(notFw.code, 2);
        assert.match(notFw.stderr, /not a firmware file/);
        const uf2 = readFileSync(firmware!.endsWith('.uf2') ? firmware! : firmware!.replace(/\.elf$/, '.uf2'));
        const other = Buffer.from(uf2);
        for (let i = 0; i < other.length; i += 512) other.writeUInt32LE(0xada52840, i + 28);
        const otherPath = join(work, 'nrf.uf2');
        writeFileSync(otherPath, other);
        const fam = mprt(['emulate', otherPath, '--exec', '1']);
        assert.equal(fam.code, 2);
        assert.match(fam.stderr, /not RP2040/);
        const noScript = mprt(['emulate', firmware!, '--run', join(work, 'missing.py')]);
        assert.equal(noScript.code, 2);
        assert.match(noScript.stderr, /script .* not found/);
    });

    test('--pty: mpremote exec and fs cp both ways', async (t) => {
        let mpremote: string;
        let pyserial: string;
        try {
            mpremote = componentDir('mpremote');
            pyserial = componentDir('pyserial');
        } catch {
            t.skip('mpremote/pyserial components are not set up');
            return;
        }
        const child = spawn(process.execPath, [mprtBin, 'emulate', firmware!, '--pty'], { stdio: ['ignore', 'pipe', 'pipe'] });
        try {
            const path = await new Promise<string>((resolve, reject) => {
                let out = '';
                child.stdout.on('data', (d: Buffer) => {
                    out += d.toString();
                    if (out.includes('\n')) resolve(out.split('\n')[0].trim());
                });
                child.on('exit', (code) => reject(new Error(`mprt emulate --pty exited with ${code}`)));
            });
            const env = { ...process.env, PYTHONPATH: `${mpremote}:${pyserial}` };
            const run = (...args: string[]) => spawnSync('python3', ['-m', 'mpremote', 'connect', path, ...args], { encoding: 'utf8', env, timeout: 60_000 });
            const e = run('exec', 'print(123)');
            assert.equal(e.status, 0, e.stderr);
            assert.equal(e.stdout.trim(), '123');
            const src = join(work, 'up.txt');
            const payload = 'line\n'.repeat(400);
            writeFileSync(src, payload);
            assert.equal(run('fs', 'cp', src, ':up.txt').status, 0);
            const back = join(work, 'down.txt');
            const d = run('fs', 'cp', ':up.txt', back);
            assert.equal(d.status, 0, d.stderr);
            assert.equal(readFileSync(back, 'utf8'), payload);
        } finally {
            child.kill('SIGTERM');
        }
    });
});
