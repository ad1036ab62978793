# F20: array.array slice load, store and delete for every typecode of CPython's array module,
# compared with CPython (which runs this same script to make the expected output). Lengths 0..20,
# slices drawn by a fixed generator, stores from an array of the same typecode or the array itself.
try:
    from array import array
except ImportError:
    print("SKIP")
    raise SystemExit

_seed = 7


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
    return make_slice[bound(n) : bound(n) : (None, 1, 1, 2, 3, -1, -2, 5)[rnd(8)]]


def show(sl):
    return "[%s:%s:%s]" % (sl.start, sl.stop, sl.step)


def fresh(tc, n):
    return array(tc, [(i * 7) % 26 for i in range(n)])


def outcome(f):
    try:
        return f()
    except Exception as e:
        return type(e).__name__


def compact(x):
    # an array as its values, shorter than repr() (the same text on both)
    if not isinstance(x, array):
        return x
    return "a:" + ",".join(str(v) for v in x)


for tc in "bBhHiIlLqQfd":
    for n in range(21):
        for _ in range(2):
            sl = draw_slice(n)
            k = len(range(*sl.indices(n)))
            x = fresh(tc, n)
            print(tc, n, show(sl), "load", compact(outcome(lambda: x[sl])))

            x = fresh(tc, n)

            def delete():
                del x[sl]
                return x

            print(tc, n, show(sl), "del", compact(outcome(delete)))

            step1 = sl.step in (None, 1)
            m = rnd(6) if step1 else (k + 1 if rnd(5) == 0 else k)
            x = fresh(tc, n)
            src = array(tc, [50 + i for i in range(m)]) if rnd(5) else [50 + i for i in range(m)]

            def store():
                x[sl] = src
                return x

            print(tc, n, show(sl), "store", type(src).__name__, m, compact(outcome(store)))

        i = rnd(2 * n + 3) - n - 1
        x = fresh(tc, n)

        def delete_item():
            del x[i]
            return x

        print(tc, n, "del x[%d]" % i, compact(outcome(delete_item)))
    x = fresh(tc, 9)
    x[3:] = x
    print(tc, "x[3:] = x", compact(x))
    x[::-1] = x
    print(tc, "x[::-1] = x", compact(x))
    del x[::3]
    print(tc, "del x[::3]", compact(x))
