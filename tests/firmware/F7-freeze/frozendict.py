# freeze.frozendict (F7, docs/freeze.md "frozendict"): an immutable dict, for constant tables that a
# frozen module keeps in flash. Reading works as on a dict; every mutation raises TypeError.
from freeze import frozendict

fd = frozendict({"a": 1, "b": (2, 3)}, c="x")
print(sorted(fd.items()), len(fd), fd["a"], fd.get("z", 9), "b" in fd, "q" in fd)
print(sorted(fd), sorted(fd.keys()), sorted(fd.values(), key=str))
print(isinstance(fd, dict), type(fd).__name__, fd.copy() is fd)
print(fd == {"a": 1, "b": (2, 3), "c": "x"}, fd == frozendict(c="x", a=1, b=(2, 3)), fd == {"a": 1})
print(repr(frozendict(one=1)), frozendict(), len(frozendict([("k", "v")])))
# dict() copies a dict-like object from its items (as for every mapping that is not a dict in MicroPython)
print(dict(fd.items()) == {"a": 1, "b": (2, 3), "c": "x"})

for name, mutate in (
    ("item assignment", lambda: fd.__setitem__("a", 2)),
    ("item deletion", lambda: fd.__delitem__("a")),
    ("update", lambda: fd.update(z=1)),
    ("pop", lambda: fd.pop("a")),
    ("popitem", lambda: fd.popitem()),
    ("clear", lambda: fd.clear()),
    ("setdefault", lambda: fd.setdefault("q", 1)),
):
    try:
        mutate()
        print(name, "changed it")
    except TypeError:
        print(name, "TypeError")
try:
    fd["a"] = 5
except TypeError:
    print("subscript store TypeError")
try:
    del fd["b"]
except TypeError:
    print("subscript delete TypeError")
g = fd
try:
    g |= {"q": 1}
except TypeError:
    print("|= TypeError")
print(sorted(fd.items()))

# | makes a new frozendict; hashable, whatever the order of its items
h = fd | {"q": 1, "a": 0}
print(type(h).__name__, sorted(h.items()))
print(hash(fd) == hash(frozendict(c="x", b=(2, 3), a=1)))
print({fd: "as a key"}[frozendict(a=1, b=(2, 3), c="x")])
