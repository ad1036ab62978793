# os.environ, os.getenv, os.putenv and os.unsetenv as CPython: mapping semantics of os.environ, what
# os.getenv sees after assignments through it, and the errors. The expected output is CPython's.
import os

A, B = "MPRT_TEST_A", "MPRT_TEST_B"
print(os.getenv(A), os.getenv(A, "dflt"), A in os.environ, os.environ.get(A), os.environ.get(A, 5))
os.environ[A] = "alpha"
os.environ[B] = ""
print(os.getenv(A), repr(os.getenv(B)), A in os.environ, B in os.environ, os.environ[A], os.environ.get(B))
os.environ[A] = "x" * 300 + " ünïcode €"
print(len(os.environ[A]), os.environ[A][-10:])
print(os.environ.pop(A), os.environ.pop(A, "none"), os.getenv(A))
print(os.environ.setdefault(A, "first"), os.environ.setdefault(A, "second"))
os.environ.update({A: "u1", B: "u2"})
print(os.getenv(A), os.getenv(B))
os.environ.update([(A, "p1")], **{B: "k2"})
print(os.getenv(A), os.getenv(B))
print(dict((k, v) for k, v in os.environ.items() if k.startswith("MPRT_TEST_")))
print(sorted(k for k in os.environ if k.startswith("MPRT_TEST_")), sorted(v for v in os.environ.values() if v in ("p1", "k2")))
print(os.environ.copy()[A], type(os.environ.copy()).__name__)
del os.environ[A]
print(os.getenv(A), A in os.environ)
for bad in (lambda: os.environ[A], lambda: os.environ.pop(A)):
    try:
        bad()
    except KeyError as e:
        print("KeyError", e.args)
try:
    del os.environ[A]
except KeyError as e:
    print("KeyError", e.args)
for bad in (lambda: os.putenv("A=B", "x"), lambda: os.putenv(A + "\0", "x"), lambda: os.putenv(A, "x\0y")):
    try:
        bad()
    except ValueError as e:
        print("ValueError", e)
def setitem(k, v):
    os.environ[k] = v


for bad in (lambda: setitem(A, 1), lambda: setitem(1, "x"), lambda: os.putenv(A, None)):
    try:
        bad()
    except TypeError:
        print("TypeError")
os.unsetenv(A)  # not set: no error
del os.environ[B]
print(os.getenv(A), os.getenv(B))
