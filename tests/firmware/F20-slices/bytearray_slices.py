# F20: bytearray slice load, store and delete, compared with CPython (which runs this same script to
# make the expected output). Cases: every length 0..20, slices drawn by a fixed generator (every step
# from -4 to 4 and 7, bounds inside, at and past both ends), stores from every kind of source.

_seed = 1


def rnd(k):
    # the ZX81 generator: small ints only, so MicroPython and CPython draw the same numbers
    global _seed
    _seed = (_seed * 75 + 74) % 65537
    return _seed % k


class _Slicer:
    # slice objects from subscript syntax (MicroPython has no slice() constructor)
    def __getitem__(self, k):
        return k


make_slice = _Slicer()


def bound(n):
    return (None, 0, 1, n // 2, n - 1, n, n + 3, -1, -2, -n, -n - 5)[rnd(11)]


def draw_slice(n):
    return make_slice[bound(n) : bound(n) : (None, 1, 1, 2, 3, 4, -1, -1, -2, -3, -4, 7)[rnd(12)]]


def show(sl):
    return "[%s:%s:%s]" % (sl.start, sl.stop, sl.step)


def slice_len(n, sl):
    return len(range(*sl.indices(n)))


def fresh(n):
    return bytearray(65 + (i * 7) % 26 for i in range(n))


def source(kind, x, m):
    data = bytes(97 + (i * 5) % 26 for i in range(m))
    if kind == 0:
        return "bytes", data
    if kind == 1:
        return "bytearray", bytearray(data)
    if kind == 2:
        return "memoryview(bytes)", memoryview(data)
    if kind == 3:
        return "memoryview(bytearray)[1:]", memoryview(bytearray(b"#" + data))[1:]
    if kind == 4:
        return "list", list(data)
    if kind == 5:
        return "tuple", tuple(data)
    return "bytearray(self)", bytearray(x[:m])


def outcome(f):
    try:
        return f()
    except Exception as e:
        return type(e).__name__


for n in range(21):
    for _ in range(12):
        sl = draw_slice(n)
        k = slice_len(n, sl)
        x = fresh(n)
        print(n, show(sl), "load", outcome(lambda: x[sl]))

        x = fresh(n)

        def delete():
            del x[sl]
            return x

        print(n, show(sl), "del", outcome(delete))

        # a step-1 store may have any length; an extended one must match (k + 1: ValueError)
        step1 = sl.step in (None, 1)
        m = rnd(7) if step1 else (k + 1 if rnd(6) == 0 else k)
        x = fresh(n)
        what, src = source(rnd(7), x, m)

        def store():
            x[sl] = src
            return x

        print(n, show(sl), "store", what, m, outcome(store))

    # the object itself as the source, and item deletion at every index and past both ends
    x = fresh(n)
    x[n // 3:] = x
    print(n, "x[n//3:] = x", x)
    x = fresh(n)
    x[::-1] = x
    print(n, "x[::-1] = x", x)
    x = fresh(n)
    x[: n // 2] = memoryview(x)[n - n // 2:]
    print(n, "x[:n//2] = memoryview(x)[n-n//2:]", x)
    for i in range(-n - 1, n + 1):
        x = fresh(n)

        def delete_item():
            del x[i]
            return x

        print(n, "del x[%d]" % i, outcome(delete_item))

# the examples, and errors CPython raises
x = bytearray(b"0123456789")
x[2:4] = b"hello"
print(x)
del x[7:]
print(x)
del x[::2]
print(x)
for bad in (5, "text", [1, 256], [1, -1], None, 1.5):
    x = bytearray(b"abc")

    def store_bad():
        x[1:2] = bad

    print(repr(bad), outcome(store_bad), x)
x = bytearray(b"abc")


def step_zero():
    del x[::0]


print("step 0", outcome(step_zero))
