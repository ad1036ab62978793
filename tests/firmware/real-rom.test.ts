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
import { FLASH_BASE, ROM_SIZE, SRAM_BASE } from '../../cli/chip/rp2040.js';
import { RP2040 } from 'rp2040js';
import { openBoard } from '../../cli/emulator/board.js';
import { SD_TABLE, SF_TABLE, createFloatTables, type FloatRomEntry } from '../../cli/emulator/rom-float.js';
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
    // (ports/rp2/mp_float_fadd.S). Our ROM hid it, computing IEEE NaNs; it now answers like the chip
    // (rom-float.ts), so the same check catches it on both.
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

/** Calls entries of the real ROM's SF/SD tables in a bare rp2040js core: no firmware, no boot. */
function realRomFloat(image: Buffer): { call(table: 'SF' | 'SD', offset: number, args: number[]): number[] } {
    const mcu = new RP2040();
    mcu.loadBootrom(new Uint32Array(image.buffer, image.byteOffset, image.length >> 2));
    const u16 = (a: number): number => image.readUInt16LE(a);
    const lookup = (code: string): number => {
        const want = code.charCodeAt(0) | (code.charCodeAt(1) << 8);
        for (let p = u16(0x16); u16(p) !== 0; p += 4) if (u16(p) === want) return u16(p + 2);
        throw new Error(`no ${code} table in the ROM`);
    };
    const tables = { SF: lookup('SF'), SD: lookup('SD') };
    const RETURN = SRAM_BASE; // a BKPT the entry returns to
    mcu.writeUint16(RETURN, 0xbe00);
    let back = false;
    mcu.onBreak = () => {
        back = true;
    };
    return {
        call(table, offset, args) {
            const core = mcu.core;
            for (let i = 0; i < 13; i++) core.registers[i] = args[i] ?? 0;
            core.SP = 0x20040000;
            core.LR = RETURN | 1;
            core.PC = image.readUInt32LE(tables[table] + offset) & ~1;
            back = false;
            for (let n = 0; n < 100_000 && !back; n++) mcu.step();
            assert.ok(back, `ROM ${table}+0x${offset.toString(16)} did not return`);
            return [0, 1, 2, 3].map((i) => core.registers[i] >>> 0);
        },
    };
}

describe('our ROM\'s float tables against the real ROM\'s, entry by entry', { skip: !rom && !inCi ? 'no real boot ROM' : false }, () => {
    const F = {
        zero: 0, negZero: 0x80000000, one: 0x3f800000, negOne: 0xbf800000, two: 0x40000000,
        inf: 0x7f800000, negInf: 0xff800000, nan: 0x7fc00000, negNan: 0xffc00000, sNan: 0x7f800001,
    };
    const D = {
        zero: [0, 0], negZero: [0, 0x80000000], one: [0, 0x3ff00000], negOne: [0, 0xbff00000], two: [0, 0x40000000],
        inf: [0, 0x7ff00000], negInf: [0, 0xfff00000], nan: [0, 0x7ff80000], negNan: [0, 0xfff80000], sNan: [1, 0x7ff00000],
    };
    // subnormal operands, and results (1 / max): the emulator's tables keep them, the chip's flush them
    const TINY32: [string, number[]][] = [['sub', [0x00000001]], ['max', [0x7f7fffff]]];
    const TINY64: [string, number[]][] = [['sub', [1, 0]], ['max', [0xffffffff, 0x7fefffff]]];
    // entry -> result words compared (transcendentals only where exact: the ROM's libm is within an ulp elsewhere)
    const BINARY = { fadd: 1, fsub: 1, fmul: 1, fdiv: 1, fcmp: 1, fcmp_fast: 1, dadd: 2, dsub: 2, dmul: 2, ddiv: 2, dcmp: 1, dcmp_fast: 1 } as Record<string, number>;
    const UNARY = { fsqrt: 1, float2int: 1, float2uint: 1, float2int64: 2, float2double: 2, dsqrt: 2, double2int: 1, double2int64: 2, double2float: 1 } as Record<string, number>;
    const SPECIAL = { fexp: 1, fln: 1, dexp: 2, dln: 2 } as Record<string, number>;

    function compare(entries: FloatRomEntry[], sub: boolean): string[] {
        const real = realRomFloat(readFileSync(rom!));
        const bad: string[] = [];
        const f32 = Object.entries(F).map(([k, v]) => [k, [v]] as [string, number[]]).concat(sub ? TINY32 : []);
        const f64 = Object.entries(D).concat(sub ? TINY64 : []);
        const check = (e: FloatRomEntry, args: number[], label: string, words: number): void => {
            const table = SD_TABLE.some((d) => d.name === e.name) ? 'SD' : 'SF';
            const want = real.call(table, e.offset, args).slice(0, words);
            const r = e.call(Uint32Array.from([...args, 0, 0, 0, 0].slice(0, 4)));
            const got = [r.r0, r.r1 ?? 0].map((v) => v >>> 0).slice(0, words);
            if (want.join() !== got.join()) bad.push(`${e.name}(${label}): chip ${want.map((v) => v.toString(16))} ours ${got.map((v) => v.toString(16))}`);
        };
        for (const e of entries) {
            const values = e.name.startsWith('d') ? f64 : f32;
            if (BINARY[e.name]) for (const [a, va] of values) for (const [b, vb] of values) check(e, [...va, ...vb], `${a}, ${b}`, BINARY[e.name]);
            const unary = UNARY[e.name] ?? SPECIAL[e.name];
            if (unary) for (const [a, va] of values) if (UNARY[e.name] || !/one|two|max/i.test(a)) check(e, va, a, unary);
        }
        return bad;
    }

    test('the emulator\'s tables give the chip\'s infinities for NaN operands and invalid operations', () => {
        assert.deepEqual(compare([...SF_TABLE, ...SD_TABLE], false), []);
    });

    test('the flush-to-zero model also matches the chip on subnormal operands and results', () => {
        const ftz = createFloatTables({ flushDenormals: true });
        assert.deepEqual(compare([...ftz.SF, ...ftz.SD], true), []);
    });
});
