/**
 * The default firmware on the real RP2040 B1 boot ROM (not ours; BSD-3, never committed: found at
 * <repo>/../shared/third-party/ or $MPRT_BOOTROM), booted the chip's way: from the ROM's reset vector
 * through its flash boot (boot stage 2 read over the SSI, CRC-checked). On it float code runs the ROM's routines
 * instead of our host-side ones, so these runs check that our ROM's float results are the chip's and
 * that the firmware passes a sample of the suites there. Under CI=true a missing ROM fails the run.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { FLASH_BASE, ROM_SIZE } from '../../cli/chip/rp2040.js';
import { openBoard } from '../../cli/emulator/board.js';
import { realRomCandidates, realRomPath } from '../../cli/emulator/rom.js';
import { mprtBin, testFirmware } from './emulator-fixture.js';

const firmware = testFirmware();
const rom = realRomPath();
const inCi = process.env.CI === 'true';
const skip = !firmware ? 'no firmware to run' : !rom && !inCi ? `no real boot ROM at ${realRomCandidates().join(', ')}` : false;
const work = mkdtempSync(join(tmpdir(), 'mprt-real-rom-'));
after(() => rmSync(work, { recursive: true, force: true }));

/** A spread of float operations whose printed results must not depend on who computes them. */
const FLOAT_CODE = [
    'import math',
    'xs = [0.1, 1.5, -2.25, 3.0e-5, 1234.5678, 7.0e10]',
    'for x in xs:',
    ' print(repr(x * 3.7), repr(x / 9.1), repr(x + 1e-3), repr(math.sqrt(abs(x))), repr(math.exp(x % 5)), repr(math.log(abs(x))))',
    ' print(repr(math.sin(x)), repr(math.cos(x)), repr(math.tan(x % 1.5)), repr(math.atan2(x, 1.7)), repr(int(x)), repr(float(int(x * 100))))',
    "print('%.7g %.3e' % (math.pi, 1/3))",
].join('\n');

describe('on the real RP2040 boot ROM', { skip }, () => {
    test('the ROM is at hand (CI never skips this)', () => {
        assert.ok(rom, `the real B1 ROM is required under CI=true: put it at ${realRomCandidates().join(' or ')}`);
    });

    test('boots the chip\'s way: from the ROM\'s reset vector, which checks boot stage 2 before running it', async () => {
        const uf2 = readFileSync(firmware!.endsWith('.uf2') ? firmware! : firmware!.replace(/\.elf$/, '.uf2'));
        const board = await openBoard({ firmware: firmware!, bootrom: rom! });
        try {
            const resetVector = readFileSync(rom!).readUInt32LE(4) & ~1;
            assert.equal(board.mcu.core.PC, resetVector, 'the core starts in the ROM, not at boot stage 2');
            await board.boot();
            assert.equal((await board.exec('print(6*7)')).stdout, '42\r\n');
            // core 1, launched out of the ROM's own wait loop, runs a thread
            const t = await board.exec('import _thread, time\nd = []\n_thread.start_new_thread(lambda: d.append(7), ())\ntime.sleep_ms(20)\nprint(d)');
            assert.equal(t.stdout, '[7]\r\n');
        } finally {
            await board.close();
        }
        // boot stage 2 with one byte changed fails the ROM's CRC check: the chip stays in the ROM (its
        // USB boot mode enumerates, but no REPL ever answers) and the firmware never runs
        assert.equal(uf2.readUInt32LE(12), FLASH_BASE, 'the first UF2 block holds boot stage 2');
        const bad = Buffer.from(uf2);
        bad[32 + 0x20] ^= 0x01;
        const badPath = join(work, 'bad-boot2.uf2');
        writeFileSync(badPath, bad);
        const broken = await openBoard({ firmware: badPath, bootrom: rom! });
        try {
            await assert.rejects(broken.boot({ timeoutMs: 1000 }), /no REPL prompt|did not bring up its USB serial port/);
            assert.ok(broken.mcu.core.PC < ROM_SIZE, `still in the ROM (its USB boot mode), PC 0x${broken.mcu.core.PC.toString(16)}`);
        } finally {
            await broken.close();
        }
    });

    test('boots, and float code gives the same results as on our ROM, through the ROM\'s own routines', async () => {
        const results: { stdout: string; hostFloatCalls: number }[] = [];
        for (const bootrom of [undefined, rom!]) {
            const board = await openBoard({ firmware: firmware!, ...(bootrom ? { bootrom } : {}) });
            try {
                await board.boot();
                const calls = board.romCalls(true);
                const r = await board.exec(FLOAT_CODE, { timeoutMs: 10_000 });
                assert.equal(r.stderr, '');
                const hostFloatCalls = [...calls].filter(([name]) => /^S[FD]/.test(name)).reduce((n, [, c]) => n + c, 0);
                results.push({ stdout: r.stdout, hostFloatCalls });
            } finally {
                await board.close();
            }
        }
        const [ours, real] = results;
        assert.equal(ours.stdout.split('\n').length, 14);
        assert.equal(real.stdout, ours.stdout);
        assert.ok(ours.hostFloatCalls > 0, 'our ROM services float calls on the host');
        assert.equal(real.hostFloatCalls, 0, 'the real ROM computes floats itself');
    });

    test('mprt test --bootrom: a sample of the suites passes, as on stock', () => {
        const sample = [
            'float/float1.py', 'float/math_fun.py', 'float/math_fun_special.py', 'float/float_parse.py', 'float/float_format.py',
            'float/cmath_fun.py', 'float/math_domain.py', 'float/math_domain_special.py', 'float/inf_nan_arith.py',
            'misc/rge_sm.py', 'basics/int_big_mul.py', 'basics/builtin_pow3.py', 'stress/recursion.py',
        ];
        const report = join(work, 'report.json');
        const r = spawnSync(process.execPath, [mprtBin, 'test', '--firmware', firmware!, '--bootrom', rom!, ...sample, '-j2', '--json', report], {
            encoding: 'utf8',
            timeout: 300_000,
        });
        assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
        assert.equal(r.stdout.trim().split('\n').pop(), `${sample.length} passed, 0 failed, 0 skipped`);
        const json = JSON.parse(readFileSync(report, 'utf8')) as { baseline?: { regressions: unknown[] } };
        assert.deepEqual(json.baseline?.regressions, []);
    });

    // Found by running on the real ROM: the B1 ROM's fadd gives +inf for inf + -inf, and MicroPython's
    // libm builds its NaNs that way (sqrtf(-inf) is -inf * -inf + -inf), so with __aeabi_fadd wrapped
    // straight to the ROM math.sqrt(-inf) gave inf where stock (and CPython) raise ValueError
    // (ports/rp2/mp_float_fadd.S). The same check runs on our ROM.
    test('inf + -inf is nan and math.sqrt(-inf) raises ValueError, as on stock, on both ROMs', async () => {
        const code = [
            'import math',
            'print(math.inf + -math.inf, -math.inf + math.inf, math.inf - math.inf, math.inf + math.inf, -math.inf + -1.5)',
            'for f, x in ((math.sqrt, -math.inf), (math.gamma, -math.inf), (math.sqrt, -1.0), (math.log, -math.inf)):',
            ' try:',
            '  print(f(x))',
            ' except ValueError:',
            "  print('ValueError')",
        ].join('\n');
        for (const bootrom of [rom!, undefined]) {
            const board = await openBoard({ firmware: firmware!, ...(bootrom ? { bootrom } : {}) });
            try {
                await board.boot();
                const r = await board.exec(code);
                assert.equal(r.stderr, '');
                assert.equal(r.stdout, 'nan nan nan inf -inf\r\n' + 'ValueError\r\n'.repeat(4), bootrom ? 'real ROM' : 'our ROM');
            } finally {
                await board.close();
            }
        }
    });
});
