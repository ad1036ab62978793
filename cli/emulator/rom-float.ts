/**
 * The RP2040 B1 (ROM version 2) boot ROM's soft-float (`SF`) and soft-double (`SD`) tables,
 * serviced on the host. Our ROM image puts a BKPT stub behind every table entry; the harness calls
 * `call()` with the Cortex-M0+ argument registers and writes the result registers back (and the
 * APSR flags, for the compare entries that define them). Host-serviced calls cost no emulated cycles.
 *
 * Calling convention (AAPCS soft-float): float in r0; double in r0:r1 (low word in r0); a second
 * double in r2:r3; a (double, int) pair in r0:r1, r2; int64 in r0:r1; int64 results in r0:r1.
 * Two results (sin and cos): float sin in r0, cos in r1; double sin in r0:r1, cos in r2:r3.
 *
 * Semantics: + - * / sqrt and every conversion are exact IEEE-754 round-to-nearest-even (subnormals
 * included) unless the tables are built with `flushDenormals` (the real ROM's behaviour: subnormal
 * inputs read as signed zero, results below the smallest normal become signed zero after rounding to
 * full precision). The documented ROM contract is kept where it differs from C: float/double->int
 * conversions round towards -Infinity and saturate, sqrt of a negative non-zero value is -Infinity,
 * ln of a value <= 0 is -Infinity.
 *
 * Infinities and NaNs are the chip's (B1 ROM; tests/firmware/real-rom.test.ts checks every entry
 * against it): the ROM has no NaN. It reads a NaN operand as the infinity of its sign (arithmetic,
 * sqrt, exp, ln, fcmp/dcmp, conversions, float<->double; only the fast compares order a NaN beyond
 * the infinities), and an invalid operation gives an infinity: +Infinity for inf + -inf and
 * inf - inf, the sign of the product or quotient for 0 * inf, 0 / 0 and inf / inf. Bar sin/cos/tan
 * of an infinity (below), no entry returns a NaN, so firmware that leans on IEEE NaNs from the ROM fails here as on the chip (pico-sdk's
 * wrappers with PICO_FLOAT_PROPAGATE_NANS give most of them back; __aeabi_fadd is
 * ports/rp2/mp_float_fadd.S). sin/cos/tan/exp/ln/atan2 come from the host libm (double, then rounded
 * once to float for SF) and accept any finite argument (the ROM's are only specified on -128..128 /
 * -1024..1024; the SDK reduces larger angles itself); sin/cos/tan of an infinity, garbage on the chip,
 * are NaN here.
 */

import {
    BINARY32,
    BINARY64,
    bits32,
    bits64,
    decode,
    exactArith,
    f32,
    f32bits,
    f64,
    f64bits,
    f64hi,
    floorScaledClamp,
    isNaN32,
    isNaN64,
    isSub32,
    isSub64,
    roundToFormat,
    type Decoded,
    type FloatFormat,
} from './rom-float-bits.js';

export interface ApsrFlags {
    n: boolean;
    z: boolean;
    c: boolean;
    v: boolean;
}

export interface FloatRomResult {
    r0: number;
    r1?: number;
    r2?: number;
    r3?: number;
    r4?: number;
    r5?: number;
    r6?: number;
    r7?: number;
    /** Set the APSR N/Z/C/V flags to these on return (compare entries only). */
    flags?: ApsrFlags;
}

export interface FloatRomEntry {
    name: string;
    offset: number;
    call(r: Uint32Array /* r0..r3 */): FloatRomResult;
}

/** Host handlers that live at fixed ROM addresses rather than in a table (see SD_V2_INTERNALS). */
export interface FloatRomInternal {
    name: string;
    /** Byte address in the ROM (even; the Thumb entry point is address | 1). */
    address: number;
    call(r: Uint32Array /* r0..r7 */): FloatRomResult;
}

export interface FloatTableOptions {
    /** Treat subnormal inputs as zero and flush results below the smallest normal to zero, like the B1 ROM. */
    flushDenormals?: boolean;
}

export interface FloatTables {
    SF: FloatRomEntry[];
    SD: FloatRomEntry[];
    internals: FloatRomInternal[];
}

const TWO_M125 = 2 ** -125;
const TWO_M1021 = 2 ** -1021;
const I32_MIN = -(2n ** 31n);
const I32_MAX = 2n ** 31n - 1n;
const U32_MAX = 2n ** 32n - 1n;
const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;
const U64_MAX = 2n ** 64n - 1n;

type Op = 'add' | 'sub' | 'mul' | 'div';

function lo32(v: bigint): number {
    return Number(BigInt.asUintN(32, v));
}
function hi32(v: bigint): number {
    return Number(BigInt.asUintN(32, v >> 32n));
}
function int64(r: Uint32Array): bigint {
    return BigInt.asIntN(64, bits64(r[0], r[1]));
}
function uint64(r: Uint32Array): bigint {
    return bits64(r[0], r[1]);
}
function res64(v: bigint): FloatRomResult {
    return { r0: lo32(v), r1: hi32(v) };
}
function res32(v: bigint): FloatRomResult {
    return { r0: lo32(v) };
}

function applyOp(op: Op, a: number, b: number): number {
    switch (op) {
        case 'add':
            return a + b;
        case 'sub':
            return a - b;
        case 'mul':
            return a * b;
        default:
            return a / b;
    }
}

function exactOp(op: Op, a: Decoded, b: Decoded, fmt: FloatFormat, ftz: boolean): bigint {
    if (op === 'sub') return exactArith('add', a, { ...b, neg: !b.neg }, fmt, ftz);
    return exactArith(op, a, b, fmt, ftz);
}

/** The ROM reads a NaN as the infinity of its sign. */
function nanAsInf32(b: number): number {
    return (isNaN32(b) ? (b & 0x80000000) | 0x7f800000 : b) >>> 0;
}
/** A double's [lo, hi] words, with a NaN read as the infinity of its sign. */
function nanAsInf64(lo: number, hi: number): [number, number] {
    return isNaN64(lo, hi) ? [0, ((hi & 0x80000000) | 0x7ff00000) >>> 0] : [lo >>> 0, hi >>> 0];
}
/**
 * The ROM's answer to an invalid operation (the IEEE result would be NaN): +Infinity for a sum or
 * difference of infinities, otherwise the infinity with the sign of the product or quotient.
 */
function invalidHi(op: Op, hiA: number, hiB: number, infHi: number): number {
    if (op === 'add' || op === 'sub') return infHi;
    return (((hiA ^ hiB) & 0x80000000) | infHi) >>> 0;
}

/**
 * Ordered integer key of a float's bits, as the ROM compares them (sign-magnitude to two's
 * complement). The fast compares order a NaN beyond the infinity of its sign; fcmp and dcmp read it
 * as that infinity (nanAsInf first).
 */
function key32(b: number): number {
    return b & 0x80000000 ? -(b & 0x7fffffff) : b & 0x7fffffff;
}
function key64(lo: number, hi: number): bigint {
    const mag = bits64(lo, hi & 0x7fffffff);
    return hi & 0x80000000 ? -mag : mag;
}

/** Flags of a `subs` of two values held in `width`-bit registers. */
function subFlags(a: bigint, b: bigint, width: bigint): ApsrFlags {
    const ua = BigInt.asUintN(Number(width), a);
    const ub = BigInt.asUintN(Number(width), b);
    const res = BigInt.asUintN(Number(width), ua - ub);
    const top = width - 1n;
    return {
        n: ((res >> top) & 1n) === 1n,
        z: res === 0n,
        c: ua >= ub,
        v: ((((ua ^ ub) & (ua ^ res)) >> top) & 1n) === 1n,
    };
}
function cmpResult(d: bigint): number {
    return d === 0n ? 0 : d < 0n ? 0xffffffff : 1;
}

export function createFloatTables(opts: FloatTableOptions = {}): FloatTables {
    const ftz = opts.flushDenormals === true;

    // ---- single precision helpers ----
    /** An operand as the ROM reads it: a NaN as an infinity, a subnormal as zero when flushing. */
    const daz32 = (b: number): number => {
        const v = nanAsInf32(b);
        return (ftz && isSub32(v) ? v & 0x80000000 : v) >>> 0;
    };
    /** Final rounding/flush of a float result computed as a double `d` (once-rounded, innocuous). */
    const out32 = (d: number): number => {
        const bits = f32bits(d);
        if (ftz && isSub32(bits)) return (bits & 0x80000000) >>> 0;
        return bits;
    };

    function farith(op: Op) {
        return (r: Uint32Array): FloatRomResult => {
            const a = daz32(r[0] >>> 0);
            const b = daz32(r[1] >>> 0);
            const d = applyOp(op, f32(a), f32(b));
            if (d !== d) return { r0: invalidHi(op, a, b, 0x7f800000) };
            if (ftz && d !== 0 && Math.abs(d) < TWO_M125) {
                const da = decode(bits32(a), BINARY32, true);
                const db = decode(bits32(b), BINARY32, true);
                if (da.kind === 'finite' && db.kind === 'finite') return res32(exactOp(op, da, db, BINARY32, true));
            }
            return { r0: out32(d) };
        };
    }

    const fsqrt = (r: Uint32Array): FloatRomResult => {
        const a = nanAsInf32(r[0] >>> 0);
        if (a & 0x80000000) return { r0: (a & 0x7fffffff) === 0 ? a : 0xff800000 };
        return { r0: out32(Math.sqrt(f32(daz32(a)))) };
    };

    /** A unary single-precision libm function, computed in double and rounded once. */
    function funary(fn: (x: number) => number) {
        return (r: Uint32Array): FloatRomResult => ({ r0: out32(fn(f32(daz32(r[0] >>> 0)))) });
    }
    const fln = (x: number): number => (x <= 0 ? -Infinity : Math.log(x));
    const fsincos = (r: Uint32Array): FloatRomResult => {
        const x = f32(daz32(r[0] >>> 0));
        return { r0: out32(Math.sin(x)), r1: out32(Math.cos(x)) };
    };
    const fatan2 = (r: Uint32Array): FloatRomResult => ({
        r0: out32(Math.atan2(f32(daz32(r[0] >>> 0)), f32(daz32(r[1] >>> 0)))),
    });

    const dec32 = (b: number): Decoded => decode(bits32(b), BINARY32, ftz);
    const toFloat = (neg: boolean, mag: bigint, exp: number): FloatRomResult =>
        res32(roundToFormat(neg, mag, exp, BINARY32, ftz));
    const signedToFloat = (v: bigint, exp: number): FloatRomResult => toFloat(v < 0n, v < 0n ? -v : v, exp);

    // ---- double precision helpers ----
    const out64 = (d: number): FloatRomResult => {
        const lo = f64bits(d);
        const hi = f64hi();
        if (ftz && isSub64(lo, hi)) return { r0: 0, r1: (hi & 0x80000000) >>> 0 };
        return { r0: lo, r1: hi };
    };
    /** The double in r[i]:r[i+1] as the ROM reads it: a NaN as an infinity, a subnormal as zero when flushing. */
    const arg64 = (r: Uint32Array, i: number): number => {
        const [lo, hi] = nanAsInf64(r[i], r[i + 1]);
        if (ftz && isSub64(lo, hi)) return hi & 0x80000000 ? -0 : 0;
        return f64(lo, hi);
    };

    function darith(op: Op) {
        return (r: Uint32Array): FloatRomResult => {
            const a = arg64(r, 0);
            const b = arg64(r, 2);
            const d = applyOp(op, a, b);
            if (d !== d) return { r0: 0, r1: invalidHi(op, r[1], r[3], 0x7ff00000) };
            if (ftz && d !== 0 && Math.abs(d) < TWO_M1021) {
                const da = decode(bits64(r[0], r[1]), BINARY64, true);
                const db = decode(bits64(r[2], r[3]), BINARY64, true);
                if (da.kind === 'finite' && db.kind === 'finite') return res64(exactOp(op, da, db, BINARY64, true));
            }
            return out64(d);
        };
    }

    const dsqrt = (r: Uint32Array): FloatRomResult => {
        const [lo, hi] = nanAsInf64(r[0], r[1]);
        if (hi & 0x80000000) {
            if ((hi & 0x7fffffff) === 0 && lo === 0) return { r0: lo, r1: hi };
            return { r0: 0, r1: 0xfff00000 };
        }
        return out64(Math.sqrt(arg64(r, 0)));
    };
    function dunary(fn: (x: number) => number) {
        return (r: Uint32Array): FloatRomResult => out64(fn(arg64(r, 0)));
    }
    const dsincos = (r: Uint32Array): FloatRomResult => {
        const x = arg64(r, 0);
        const s = out64(Math.sin(x));
        const c = out64(Math.cos(x));
        return { r0: s.r0, r1: s.r1, r2: c.r0, r3: c.r1 };
    };
    const datan2 = (r: Uint32Array): FloatRomResult => out64(Math.atan2(arg64(r, 0), arg64(r, 2)));

    const dec64 = (r: Uint32Array): Decoded => decode(bits64(r[0], r[1]), BINARY64, ftz);
    const toDouble = (v: bigint, exp: number): FloatRomResult =>
        res64(roundToFormat(v < 0n, v < 0n ? -v : v, exp, BINARY64, ftz));

    // ---- compares (the ROM's own semantics: integer order of sign-magnitude bits, -0 == +0) ----
    const flush32 = (b: number): number => (isSub32(b) ? b & 0x80000000 : b);
    const fcmpFast = (r: Uint32Array): FloatRomResult => {
        const d = BigInt(key32(r[0] >>> 0)) - BigInt(key32(r[1] >>> 0));
        return { r0: cmpResult(d) };
    };
    const fcmpFastFlags = (r: Uint32Array): FloatRomResult => {
        const ka = BigInt(key32(r[0] >>> 0));
        const kb = BigInt(key32(r[1] >>> 0));
        return { r0: lo32(ka - kb), flags: subFlags(ka, kb, 32n) };
    };
    const fcmpCombined = (r: Uint32Array): FloatRomResult => {
        const ka = BigInt(key32(flush32(nanAsInf32(r[0] >>> 0))));
        const kb = BigInt(key32(flush32(nanAsInf32(r[1] >>> 0))));
        return { r0: cmpResult(ka - kb), flags: subFlags(ka, kb, 32n) };
    };
    /** flush: dcmp's reading (subnormals equal zero, a NaN the infinity of its sign). */
    const dkey = (r: Uint32Array, i: number, flush: boolean): bigint => {
        const [lo, hi] = flush ? nanAsInf64(r[i], r[i + 1]) : [r[i] >>> 0, r[i + 1] >>> 0];
        if (flush && isSub64(lo, hi)) return 0n;
        return key64(lo, hi);
    };
    const dcmpFast = (r: Uint32Array): FloatRomResult => ({ r0: cmpResult(dkey(r, 0, false) - dkey(r, 2, false)) });
    const dcmpFastFlags = (r: Uint32Array): FloatRomResult => {
        const ka = dkey(r, 0, false);
        const kb = dkey(r, 2, false);
        return { r0: lo32(ka - kb), r1: hi32(ka - kb), flags: subFlags(ka, kb, 64n) };
    };
    const dcmpCombined = (r: Uint32Array): FloatRomResult => {
        const ka = dkey(r, 0, true);
        const kb = dkey(r, 2, true);
        return { r0: cmpResult(ka - kb), flags: subFlags(ka, kb, 64n) };
    };

    const SF: FloatRomEntry[] = [
        { name: 'fadd', offset: 0x00, call: farith('add') },
        { name: 'fsub', offset: 0x04, call: farith('sub') },
        { name: 'fmul', offset: 0x08, call: farith('mul') },
        { name: 'fdiv', offset: 0x0c, call: farith('div') },
        { name: 'fcmp_fast', offset: 0x10, call: fcmpFast },
        { name: 'fcmp_fast_flags', offset: 0x14, call: fcmpFastFlags },
        { name: 'fsqrt', offset: 0x18, call: fsqrt },
        { name: 'float2int', offset: 0x1c, call: (r) => res32(floorScaledClamp(dec32(r[0]), 0, I32_MIN, I32_MAX)) },
        {
            name: 'float2fix',
            offset: 0x20,
            call: (r) => res32(floorScaledClamp(dec32(r[0]), r[1] | 0, I32_MIN, I32_MAX)),
        },
        { name: 'float2uint', offset: 0x24, call: (r) => res32(floorScaledClamp(dec32(r[0]), 0, 0n, U32_MAX)) },
        {
            name: 'float2ufix',
            offset: 0x28,
            call: (r) => res32(floorScaledClamp(dec32(r[0]), r[1] | 0, 0n, U32_MAX)),
        },
        { name: 'int2float', offset: 0x2c, call: (r) => ({ r0: f32bits(r[0] | 0) }) },
        { name: 'fix2float', offset: 0x30, call: (r) => signedToFloat(BigInt(r[0] | 0), -(r[1] | 0)) },
        { name: 'uint2float', offset: 0x34, call: (r) => ({ r0: f32bits(r[0] >>> 0) }) },
        { name: 'ufix2float', offset: 0x38, call: (r) => signedToFloat(BigInt(r[0] >>> 0), -(r[1] | 0)) },
        { name: 'fcos', offset: 0x3c, call: funary(Math.cos) },
        { name: 'fsin', offset: 0x40, call: fsincos }, // cos in r1 too: the SDK's sincosf relies on it
        { name: 'ftan', offset: 0x44, call: funary(Math.tan) },
        { name: 'fsincos', offset: 0x48, call: fsincos },
        { name: 'fexp', offset: 0x4c, call: funary(Math.exp) },
        { name: 'fln', offset: 0x50, call: funary(fln) },
        { name: 'fcmp', offset: 0x54, call: fcmpCombined },
        { name: 'fatan2', offset: 0x58, call: fatan2 },
        { name: 'int642float', offset: 0x5c, call: (r) => signedToFloat(int64(r), 0) },
        { name: 'fix642float', offset: 0x60, call: (r) => signedToFloat(int64(r), -(r[2] | 0)) },
        { name: 'uint642float', offset: 0x64, call: (r) => signedToFloat(uint64(r), 0) },
        { name: 'ufix642float', offset: 0x68, call: (r) => signedToFloat(uint64(r), -(r[2] | 0)) },
        { name: 'float2int64', offset: 0x6c, call: (r) => res64(floorScaledClamp(dec32(r[0]), 0, I64_MIN, I64_MAX)) },
        {
            name: 'float2fix64',
            offset: 0x70,
            call: (r) => res64(floorScaledClamp(dec32(r[0]), r[1] | 0, I64_MIN, I64_MAX)),
        },
        { name: 'float2uint64', offset: 0x74, call: (r) => res64(floorScaledClamp(dec32(r[0]), 0, 0n, U64_MAX)) },
        {
            name: 'float2ufix64',
            offset: 0x78,
            call: (r) => res64(floorScaledClamp(dec32(r[0]), r[1] | 0, 0n, U64_MAX)),
        },
        {
            name: 'float2double',
            offset: 0x7c,
            call: (r) => out64(f32(daz32(r[0] >>> 0))),
        },
    ];

    const SD: FloatRomEntry[] = [
        { name: 'dadd', offset: 0x00, call: darith('add') },
        { name: 'dsub', offset: 0x04, call: darith('sub') },
        { name: 'dmul', offset: 0x08, call: darith('mul') },
        { name: 'ddiv', offset: 0x0c, call: darith('div') },
        { name: 'dcmp_fast', offset: 0x10, call: dcmpFast },
        { name: 'dcmp_fast_flags', offset: 0x14, call: dcmpFastFlags },
        { name: 'dsqrt', offset: 0x18, call: dsqrt },
        { name: 'double2int', offset: 0x1c, call: (r) => res32(floorScaledClamp(dec64(r), 0, I32_MIN, I32_MAX)) },
        {
            name: 'double2fix',
            offset: 0x20,
            call: (r) => res32(floorScaledClamp(dec64(r), r[2] | 0, I32_MIN, I32_MAX)),
        },
        { name: 'double2uint', offset: 0x24, call: (r) => res32(floorScaledClamp(dec64(r), 0, 0n, U32_MAX)) },
        {
            name: 'double2ufix',
            offset: 0x28,
            call: (r) => res32(floorScaledClamp(dec64(r), r[2] | 0, 0n, U32_MAX)),
        },
        { name: 'int2double', offset: 0x2c, call: (r) => out64(r[0] | 0) },
        { name: 'fix2double', offset: 0x30, call: (r) => toDouble(BigInt(r[0] | 0), -(r[1] | 0)) },
        { name: 'uint2double', offset: 0x34, call: (r) => out64(r[0] >>> 0) },
        { name: 'ufix2double', offset: 0x38, call: (r) => toDouble(BigInt(r[0] >>> 0), -(r[1] | 0)) },
        { name: 'dcos', offset: 0x3c, call: dunary(Math.cos) },
        { name: 'dsin', offset: 0x40, call: dsincos }, // cos in r2:r3 too, like fsin
        { name: 'dtan', offset: 0x44, call: dunary(Math.tan) },
        { name: 'dsincos', offset: 0x48, call: dsincos },
        { name: 'dexp', offset: 0x4c, call: dunary(Math.exp) },
        { name: 'dln', offset: 0x50, call: dunary(fln) },
        { name: 'dcmp', offset: 0x54, call: dcmpCombined },
        { name: 'datan2', offset: 0x58, call: datan2 },
        { name: 'int642double', offset: 0x5c, call: (r) => toDouble(int64(r), 0) },
        { name: 'fix642double', offset: 0x60, call: (r) => toDouble(int64(r), -(r[2] | 0)) },
        { name: 'uint642double', offset: 0x64, call: (r) => toDouble(uint64(r), 0) },
        { name: 'ufix642double', offset: 0x68, call: (r) => toDouble(uint64(r), -(r[2] | 0)) },
        { name: 'double2int64', offset: 0x6c, call: (r) => res64(floorScaledClamp(dec64(r), 0, I64_MIN, I64_MAX)) },
        {
            name: 'double2fix64',
            offset: 0x70,
            call: (r) => res64(floorScaledClamp(dec64(r), r[2] | 0, I64_MIN, I64_MAX)),
        },
        { name: 'double2uint64', offset: 0x74, call: (r) => res64(floorScaledClamp(dec64(r), 0, 0n, U64_MAX)) },
        {
            name: 'double2ufix64',
            offset: 0x78,
            call: (r) => res64(floorScaledClamp(dec64(r), r[2] | 0, 0n, U64_MAX)),
        },
        {
            name: 'double2float',
            offset: 0x7c,
            call: (r) => {
                const [lo, hi] = nanAsInf64(r[0], r[1]);
                const x = arg64(r, 0);
                if (ftz && x !== 0 && Math.abs(x) < TWO_M125) {
                    const d = decode(bits64(lo, hi), BINARY64, true);
                    return res32(roundToFormat(d.neg, d.mant, d.exp, BINARY32, true));
                }
                return { r0: out32(x) };
            },
        },
    ];

    // ROM v2 has no double sincos entry; for v2 the SDK's sincos() calls three internal routines of
    // the real ROM at fixed addresses (double_aeabi_rp2040.S, dsincos_shim_v2), with r4-r11 saved
    // around the sequence and r0/r1/r12/sp the only registers touched in between. Our stand-ins keep
    // sin in r4:r5 and cos in r6:r7 between the calls.
    const internals: FloatRomInternal[] = [
        {
            name: 'v2_dsincos_internal',
            address: 0x3854,
            call: (r) => {
                const s = dsincos(r);
                return { r0: 0, r4: s.r0, r5: s.r1, r6: s.r2, r7: s.r3 };
            },
        },
        { name: 'v2_dcos_finish', address: 0x389c, call: (r) => ({ r0: r[6] >>> 0, r1: r[7] >>> 0 }) },
        { name: 'v2_dsin_finish', address: 0x38d8, call: (r) => ({ r0: r[4] >>> 0, r1: r[5] >>> 0 }) },
    ];

    return { SF, SD, internals };
}

const DEFAULT_TABLES = createFloatTables();

/** IEEE-754 (gradual underflow) tables, sorted by offset. */
export const SF_TABLE: FloatRomEntry[] = DEFAULT_TABLES.SF;
export const SD_TABLE: FloatRomEntry[] = DEFAULT_TABLES.SD;
/** Fixed-address helpers a v2 ROM must provide for the SDK's double sincos(). */
export const SD_V2_INTERNALS: FloatRomInternal[] = DEFAULT_TABLES.internals;
/**
 * 32 entries each (ROM v2). The SDK's float/double init (debug builds) checks that the byte at SF - 2
 * (the real ROM's 'FZ' table-size byte) is at least 32.
 */
export const SF_TABLE_BYTES = 0x80;
export const SD_TABLE_BYTES = 0x80;
