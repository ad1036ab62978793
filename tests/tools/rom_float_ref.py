#!/usr/bin/env python3
"""Reference vectors for the host-serviced RP2040 ROM float/double tables (cli/emulator/rom-float.ts).

Usage: rom_float_ref.py MODE COUNT SEED > vectors.json   (MODE: ieee | ftz)

Exact operations (+ - * / sqrt, conversions) are computed with exact rationals (fractions.Fraction,
math.isqrt) and rounded to nearest-even by our own routine; ftz mode models the ROM (subnormal
inputs read as signed zero, results below the smallest normal flushed to signed zero after rounding
at full precision). Infinities and NaNs follow the chip in both modes: the ROM reads a NaN operand as
the infinity of its sign, gives +inf for a sum or difference of infinities and a signed infinity for
0 * inf, 0 / 0 and inf / inf, so it never returns a NaN (the fast compares alone order NaNs beyond the
infinities). Transcendentals come from CPython's math module (the platform libm) and are
checked to 1 ulp. Output: {"mode", "functions": {name: {"out": [...], "cases": [[args, expect, check]...]}}}
check: "x" bit-exact, "u" within 1 ulp, "n" any NaN, "c" compare (out cmpr0: r0 = -1/0/1; cmpflags: the
N/Z/C/V conditions; cmp: both).
"""
import json
import math
import random
import struct
import sys
from fractions import Fraction

F32 = dict(p=24, bias=127, emin=-126, emax=127, width=32)
F64 = dict(p=53, bias=1023, emin=-1022, emax=1023, width=64)
MODE = sys.argv[1]
COUNT = int(sys.argv[2])
SEED = int(sys.argv[3])
FTZ = MODE == 'ftz'
rng = random.Random(SEED)


# ---------------------------------------------------------------- decoding / encoding

def split(bits, fmt):
    w, p = fmt['width'], fmt['p']
    sign = bits >> (w - 1)
    e = (bits >> (p - 1)) & ((1 << (w - p)) - 1)
    f = bits & ((1 << (p - 1)) - 1)
    return sign, e, f


def is_nan(bits, fmt):
    s, e, f = split(bits, fmt)
    return e == (1 << (fmt['width'] - fmt['p'])) - 1 and f != 0


def value(bits, fmt, daz):
    """('nan'|'inf'|'num', sign, Fraction magnitude)"""
    s, e, f = split(bits, fmt)
    p = fmt['p']
    if e == (1 << (fmt['width'] - p)) - 1:
        return ('nan' if f else 'inf', s, None)
    if e == 0:
        if daz or f == 0:
            return ('num', s, Fraction(0))
        return ('num', s, Fraction(f) * Fraction(2) ** (fmt['emin'] - (p - 1)))
    return ('num', s, Fraction(f + (1 << (p - 1))) * Fraction(2) ** (e - fmt['bias'] - (p - 1)))


def inf_bits(fmt, s):
    w, p = fmt['width'], fmt['p']
    return (s << (w - 1)) | (((1 << (w - p)) - 1) << (p - 1))


def nan_as_inf(bits, fmt):
    """the ROM reads a NaN as the infinity of its sign"""
    return inf_bits(fmt, bits >> (fmt['width'] - 1)) if is_nan(bits, fmt) else bits


def zero_bits(fmt, s):
    return s << (fmt['width'] - 1)


def qnan(fmt):
    return inf_bits(fmt, 0) | (1 << (fmt['p'] - 2))


def round_frac(sign, a, fmt, ftz):
    """Round sign * a (a >= 0 Fraction) to fmt bits, nearest-even (integer arithmetic only)."""
    p = fmt['p']
    num, den = a.numerator, a.denominator
    if num == 0:
        return zero_bits(fmt, sign)
    e = num.bit_length() - den.bit_length()  # floor(log2(a)) is e or e - 1
    if (num << -e if e < 0 else num) < (den << e if e > 0 else den):
        e -= 1
    if e > fmt['emax'] + 2:
        return inf_bits(fmt, sign)
    q = e - (p - 1)
    if not ftz:
        q = max(q, fmt['emin'] - (p - 1))
    if q <= 0:
        n, rem = divmod(num << -q, den)
    else:
        den <<= q
        n, rem = divmod(num, den)
    if 2 * rem > den or (2 * rem == den and n % 2 == 1):
        n += 1
    if n == 0:
        return zero_bits(fmt, sign)
    if n.bit_length() > p:
        n >>= 1
        q += 1
    E = q + n.bit_length() - 1
    if E > fmt['emax']:
        return inf_bits(fmt, sign)
    if n.bit_length() == p:
        if E < fmt['emin']:
            return zero_bits(fmt, sign)
        body = ((E + fmt['bias']) << (p - 1)) | (n - (1 << (p - 1)))
    else:
        body = n
    return (sign << (fmt['width'] - 1)) | body


def round_signed(v, fmt, ftz, zero_sign=0):
    if v == 0:
        return zero_bits(fmt, zero_sign)
    return round_frac(1 if v < 0 else 0, abs(v), fmt, ftz)


def words(bits, n):
    return [(bits >> (32 * i)) & 0xffffffff for i in range(n)]


# ---------------------------------------------------------------- the model

def arith(op, ab, bb, fmt):
    ab, bb = nan_as_inf(ab, fmt), nan_as_inf(bb, fmt)
    ka, sa, a = value(ab, fmt, FTZ)
    kb, sb, b = value(bb, fmt, FTZ)
    if op == 'sub':
        sb ^= 1
        op = 'add'
    if op == 'add':
        if ka == 'inf' and kb == 'inf':
            return inf_bits(fmt, sa if sa == sb else 0), 'x'
        if ka == 'inf':
            return inf_bits(fmt, sa), 'x'
        if kb == 'inf':
            return inf_bits(fmt, sb), 'x'
        v = (-a if sa else a) + (-b if sb else b)
        if v == 0:
            return zero_bits(fmt, 1 if (sa and sb) else 0), 'x'
        return round_signed(v, fmt, FTZ), 'x'
    s = sa ^ sb
    if op == 'mul':
        if ka == 'inf' or kb == 'inf':
            return inf_bits(fmt, s), 'x'
        return round_frac(s, a * b, fmt, FTZ), 'x'
    # div
    if ka == 'inf':
        return inf_bits(fmt, s), 'x'
    if kb == 'inf':
        return zero_bits(fmt, s), 'x'
    if b == 0:
        return inf_bits(fmt, s), 'x'
    return round_frac(s, a / b, fmt, FTZ), 'x'


def sqrt_model(ab, fmt):
    ab = nan_as_inf(ab, fmt)
    s, e, f = split(ab, fmt)
    if s:
        return (ab, 'x') if (e == 0 and f == 0) else (inf_bits(fmt, 1), 'x')
    k, _, a = value(ab, fmt, FTZ)
    if k == 'inf':
        return ab, 'x'
    if a == 0:
        return zero_bits(fmt, 0), 'x'
    # sqrt(a) = sqrt(N/D); scale by 4^k so the integer root has plenty of bits
    kk = fmt['p'] + 4 + max(0, (a.denominator.bit_length() - a.numerator.bit_length()) // 2 + 2)
    num = a.numerator * (4 ** kk)
    t = num // a.denominator
    r = math.isqrt(t)
    exact = r * r * a.denominator == num
    approx = Fraction(r) if exact else Fraction(2 * r + 1, 2)
    return round_frac(0, approx / Fraction(2) ** kk, fmt, FTZ), 'x'


def floor_conv(bits, fmt, scale, lo, hi):
    k, s, a = value(bits, fmt, FTZ)
    if k != 'num':
        return lo if s else hi
    scale = max(-3000, min(3000, scale))  # beyond this the result is saturated / 0 / -1 anyway
    v = a * Fraction(2) ** scale
    v = -v if s else v
    n = math.floor(v)
    return min(max(n, lo), hi)


def to_float_bits(x, fmt):
    """bits of a Python float (a double) rounded (once) to fmt, applying ftz"""
    if math.isnan(x):
        return qnan(fmt)
    if math.isinf(x):
        return inf_bits(fmt, 1 if x < 0 else 0)
    s = 1 if math.copysign(1.0, x) < 0 else 0
    return round_frac(s, abs(Fraction(x)), fmt, FTZ)


def f32_of(bits):
    return struct.unpack('<f', struct.pack('<I', bits))[0]


def f64_of(bits):
    return struct.unpack('<d', struct.pack('<Q', bits))[0]


def daz_float(bits, fmt):
    k, s, a = value(bits, fmt, FTZ)
    if k == 'inf':
        return -math.inf if s else math.inf
    v = float(a)
    return -v if s else v


def libm(fn, x):
    try:
        return fn(x)
    except (ValueError, OverflowError):
        return None


def unary_model(name, bits, fmt):
    bits = nan_as_inf(bits, fmt)
    x = daz_float(bits, fmt)
    if name == 'ln':
        if x < 0 or x == 0:
            return inf_bits(fmt, 1), 'x'
        if math.isinf(x):
            return bits, 'x'
        return to_float_bits(math.log(x), fmt), 'u'
    if name == 'exp':
        if math.isinf(x):
            return (zero_bits(fmt, 0) if x < 0 else bits), 'x'
        y = libm(math.exp, x)
        if y is None:
            return inf_bits(fmt, 0), 'x'
        return to_float_bits(y, fmt), 'u'
    fn = {'sin': math.sin, 'cos': math.cos, 'tan': math.tan}[name]
    if math.isinf(x):
        return qnan(fmt), 'n'
    return to_float_bits(fn(x), fmt), 'u'


def atan2_model(yb, xb, fmt):
    yb, xb = nan_as_inf(yb, fmt), nan_as_inf(xb, fmt)
    return to_float_bits(math.atan2(daz_float(yb, fmt), daz_float(xb, fmt)), fmt), 'u'


def cmp_model(ab, bb, fmt, flush):
    """the ROM's order: -0 == +0; the fast compares order a NaN beyond infinity; flush (fcmp/dcmp):
    subnormals equal zero and a NaN is the infinity of its sign"""
    def order(bits):
        if flush:
            bits = nan_as_inf(bits, fmt)
        s, e, f = split(bits, fmt)
        if flush and e == 0:
            return 0
        mag = bits & ((1 << (fmt['width'] - 1)) - 1)
        return -mag if s else mag
    a, b = order(ab), order(bb)
    return 0 if a == b else (-1 if a < b else 1)


# ---------------------------------------------------------------- inputs

def rand_bits(fmt):
    w, p = fmt['width'], fmt['p']
    r = rng.random()
    if r < 0.35:
        return rng.getrandbits(w)
    s = rng.getrandbits(1)
    emax_field = (1 << (w - p)) - 1
    if r < 0.55:
        e = rng.choice([0, 1, 2, emax_field - 1, emax_field - 2, emax_field, fmt['bias'], fmt['bias'] - 1])
    elif r < 0.75:
        e = fmt['bias'] + rng.randint(-30, 30)
    else:
        e = rng.randint(0, emax_field)
    kind = rng.random()
    if kind < 0.3:
        f = rng.getrandbits(p - 1)
    elif kind < 0.5:
        f = rng.choice([0, 1, (1 << (p - 1)) - 1, 1 << (p - 2), (1 << (p - 2)) + 1])
    else:
        # few significant bits: products and sums land exactly on rounding ties
        f = (rng.getrandbits(8) << rng.randint(0, p - 9)) & ((1 << (p - 1)) - 1)
    return (s << (w - 1)) | (e << (p - 1)) | f


def edge_bits(fmt):
    w, p = fmt['width'], fmt['p']
    out = []
    for s in (0, 1):
        sb = s << (w - 1)
        for body in (0, 1, 2, (1 << (p - 1)) - 1, 1 << (p - 1), (1 << (p - 1)) + 1,
                     inf_bits(fmt, 0) - 1, inf_bits(fmt, 0), inf_bits(fmt, 0) + 1,
                     qnan(fmt), qnan(fmt) | 0x1234, fmt['bias'] << (p - 1), (fmt['bias'] + 1) << (p - 1),
                     ((fmt['bias'] - 1) << (p - 1)) | ((1 << (p - 1)) - 1)):
            out.append(sb | body)
    return out


def tie_pair(fmt):
    """a and b = +-(k/2) ulp(a): exact halfway sums"""
    a = rand_bits(fmt)
    s, e, f = split(a, fmt)
    if e == 0 or e >= (1 << (fmt['width'] - fmt['p'])) - 3:
        return a, rand_bits(fmt)
    p = fmt['p']
    be = e - p + rng.choice([0, 1, 2])   # b's exponent field so that b ~ ulp(a)/2 .. ulp(a)*2
    if be <= 0:
        return a, rand_bits(fmt)
    bs = rng.getrandbits(1)
    bf = rng.choice([0, 1 << (p - 2), (1 << (p - 1)) - 1, 0])
    return a, (bs << (fmt['width'] - 1)) | (be << (p - 1)) | bf


def pairs(fmt, n):
    edges = edge_bits(fmt)
    out = [(a, b) for a in edges[::3] for b in edges[::2]]
    while len(out) < n:
        r = rng.random()
        if r < 0.25:
            out.append(tie_pair(fmt))
        elif r < 0.4:
            a = rand_bits(fmt)
            out.append((a, a ^ rng.getrandbits(4) ^ (rng.getrandbits(1) << (fmt['width'] - 1))))  # cancellation
        else:
            out.append((rand_bits(fmt), rand_bits(fmt)))
    return out


def singles(fmt, n):
    out = edge_bits(fmt)
    while len(out) < n:
        out.append(rand_bits(fmt))
    return out


def real_args(fmt, n, lo, hi, positive=False):
    out = edge_bits(fmt)
    while len(out) < n:
        if rng.random() < 0.5:
            out.append(rand_bits(fmt))
        else:
            x = rng.uniform(lo, hi)
            if positive:
                x = abs(x) * 10 ** rng.uniform(-30, 30)
            out.append(to_float_bits(x, fmt))
    return out


def rand_int(bits, signed):
    r = rng.random()
    if r < 0.3:
        v = rng.getrandbits(bits)
    elif r < 0.6:
        # ties when converted: (2^k + 1) * 2^j and neighbours
        k = rng.randint(20, bits - 2)
        v = ((1 << k) + rng.choice([1, 3, 5, 0, (1 << max(0, k - 23)) | 1])) << rng.randint(0, max(0, bits - k - 2))
        v += rng.choice([0, 0, 1, -1])
    else:
        v = rng.getrandbits(rng.randint(1, bits))
    v &= (1 << bits) - 1
    if signed and rng.random() < 0.5:
        v = (-v) & ((1 << bits) - 1)
    return v


INT_EDGES32 = [0, 1, 0xffffffff, 0x7fffffff, 0x80000000, 0x80000001, 0x01000001, 0x00ffffff, 0x01000003]
INT_EDGES64 = [0, 1, (1 << 64) - 1, (1 << 63) - 1, 1 << 63, (1 << 63) + 1, (1 << 53) + 1, (1 << 24) + 1,
               0x1234567800000000]


def shift_amounts():
    return rng.choice([0, 1, 16, 31, 32, 63, 64, -1, -3, -16, -31, -33, rng.randint(-200, 200),
                       rng.randint(-2000, 2000), rng.getrandbits(32)])


def s32(v):
    v &= 0xffffffff
    return v - (1 << 32) if v >> 31 else v


def s64(v):
    v &= (1 << 64) - 1
    return v - (1 << 64) if v >> 63 else v


# ---------------------------------------------------------------- building the vectors

functions = {}


def add(name, out, cases):
    functions[name] = {'out': out, 'cases': cases}


def table(prefix, fmt, nw):
    """prefix 'f' (SF, float words nw=1) or 'd' (SD, nw=2)"""
    mask = (1 << fmt['width']) - 1
    oname = 'f32' if nw == 1 else 'f64'
    n = COUNT
    for op in ('add', 'sub', 'mul', 'div'):
        cases = []
        for a, b in pairs(fmt, n):
            r, chk = arith(op, a, b, fmt)
            cases.append([words(a, nw) + words(b, nw), words(r, nw), chk])
        add(prefix + op, oname, cases)
    cases = []
    for a in singles(fmt, n):
        r, chk = sqrt_model(a, fmt)
        cases.append([words(a, nw), words(r, nw), chk])
    add(prefix + 'sqrt', oname, cases)
    for cname, flush in (('cmp_fast', False), ('cmp', True)):
        cases = []
        for a, b in pairs(fmt, n // 2) + [(x, x) for x in singles(fmt, 64)] + \
                [(x, x ^ 1) for x in singles(fmt, 64)] + [(0, 1 << (fmt['width'] - 1))]:
            cases.append([words(a, nw) + words(b, nw), [cmp_model(a, b, fmt, flush) & 0xffffffff], 'c'])
        add(prefix + cname, 'cmp' if flush else 'cmpr0', cases)
        if not flush:
            add(prefix + 'cmp_fast_flags', 'cmpflags', [[c[0], c[1], 'c'] for c in cases])
    tname = 'float' if nw == 1 else 'double'
    # float -> int conversions (floor, saturate)
    for cname, lo, hi, ow, fix in (('int', -(1 << 31), (1 << 31) - 1, 1, False),
                                   ('fix', -(1 << 31), (1 << 31) - 1, 1, True),
                                   ('uint', 0, (1 << 32) - 1, 1, False),
                                   ('ufix', 0, (1 << 32) - 1, 1, True),
                                   ('int64', -(1 << 63), (1 << 63) - 1, 2, False),
                                   ('fix64', -(1 << 63), (1 << 63) - 1, 2, True),
                                   ('uint64', 0, (1 << 64) - 1, 2, False),
                                   ('ufix64', 0, (1 << 64) - 1, 2, True)):
        cases = []
        for a in singles(fmt, n) + real_args(fmt, n // 4, -3e9, 3e9):
            sh = shift_amounts() if fix else 0
            v = floor_conv(a, fmt, s32(sh), lo, hi)
            args = words(a, nw) + ([sh & 0xffffffff] if fix else [])
            cases.append([args, words(v & ((1 << 64) - 1), ow), 'x'])
        add(tname + '2' + cname, 'i32' if ow == 1 else 'i64', cases)
    # int -> float conversions (nearest even)
    for cname, bits, signed, fix in (('int', 32, True, False), ('fix', 32, True, True),
                                     ('uint', 32, False, False), ('ufix', 32, False, True),
                                     ('int64', 64, True, False), ('fix64', 64, True, True),
                                     ('uint64', 64, False, False), ('ufix64', 64, False, True)):
        cases = []
        edges = INT_EDGES32 if bits == 32 else INT_EDGES64
        for i in range(n):
            v = edges[i] if i < len(edges) else rand_int(bits, signed)
            sh = shift_amounts() if fix else 0
            iv = (s32(v) if bits == 32 else s64(v)) if signed else v
            r = round_signed(Fraction(iv) / Fraction(2) ** max(-3000, min(3000, s32(sh))), fmt, FTZ)
            args = words(v, bits // 32) + ([sh & 0xffffffff] if fix else [])
            cases.append([args, words(r, nw), 'x'])
        add(cname + '2' + tname, oname, cases)
    # transcendentals
    for fname, lo, hi, pos in (('sin', -20, 20, False), ('cos', -20, 20, False), ('tan', -20, 20, False),
                               ('exp', -110 if nw == 1 else -760, 100 if nw == 1 else 720, False),
                               ('ln', 0, 10, True)):
        cases = []
        for a in real_args(fmt, n, lo, hi, pos):
            r, chk = unary_model(fname, a, fmt)
            cases.append([words(a, nw), words(r, nw), chk])
        add(prefix + fname, oname, cases)
    cases = []
    for a in real_args(fmt, n, -20, 20):
        rs, cs = unary_model('sin', a, fmt)
        rc, cc = unary_model('cos', a, fmt)
        chk = 'n' if 'n' in (cs, cc) else ('u' if 'u' in (cs, cc) else 'x')
        cases.append([words(a, nw), words(rs, nw) + words(rc, nw), chk])
    add(prefix + 'sincos', oname + 'x2', cases)
    cases = []
    ra = real_args(fmt, n, -5, 5)
    for a, b in list(zip(ra, reversed(ra))) + pairs(fmt, n // 4):
        r, chk = atan2_model(a, b, fmt)
        cases.append([words(a, nw) + words(b, nw), words(r, nw), chk])
    add(prefix + 'atan2', oname, cases)


table('f', F32, 1)
table('d', F64, 2)

# float <-> double
cases = []
for a in singles(F32, COUNT):
    k, s, v = value(nan_as_inf(a, F32), F32, FTZ)
    r = inf_bits(F64, s) if k == 'inf' else (zero_bits(F64, s) if v == 0 else round_frac(s, v, F64, FTZ))
    cases.append([[a], words(r, 2), 'x'])
add('float2double', 'f64', cases)
cases = []
for a in singles(F64, COUNT) + [to_float_bits(rng.uniform(-1, 1) * 2.0 ** rng.randint(-160, 140), F64)
                                for _ in range(COUNT // 2)]:
    k, s, v = value(nan_as_inf(a, F64), F64, FTZ)
    r = inf_bits(F32, s) if k == 'inf' else (zero_bits(F32, s) if v == 0 else round_frac(s, v, F32, FTZ))
    cases.append([words(a, 2), [r], 'x'])
add('double2float', 'f32', cases)

sys.stdout.write(json.dumps({'mode': MODE, 'functions': functions}, separators=(',', ':')))
