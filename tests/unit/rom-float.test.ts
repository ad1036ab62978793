/**
 * The host-serviced ROM float/double tables against reference vectors computed by CPython
 * (tests/tools/rom_float_ref.py: exact rationals for + - * / sqrt and conversions, the platform libm
 * for the transcendental functions), in IEEE mode and in the ROM's flush-to-zero mode.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
    SD_TABLE,
    SD_TABLE_BYTES,
    SD_V2_INTERNALS,
    SF_TABLE,
    SF_TABLE_BYTES,
    createFloatTables,
    type FloatRomEntry,
    type FloatRomResult,
} from '../../cli/emulator/rom-float.js';

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
// compiled to dist/tests/unit/: the script lives in the source tree
const script = path.resolve(here, '../../../tests/tools/rom_float_ref.py');

type Check = 'x' | 'u' | 'n' | 'c';
type Case = [number[], number[], Check];
interface Vectors {
    mode: string;
    functions: Record<string, { out: string; cases: Case[] }>;
}

const COUNT = 1500;
const SEED = 20260415;

function vectors(mode: 'ieee' | 'ftz'): Promise<Vectors> {
    return run('python3', [script, mode, String(COUNT), String(SEED)], { maxBuffer: 1 << 28 }).then(
        (r) => JSON.parse(r.stdout) as Vectors,
    );
}
// start both generators at once (they run in parallel with each other)
const ieeeVectors = vectors('ieee');
const ftzVectors = vectors('ftz');
ieeeVectors.catch(() => undefined); // failures surface where awaited
ftzVectors.catch(() => undefined);

function isNaN32(b: number): boolean {
    return (b & 0x7fffffff) >>> 0 > 0x7f800000;
}
function isNaN64(lo: number, hi: number): boolean {
    const h = (hi & 0x7fffffff) >>> 0;
    return h > 0x7ff00000 || (h === 0x7ff00000 && lo !== 0);
}
/** Position of a float's bits on a line where adjacent floats are 1 apart (-0 == +0). */
function ord32(b: number): bigint {
    return b & 0x80000000 ? -BigInt(b & 0x7fffffff) : BigInt(b >>> 0);
}
function ord64(lo: number, hi: number): bigint {
    const mag = (BigInt(hi & 0x7fffffff) << 32n) | BigInt(lo >>> 0);
    return hi & 0x80000000 ? -mag : mag;
}
function abs(v: bigint): bigint {
    return v < 0n ? -v : v;
}

function regs(res: FloatRomResult): number[] {
    return [res.r0, res.r1 ?? 0, res.r2 ?? 0, res.r3 ?? 0].map((v) => v >>> 0);
}

/** Compare one result; returns an error text or ''. */
function checkCase(out: string, c: Case, res: FloatRomResult): string {
    const [, exp, check] = c;
    const got = regs(res);
    if (out === 'cmp' || out === 'cmpr0' || out === 'cmpflags') {
        const want = exp[0] | 0;
        if (out !== 'cmpflags' && (got[0] | 0) !== want) return `r0 ${got[0] | 0} != ${want}`;
        if (out === 'cmpr0') return '';
        const f = res.flags;
        if (!f) return 'no flags';
        const ge = f.n === f.v;
        const gt = ge && !f.z;
        if (f.z !== (want === 0) || ge !== want >= 0 || gt !== want > 0) return `flags ${JSON.stringify(f)} for ${want}`;
        return '';
    }
    const pieces: Array<[boolean, number, number]> = []; // [is64, word index]
    if (out === 'f32' || out === 'i32') pieces.push([false, 0, 0]);
    else if (out === 'f64' || out === 'i64') pieces.push([true, 0, 0]);
    else if (out === 'f32x2') pieces.push([false, 0, 0], [false, 1, 1]);
    else if (out === 'f64x2') pieces.push([true, 0, 0], [true, 2, 2]);
    for (const [is64, gi, ei] of pieces) {
        const g = is64 ? [got[gi], got[gi + 1]] : [got[gi]];
        const e = is64 ? [exp[ei] >>> 0, exp[ei + 1] >>> 0] : [exp[ei] >>> 0];
        const gNaN = is64 ? isNaN64(g[0], g[1]) : isNaN32(g[0]);
        const eNaN = is64 ? isNaN64(e[0], e[1]) : isNaN32(e[0]);
        const same = g.every((v, i) => v === e[i]);
        if (check === 'x' && !same) return `got ${hex(g)} want ${hex(e)}`;
        if (check === 'n' && !gNaN) return `got ${hex(g)} want NaN`;
        if (check === 'u') {
            if (eNaN !== gNaN) return `got ${hex(g)} want ${hex(e)}`;
            if (!eNaN) {
                const d = is64 ? abs(ord64(g[0], g[1]) - ord64(e[0], e[1])) : abs(ord32(g[0]) - ord32(e[0]));
                if (d > 1n) return `got ${hex(g)} want ${hex(e)} (${d} ulp)`;
            }
        }
    }
    return '';
}
function hex(ws: number[]): string {
    return ws
        .slice()
        .reverse()
        .map((w) => (w >>> 0).toString(16).padStart(8, '0'))
        .join('_');
}

function byName(entries: FloatRomEntry[][]): Map<string, FloatRomEntry> {
    const m = new Map<string, FloatRomEntry>();
    for (const t of entries) for (const e of t) m.set(e.name, e);
    return m;
}

function runVectors(v: Vectors, entries: Map<string, FloatRomEntry>): { total: number; failures: string[] } {
    const failures: string[] = [];
    let total = 0;
    const r = new Uint32Array(8);
    for (const [name, fn] of Object.entries(v.functions)) {
        const entry = entries.get(name);
        if (!entry) {
            failures.push(`${name}: no such entry`);
            continue;
        }
        let bad = 0;
        for (const c of fn.cases) {
            r.fill(0);
            r.set(c[0].map((x) => x >>> 0));
            const err = checkCase(fn.out, c, entry.call(r));
            total++;
            if (err && bad++ < 3) failures.push(`${name}(${c[0].map((x) => (x >>> 0).toString(16)).join(', ')}): ${err}`);
        }
        if (bad > 3) failures.push(`${name}: ${bad} failures in all`);
    }
    return { total, failures };
}

describe('ROM soft-float/soft-double tables', () => {
    it('has every v2 entry, sorted, 4 bytes apart', () => {
        for (const t of [SF_TABLE, SD_TABLE]) {
            assert.equal(t.length, 32);
            t.forEach((e, i) => assert.equal(e.offset, i * 4, e.name));
        }
        assert.equal(SF_TABLE_BYTES, 0x80);
        assert.equal(SD_TABLE_BYTES, 0x80);
        assert.deepEqual(
            SF_TABLE.filter((e) => [0x00, 0x18, 0x1c, 0x40, 0x54, 0x58, 0x7c].includes(e.offset)).map((e) => e.name),
            ['fadd', 'fsqrt', 'float2int', 'fsin', 'fcmp', 'fatan2', 'float2double'],
        );
        assert.equal(SD_TABLE[0x7c / 4].name, 'double2float');
    });

    it('matches CPython on IEEE vectors (bit-exact arithmetic/conversions, <= 1 ulp libm)', async () => {
        const { total, failures } = runVectors(await ieeeVectors, byName([SF_TABLE, SD_TABLE]));
        assert.deepEqual(failures, []);
        assert.ok(total > 60 * COUNT * 0.9, `only ${total} cases`);
    });

    it('matches the ROM flush-to-zero model on the same kind of vectors', async () => {
        const t = createFloatTables({ flushDenormals: true });
        const { total, failures } = runVectors(await ftzVectors, byName([t.SF, t.SD]));
        assert.deepEqual(failures, []);
        assert.ok(total > 60 * COUNT * 0.9, `only ${total} cases`);
    });

    it('keeps the documented ROM contract where it differs from C', () => {
        const t = byName([SF_TABLE, SD_TABLE]);
        const call = (name: string, ...args: number[]): number[] => regs(t.get(name)!.call(Uint32Array.from(args)));
        assert.equal(call('float2fix', 0x3f000000, 16)[0], 0x8000); // datasheet: _float2fix(0.5f, 16) == 0x8000
        assert.equal(call('float2int', 0xbfc00000)[0] | 0, -2); // -1.5 rounds towards -Infinity
        assert.equal(call('float2int', 0x7fc00000)[0], 0x7fffffff); // NaN saturates like +Infinity
        assert.equal(call('float2uint', 0xc0400000)[0], 0); // -3 clamps to 0
        assert.deepEqual(call('float2int64', 0x7f800000).slice(0, 2), [0xffffffff, 0x7fffffff]);
        assert.deepEqual(call('float2int64', 0xff800000).slice(0, 2), [0, 0x80000000]);
        assert.equal(call('fsqrt', 0xc0400000)[0], 0xff800000); // sqrt(-3) == -Infinity (v2 ROM)
        assert.equal(call('fsqrt', 0x80000000)[0], 0x80000000); // sqrt(-0) == -0
        assert.equal(call('fln', 0xc202cccd)[0], 0xff800000); // ln(-32.7) == -Infinity
        assert.deepEqual(call('dsqrt', 0, 0xc0080000).slice(0, 2), [0, 0xfff00000]);
        assert.equal(call('fcmp_fast', 0x80000000, 0)[0], 0); // -0 == +0
        assert.equal(call('fcmp_fast', 0x00000001, 0x007fffff)[0], 0xffffffff); // denormals compared
        assert.equal(call('fcmp', 0x00000001, 0x007fffff)[0], 0); // ...but flushed by the v2 fcmp
        assert.equal(call('fcmp', 0x80800000, 0x80000001)[0], 0xffffffff);
        assert.deepEqual(call('int2double', 0xffffffff).slice(0, 2), [0, 0xbff00000]);
    });

    it('has no NaN, as the B1 ROM: a NaN operand is the infinity of its sign, an invalid operation an infinity', () => {
        const t = byName([SF_TABLE, SD_TABLE]);
        const call = (name: string, ...args: number[]): number[] => regs(t.get(name)!.call(Uint32Array.from(args)));
        // inf + -inf is +inf on the chip (MicroPython's libm makes sqrtf(-inf) that way: see mp_float_fadd.S)
        assert.equal(call('fadd', 0x7f800000, 0xff800000)[0], 0x7f800000);
        assert.equal(call('fadd', 0xff800000, 0x7f800000)[0], 0x7f800000);
        assert.equal(call('fsub', 0xff800000, 0xff800000)[0], 0x7f800000);
        assert.equal(call('fmul', 0x80000000, 0x7f800000)[0], 0xff800000); // -0 * inf
        assert.equal(call('fdiv', 0, 0x80000000)[0], 0xff800000); // 0 / -0
        assert.equal(call('fdiv', 0xff800000, 0xff800000)[0], 0x7f800000);
        assert.equal(call('fadd', 0x3f800000, 0xffc00000)[0], 0xff800000); // 1 + -nan == -inf
        assert.equal(call('fdiv', 0x3f800000, 0x7fc00000)[0], 0); // 1 / nan == 1 / inf
        assert.equal(call('fsqrt', 0x7fc00000)[0], 0x7f800000);
        assert.equal(call('fexp', 0xffc00000)[0], 0); // exp(-nan) == exp(-inf)
        assert.equal(call('fcmp', 0x7f800000, 0x7fc00000)[0], 0); // nan == inf for fcmp...
        assert.equal(call('fcmp_fast', 0x7f800000, 0x7fc00000)[0], 0xffffffff); // ...beyond it for fcmp_fast
        assert.deepEqual(call('float2double', 0x7f800001).slice(0, 2), [0, 0x7ff00000]);
        assert.equal(call('double2float', 0, 0xfff80000)[0], 0xff800000);
        assert.deepEqual(call('dadd', 0, 0x7ff00000, 0, 0xfff00000).slice(0, 2), [0, 0x7ff00000]);
        assert.deepEqual(call('dmul', 0, 0xfff00000, 0, 0).slice(0, 2), [0, 0xfff00000]);
        assert.deepEqual(call('dsqrt', 0, 0xfff80000).slice(0, 2), [0, 0xfff00000]);
        assert.equal(call('dcmp', 0, 0x7ff80000, 0, 0x7ff00000)[0], 0);
    });

    it('returns cos in r1 from fsin (the SDK sincosf relies on it) and r2:r3 from dsin', () => {
        const sf = byName([SF_TABLE, SD_TABLE]);
        const r = new Uint32Array(8);
        for (const x of [0x3f800000, 0xc2000000, 0x40490fdb, 0x00000000, 0x3c000001]) {
            r.fill(0);
            r[0] = x;
            const s = sf.get('fsin')!.call(r);
            assert.equal(s.r1, sf.get('fcos')!.call(r).r0);
        }
        r.fill(0);
        r[1] = 0x3ff00000; // 1.0
        const d = sf.get('dsin')!.call(r);
        const c = sf.get('dcos')!.call(r);
        assert.deepEqual([d.r2, d.r3], [c.r0, c.r1]);
    });

    it('provides the v2 ROM internals the SDK sincos() shim calls, chaining through r4-r7', () => {
        assert.deepEqual(
            SD_V2_INTERNALS.map((e) => e.address),
            [0x3854, 0x389c, 0x38d8],
        );
        const sd = byName([SD_TABLE]);
        const r = new Uint32Array(8);
        r[0] = 0x54442d18;
        r[1] = 0x3fe921fb; // pi/4
        const want = sd.get('dsincos')!.call(r);
        const first = SD_V2_INTERNALS[0].call(r);
        for (const k of [4, 5, 6, 7] as const) r[k] = first[`r${k}`]!;
        r[0] = first.r0;
        const cos = SD_V2_INTERNALS[1].call(r);
        const sin = SD_V2_INTERNALS[2].call(r);
        assert.deepEqual([sin.r0, sin.r1, cos.r0, cos.r1], [want.r0, want.r1, want.r2, want.r3]);
    });

    it('never throws and always returns 32-bit words, whatever the registers hold', () => {
        let seed = 12345;
        const next = (): number => {
            seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
            return (seed ^ (seed >>> 15)) >>> 0;
        };
        const tables = [SF_TABLE, SD_TABLE, createFloatTables({ flushDenormals: true }).SF, SD_V2_INTERNALS];
        const r = new Uint32Array(8);
        let calls = 0;
        for (const t of tables) {
            for (const e of t) {
                for (let i = 0; i < 2000; i++) {
                    for (let k = 0; k < 8; k++) r[k] = i < 16 ? [0, 0xffffffff, 0x80000000, 0x7fffffff][(i + k) & 3] : next();
                    const res = e.call(r);
                    for (const v of [res.r0, res.r1, res.r2, res.r3, res.r4, res.r5, res.r6, res.r7]) {
                        if (v !== undefined) assert.ok(Number.isInteger(v) && v >= 0 && v <= 0xffffffff, `${e.name}: ${v}`);
                    }
                    calls++;
                }
            }
        }
        assert.ok(calls > 100000);
    });
});
