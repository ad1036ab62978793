"""Writes expected.txt: what CPython's own PyArg_ParseTuple / PyArg_ParseTupleAndKeywords do with
the format strings and calls of pyarg_cases.py (one line per case, as the runner in pyarg.test.ts prints them).

Run with the host CPython, no extension module needed: ctypes calls the interpreter's C API (the
PY_SSIZE_T_CLEAN entry points, so `#` lengths are Py_ssize_t as in every extension since 3.10).
    python3 tests/firmware/F22-pyarg/data/make_table.py > tests/firmware/F22-pyarg/data/expected.txt
The committed table was made with CPython 3.11 on x86-64 (cases whose result depends on the width of
C long differ there, so pyarg_cases.py only uses values with the same result on a 32-bit target).
"""
import ctypes
import sys
from ctypes import (byref, c_char_p, c_double, c_float, c_int, c_long, c_longlong, c_short, c_ssize_t,
                    c_ubyte, c_uint, c_ulong, c_ulonglong, c_ushort, c_void_p, py_object)

sys.path.insert(0, __import__("os").path.dirname(__file__))
from pyarg_cases import CASES, FUNCS  # noqa: E402

api = ctypes.pythonapi
SCALARS = {"b": c_ubyte, "B": c_ubyte, "h": c_short, "H": c_ushort, "i": c_int, "I": c_uint,
           "l": c_long, "k": c_ulong, "L": c_longlong, "K": c_ulonglong, "n": c_ssize_t,
           "f": c_float, "d": c_double, "p": c_int}
PY_BUFFER_SIZE = 256  # more than sizeof(Py_buffer); buf is its first field, len its third


def units(fmt):
    """Splits a format into (unit, suffix) pairs, skipping | and $."""
    out = []
    i = 0
    while i < len(fmt):
        c = fmt[i]
        i += 1
        if c in "|$":
            continue
        suffix = ""
        if i < len(fmt) and fmt[i] in "#*!":
            suffix = fmt[i]
            i += 1
        out.append(c + suffix)
    return out


def show(v):
    """repr(), with each str as ('str', its UTF-8 bytes): MicroPython's repr escapes non-ASCII."""
    if isinstance(v, tuple):
        return "(" + ", ".join(show(x) for x in v) + ")"
    return repr(("str", v.encode())) if isinstance(v, str) else repr(v)


def call(name, args, kwargs):
    fmt, keywords = FUNCS[name]
    slots = []   # (unit, storage...)
    cargs = []
    for u in units(fmt):
        if u in SCALARS:
            v = SCALARS[u]()
            slots.append((u, v))
            cargs.append(byref(v))
        elif u in ("s", "z", "y", "O"):
            v = c_void_p()
            slots.append((u, v))
            cargs.append(byref(v))
        elif u in ("s#", "z#", "y#"):
            p, n = c_void_p(), c_ssize_t()
            slots.append((u, p, n))
            cargs += [byref(p), byref(n)]
        elif u in ("y*", "s*"):
            b = ctypes.create_string_buffer(PY_BUFFER_SIZE)
            slots.append((u, b))
            cargs.append(b)
        elif u == "O!":
            v = c_void_p()
            slots.append((u, v))
            cargs += [py_object(int), byref(v)]
        else:
            raise ValueError(u)
    full = (fmt + ":" + name).encode()
    if keywords is None:
        ok = api._PyArg_ParseTuple_SizeT(py_object(tuple(args)), c_char_p(full), *cargs)
    else:
        kwlist = (c_char_p * (len(keywords) + 1))(*[k.encode() for k in keywords], None)
        ok = api._PyArg_ParseTupleAndKeywords_SizeT(py_object(tuple(args)), py_object(dict(kwargs)), c_char_p(full), kwlist, *cargs)
    assert ok
    values = []
    for s in slots:
        u = s[0]
        if u in SCALARS:
            v = s[1].value
            values.append(bool(v) if u == "p" else v)
        elif u in ("s", "z"):
            values.append(None if s[1].value is None else ctypes.string_at(s[1].value).decode())
        elif u == "y":
            values.append(ctypes.string_at(s[1].value))
        elif u in ("s#", "z#", "y#"):
            values.append(None if s[1].value is None else ctypes.string_at(s[1].value, s[2].value))
        elif u in ("y*", "s*"):
            buf = c_void_p.from_buffer(s[1], 0).value
            n = c_ssize_t.from_buffer(s[1], 16).value
            values.append(ctypes.string_at(buf, n))
            api.PyBuffer_Release(s[1])
        else:
            values.append(ctypes.cast(s[1].value, py_object).value)
    if not values:
        return None
    return values[0] if len(values) == 1 else tuple(values)


def main():
    for i, (name, args, kwargs) in enumerate(CASES):
        try:
            r = show(call(name, args, kwargs))
        except Exception as e:
            r = "%s: %s" % (type(e).__name__, e)
        print("%d %s %s" % (i, name, r))


main()
