# F20: slice stores through a memoryview (its length cannot change: ValueError, as CPython) and with
# a step; compared with CPython, which runs this same script to make the expected output.
try:
    from array import array
except ImportError:
    print("SKIP")
    raise SystemExit


def outcome(f):
    try:
        f()
        return "ok"
    except Exception as e:
        return type(e).__name__


class _Slicer:
    # slice objects from subscript syntax (MicroPython has no slice() constructor)
    def __getitem__(self, k):
        return k


S = _Slicer()
cases = (
    (S[1:3], b"xy"),
    (S[1:3], b"xyz"),
    (S[1:3], b"x"),
    (S[::2], b"abcd"),
    (S[::2], b"abc"),
    (S[::-1], b"hgfedcba"),
    (S[1::3], bytearray(b"XY")),
    (S[6:0:-2], memoryview(b"123")),
    (S[6:0:-2], memoryview(b"1234")),
)
for sl, src in cases:
    b = bytearray(b"01234567")
    m = memoryview(b)

    def store():
        m[sl] = src

    print(sl.start, sl.stop, sl.step, bytes(src), outcome(store), b)

# a memoryview of the target itself, same length
b = bytearray(b"01234567")
m = memoryview(b)
m[::2] = m[3:7]
print(b)

# arrays through a memoryview: same item size only
a = array("h", [1, 2, 3, 4, 5, 6])
m = memoryview(a)
m[::2] = array("h", [-1, -2, -3])
print(a)


def wrong_size():
    m[::2] = array("h", [7, 8])


print(outcome(wrong_size), a)


def delete():
    del m[1]


print("del", outcome(delete))
