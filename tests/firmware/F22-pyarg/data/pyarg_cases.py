# F22: the functions of the test module `pyargtest` (pyargtest.c) and the calls made to each.
# Read by make_table.py (host CPython: runs the same format strings through CPython's own
# PyArg_ParseTuple / PyArg_ParseTupleAndKeywords) and by the board (pyarg.test.ts sends it with the runner).
#
# FUNCS: name -> (format without ":name", keywords or None for PyArg_ParseTuple).
# A function returns the parsed value, or a tuple of them when the format has several units;
# strings and buffers come back as str (s, z) or bytes (s#, y, y#, y*, s*).
FUNCS = {
    "f_b": ("b", None),
    "f_B": ("B", None),
    "f_h": ("h", None),
    "f_H": ("H", None),
    "f_i": ("i", None),
    "f_I": ("I", None),
    "f_l": ("l", None),
    "f_k": ("k", None),
    "f_L": ("L", None),
    "f_K": ("K", None),
    "f_n": ("n", None),
    "f_f": ("f", None),
    "f_d": ("d", None),
    "f_p": ("p", None),
    "f_s": ("s", None),
    "f_s_len": ("s#", None),
    "f_z": ("z", None),
    "f_y": ("y", None),
    "f_y_len": ("y#", None),
    "f_y_buf": ("y*", None),
    "f_s_buf": ("s*", None),
    "f_O": ("O", None),
    "f_O_int": ("O!", None),
    "f_ii": ("ii", None),
    "f_opt": ("i|iz", None),
    "f_none": ("", None),
    "f_kw": ("i|s$p", ("a", "b", "c")),
    "f_kw_opt": ("|id", ("x", "y")),
    "f_kw_only": ("O$ii", ("obj", "lo", "hi")),
}

BIG = 2**70
INTS = (0, 1, -1, 127, 128, 255, 256, -128, -129, 32767, 32768, 65535, 65536, -32768, -32769,
        2**31 - 1, 2**31, -2**31, -2**31 - 1, 2**32 - 1, 2**32, 2**63 - 1, 2**63, 2**64 - 1, 2**64, -2**63, -2**63 - 1,
        BIG, -BIG, True, False, 1.5, "7", None)

# Where the host (64-bit C long) and the RP2040 (32-bit) differ, only values with the same result
# on both: b/h/i/l/n convert through C long first, so no values between 2**31 and 2**64 for them.
SIGNED_INTS = tuple(v for v in INTS if not (isinstance(v, int) and 2**31 <= abs(v) < BIG))
ULONG_INTS = (0, 1, 2**31 - 1, 2**32 - 1, True, 1.5, "7", None)

STRINGS = ("", "abc", "h\u00e9llo", "a\x00b", b"abc", bytearray(b"xy"), None, 5)

CASES = []
for name in ("f_B", "f_H", "f_I", "f_L", "f_K"):
    CASES += [(name, (v,), {}) for v in INTS]
for name in ("f_b", "f_h", "f_i", "f_l", "f_n"):
    CASES += [(name, (v,), {}) for v in SIGNED_INTS]
CASES += [("f_k", (v,), {}) for v in ULONG_INTS]
for name in ("f_f", "f_d"):
    CASES += [(name, (v,), {}) for v in (0.5, -2.25, 3, True, 0.125, -(2**20), "1.0", None, [])]
CASES += [("f_p", (v,), {}) for v in (0, 1, -3, "", "x", None, [], [0], 0.0, b"")]
for name in ("f_s", "f_s_len", "f_z", "f_y", "f_y_len", "f_y_buf", "f_s_buf"):
    CASES += [(name, (v,), {}) for v in STRINGS]
CASES += [("f_O", (v,), {}) for v in (None, 5, "s", [1, 2])]
CASES += [("f_O_int", (v,), {}) for v in (5, True, "5", 5.0, None)]
CASES += [
    ("f_ii", (1, 2), {}), ("f_ii", (1,), {}), ("f_ii", (), {}), ("f_ii", (1, 2, 3), {}), ("f_ii", (1, "2"), {}),
    ("f_b", (), {}), ("f_b", (1, 2), {}),
    ("f_opt", (1,), {}), ("f_opt", (1, 2), {}), ("f_opt", (1, 2, "z"), {}), ("f_opt", (1, 2, None), {}),
    ("f_opt", (), {}), ("f_opt", (1, 2, "z", 4), {}), ("f_opt", (1, 2, 3), {}),
    ("f_none", (), {}), ("f_none", (1,), {}),
    ("f_kw", (1,), {}), ("f_kw", (1, "s"), {}), ("f_kw", (), {"a": 2}), ("f_kw", (1,), {"b": "t", "c": 1}),
    ("f_kw", (1, "s", True), {}), ("f_kw", (), {}), ("f_kw", (1,), {"a": 2}), ("f_kw", (1,), {"d": 2}),
    ("f_kw", (), {"b": "s"}), ("f_kw", ("x",), {}), ("f_kw", (1,), {"c": []}), ("f_kw", (1,), {"b": 3}),
    ("f_kw", (1, "s", 3, 4), {}), ("f_kw", (1,), {"c": 1, "d": 2, "e": 3}),
    ("f_kw_opt", (), {}), ("f_kw_opt", (1,), {}), ("f_kw_opt", (), {"y": 0.5}), ("f_kw_opt", (1, 2.5), {}),
    ("f_kw_opt", (1, 2, 3), {}), ("f_kw_opt", (), {"x": "no"}), ("f_kw_opt", (1,), {"x": 2}),
    ("f_kw_only", (None,), {"lo": 1, "hi": 2}), ("f_kw_only", (None,), {}), ("f_kw_only", (None, 1, 2), {}),
    ("f_kw_only", (), {"obj": 3, "lo": 1, "hi": 2}), ("f_kw_only", (None,), {"lo": 1}),
    ("f_kw_only", (None,), {"lo": 1, "hi": 2, "mid": 3}),
]
