/**
 * Bit-level helpers for the host-serviced soft-float/soft-double ROM tables (rom-float.ts):
 * IEEE-754 binary32/binary64 encode/decode, exact rounding of dyadic values (BigInt) to either
 * format with round-to-nearest-even, optional flush-to-zero, and floor conversions to integers.
 * Pure functions, no allocation on the float fast paths.
 */

const scratch = new DataView(new ArrayBuffer(8));

export const F32_QNAN = 0x7fc00000;
export const F64_QNAN_HI = 0x7ff80000;

export function f32(bits: number): number {
    scratch.setUint32(0, bits >>> 0, true);
    return scratch.getFloat32(0, true);
}

/** Bits of a JS number rounded to binary32 (the value must already be a float, or it is rounded). NaN -> default NaN. */
export function f32bits(x: number): number {
    if (x !== x) return F32_QNAN;
    scratch.setFloat32(0, x, true);
    return scratch.getUint32(0, true);
}

export function f64(lo: number, hi: number): number {
    scratch.setUint32(0, lo >>> 0, true);
    scratch.setUint32(4, hi >>> 0, true);
    return scratch.getFloat64(0, true);
}

/** Low word of the last f64bits() call's value; call f64bits first, then f64hi(). */
let lastHi = 0;
export function f64bits(x: number): number {
    if (x !== x) {
        lastHi = F64_QNAN_HI;
        return 0;
    }
    scratch.setFloat64(0, x, true);
    lastHi = scratch.getUint32(4, true);
    return scratch.getUint32(0, true);
}
export function f64hi(): number {
    return lastHi;
}

export function isNaN32(b: number): boolean {
    return ((b >>> 0) & 0x7fffffff) > 0x7f800000;
}
export function isNaN64(lo: number, hi: number): boolean {
    const h = (hi >>> 0) & 0x7fffffff;
    return h > 0x7ff00000 || (h === 0x7ff00000 && lo >>> 0 !== 0);
}
/** Exponent field 0 with a non-zero fraction. */
export function isSub32(b: number): boolean {
    return ((b >>> 0) & 0x7f800000) === 0 && ((b >>> 0) & 0x007fffff) !== 0;
}
export function isSub64(lo: number, hi: number): boolean {
    return ((hi >>> 0) & 0x7ff00000) === 0 && (((hi >>> 0) & 0x000fffff) !== 0 || lo >>> 0 !== 0);
}

export interface FloatFormat {
    /** Precision in bits, including the implicit leading one. */
    p: number;
    bias: number;
    emin: number;
    emax: number;
    /** Total width in bits (32 or 64). */
    width: number;
}
export const BINARY32: FloatFormat = { p: 24, bias: 127, emin: -126, emax: 127, width: 32 };
export const BINARY64: FloatFormat = { p: 53, bias: 1023, emin: -1022, emax: 1023, width: 64 };

export function bitLength(v: bigint): number {
    if (v === 0n) return 0;
    let n = 0;
    while (v >= 0x100000000n) {
        v >>= 32n;
        n += 32;
    }
    return n + (32 - Math.clz32(Number(v)));
}

/** A decoded finite or special value; value = (neg ? -1 : 1) * mant * 2^exp for finite ones. */
export interface Decoded {
    neg: boolean;
    kind: 'zero' | 'finite' | 'inf' | 'nan';
    mant: bigint;
    exp: number;
}

/** Decode raw bits (as bigint) in `fmt`; with `daz`, subnormals decode as signed zero. */
export function decode(bits: bigint, fmt: FloatFormat, daz: boolean): Decoded {
    const fracBits = fmt.p - 1;
    const expBits = fmt.width - fmt.p;
    const neg = ((bits >> BigInt(fmt.width - 1)) & 1n) === 1n;
    const e = Number((bits >> BigInt(fracBits)) & ((1n << BigInt(expBits)) - 1n));
    const frac = bits & ((1n << BigInt(fracBits)) - 1n);
    const emaxField = (1 << expBits) - 1;
    if (e === emaxField) return { neg, kind: frac === 0n ? 'inf' : 'nan', mant: frac, exp: 0 };
    if (e === 0) {
        if (frac === 0n || daz) return { neg, kind: 'zero', mant: 0n, exp: 0 };
        return { neg, kind: 'finite', mant: frac, exp: fmt.emin - fracBits };
    }
    return { neg, kind: 'finite', mant: frac | (1n << BigInt(fracBits)), exp: e - fmt.bias - fracBits };
}

export function bits32(b: number): bigint {
    return BigInt(b >>> 0);
}
export function bits64(lo: number, hi: number): bigint {
    return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

function signBit(fmt: FloatFormat): bigint {
    return 1n << BigInt(fmt.width - 1);
}
export function infBits(fmt: FloatFormat, neg: boolean): bigint {
    const inf = ((1n << BigInt(fmt.width - fmt.p)) - 1n) << BigInt(fmt.p - 1);
    return neg ? inf | signBit(fmt) : inf;
}
export function zeroBits(fmt: FloatFormat, neg: boolean): bigint {
    return neg ? signBit(fmt) : 0n;
}

/**
 * Round the exact value (neg ? -1 : 1) * mant * 2^exp to `fmt`, round-to-nearest, ties to even.
 * IEEE gradual underflow, or with `ftz` the ROM's behaviour: round to p bits at unbounded exponent,
 * then a result below the smallest normal becomes a signed zero. Overflow gives a signed infinity.
 */
export function roundToFormat(neg: boolean, mant: bigint, exp: number, fmt: FloatFormat, ftz: boolean): bigint {
    if (mant === 0n) return zeroBits(fmt, neg);
    const p = fmt.p;
    const bl = bitLength(mant);
    const e = exp + bl - 1;
    if (e > fmt.emax + 1) return infBits(fmt, neg);
    let q = e - (p - 1);
    const qmin = fmt.emin - (p - 1);
    if (!ftz && q < qmin) q = qmin;
    const shift = q - exp;
    let r: bigint;
    if (shift <= 0) {
        r = mant << BigInt(-shift);
    } else if (shift > bl + 1) {
        r = 0n; // far below half a quantum
    } else {
        const s = BigInt(shift);
        r = mant >> s;
        const rem = mant & ((1n << s) - 1n);
        const half = 1n << (s - 1n);
        if (rem > half || (rem === half && (r & 1n) === 1n)) r += 1n;
    }
    if (r === 0n) return zeroBits(fmt, neg);
    let rl = bitLength(r);
    if (rl > p) {
        r >>= 1n;
        q += 1;
        rl = p;
    }
    const E = q + rl - 1;
    if (E > fmt.emax) return infBits(fmt, neg);
    let out: bigint;
    if (rl === p) {
        if (E < fmt.emin) return zeroBits(fmt, neg); // only reachable with ftz
        out = (BigInt(E + fmt.bias) << BigInt(p - 1)) | (r - (1n << BigInt(p - 1)));
    } else {
        out = r; // subnormal: exponent field 0
    }
    return neg ? out | signBit(fmt) : out;
}

/**
 * floor(value * 2^scale) clamped to [min, max], as the ROM's float->int conversions do (rounding
 * towards -Infinity, saturating). NaN converts like the infinity of its sign (the ROM has no NaNs).
 */
export function floorScaledClamp(d: Decoded, scale: number, min: bigint, max: bigint): bigint {
    if (d.kind === 'inf' || d.kind === 'nan') return d.neg ? min : max;
    if (d.kind === 'zero') return clamp(0n, min, max);
    const e = d.exp + scale;
    let v: bigint;
    if (e >= 0) {
        if (e + bitLength(d.mant) > 130) return d.neg ? min : max;
        const mag = d.mant << BigInt(e);
        v = d.neg ? -mag : mag;
    } else {
        const s = -e;
        if (s > bitLength(d.mant) + 1) {
            v = d.neg ? -1n : 0n;
        } else {
            const sb = BigInt(s);
            const q = d.mant >> sb;
            const inexact = (d.mant & ((1n << sb) - 1n)) !== 0n;
            v = d.neg ? -(q + (inexact ? 1n : 0n)) : q;
        }
    }
    return clamp(v, min, max);
}

function clamp(v: bigint, min: bigint, max: bigint): bigint {
    return v < min ? min : v > max ? max : v;
}

/** Exact a op b (finite, non-zero operands decoded) rounded to fmt; used where the fast path cannot be trusted. */
export function exactArith(op: 'add' | 'mul' | 'div', a: Decoded, b: Decoded, fmt: FloatFormat, ftz: boolean): bigint {
    if (op === 'mul') return roundToFormat(a.neg !== b.neg, a.mant * b.mant, a.exp + b.exp, fmt, ftz);
    if (op === 'div') {
        const k = Math.max(0, fmt.p + 3 + bitLength(b.mant) - bitLength(a.mant));
        const num = a.mant << BigInt(k);
        const q = num / b.mant;
        const sticky = num % b.mant !== 0n ? 1n : 0n;
        return roundToFormat(a.neg !== b.neg, (q << 1n) | sticky, a.exp - b.exp - k - 1, fmt, ftz);
    }
    const e = Math.min(a.exp, b.exp);
    const A = a.mant << BigInt(a.exp - e);
    const B = b.mant << BigInt(b.exp - e);
    const s = (a.neg ? -A : A) + (b.neg ? -B : B);
    if (s === 0n) return zeroBits(fmt, a.neg && b.neg);
    return roundToFormat(s < 0n, s < 0n ? -s : s, e, fmt, ftz);
}
