# A small unittest for the board, written for mprt's test runner (`mprt test` copies it to
# /lib/unittest.py before a test that imports unittest). It covers what MicroPython's own tests
# use: TestCase with the common assertions, setUp/tearDown (and the class variants), skips, and
# main(), whose closing lines follow the format run-tests.py recognises:
#   ----------------------------------------------------------------------
#   Ran N tests
#   <blank>
#   OK | OK (skipped=N) | FAILED (failures=N, errors=N)

import sys


class SkipTest(Exception):
    pass


class _Raises:
    def __init__(self, case, expected):
        self.case = case
        self.expected = expected
        self.exception = None

    def __enter__(self):
        return self

    def __exit__(self, typ, value, tb):
        if typ is None:
            self.case.fail("%r not raised" % (self.expected,))
        if not issubclass(typ, self.expected):
            return False
        self.exception = value
        return True


class TestCase:
    def __init__(self, name="runTest"):
        self._name = name

    def setUp(self):
        pass

    def tearDown(self):
        pass

    @classmethod
    def setUpClass(cls):
        pass

    @classmethod
    def tearDownClass(cls):
        pass

    def fail(self, msg=None):
        raise AssertionError(msg if msg is not None else "failed")

    def skipTest(self, reason):
        raise SkipTest(reason)

    def _check(self, ok, default, msg):
        if not ok:
            self.fail(default if msg is None else msg)

    def assertEqual(self, a, b, msg=None):
        self._check(a == b, "%r != %r" % (a, b), msg)

    def assertNotEqual(self, a, b, msg=None):
        self._check(a != b, "%r == %r" % (a, b), msg)

    def assertTrue(self, x, msg=None):
        self._check(bool(x), "%r is not true" % (x,), msg)

    def assertFalse(self, x, msg=None):
        self._check(not x, "%r is not false" % (x,), msg)

    def assertIs(self, a, b, msg=None):
        self._check(a is b, "%r is not %r" % (a, b), msg)

    def assertIsNot(self, a, b, msg=None):
        self._check(a is not b, "%r is %r" % (a, b), msg)

    def assertIsNone(self, x, msg=None):
        self._check(x is None, "%r is not None" % (x,), msg)

    def assertIsNotNone(self, x, msg=None):
        self._check(x is not None, "unexpectedly None", msg)

    def assertIn(self, a, b, msg=None):
        self._check(a in b, "%r not found in %r" % (a, b), msg)

    def assertNotIn(self, a, b, msg=None):
        self._check(a not in b, "%r unexpectedly found in %r" % (a, b), msg)

    def assertIsInstance(self, x, cls, msg=None):
        self._check(isinstance(x, cls), "%r is not an instance of %r" % (x, cls), msg)

    def assertNotIsInstance(self, x, cls, msg=None):
        self._check(not isinstance(x, cls), "%r is an instance of %r" % (x, cls), msg)

    def assertLess(self, a, b, msg=None):
        self._check(a < b, "%r not less than %r" % (a, b), msg)

    def assertLessEqual(self, a, b, msg=None):
        self._check(a <= b, "%r not less than or equal to %r" % (a, b), msg)

    def assertGreater(self, a, b, msg=None):
        self._check(a > b, "%r not greater than %r" % (a, b), msg)

    def assertGreaterEqual(self, a, b, msg=None):
        self._check(a >= b, "%r not greater than or equal to %r" % (a, b), msg)

    def assertAlmostEqual(self, a, b, places=7, msg=None, delta=None):
        if delta is not None:
            ok = abs(a - b) <= delta
        else:
            ok = round(abs(a - b), places) == 0
        self._check(ok, "%r != %r within tolerance" % (a, b), msg)

    def assertRaises(self, expected, func=None, *args, **kwargs):
        ctx = _Raises(self, expected)
        if func is None:
            return ctx
        with ctx:
            func(*args, **kwargs)


def skip(reason):
    def wrap(f):
        def skipped(*args, **kwargs):
            raise SkipTest(reason)

        return skipped

    return wrap


def skipIf(cond, reason):
    return skip(reason) if cond else (lambda f: f)


def skipUnless(cond, reason):
    return skip(reason) if not cond else (lambda f: f)


class TestResult:
    def __init__(self):
        self.testsRun = 0
        self.failures = 0
        self.errors = 0
        self.skipped = 0

    def wasSuccessful(self):
        return self.failures == 0 and self.errors == 0


def _print_exc(e):
    if hasattr(sys, "print_exception"):
        sys.print_exception(e)
    else:
        print("%s: %s" % (type(e).__name__, e))


def _run_method(case, name, result):
    print("%s (%s) ..." % (name, type(case).__name__), end="")
    try:
        case.setUp()
        try:
            getattr(case, name)()
        finally:
            case.tearDown()
        print(" ok")
    except SkipTest as e:
        result.skipped += 1
        print(" skipped:", e.args[0] if e.args else "")
    except AssertionError as e:
        result.failures += 1
        print(" FAIL")
        _print_exc(e)
    except Exception as e:
        result.errors += 1
        print(" ERROR")
        _print_exc(e)
    result.testsRun += 1


def run_class(cls, result):
    names = sorted(n for n in dir(cls) if n.startswith("test"))
    try:
        cls.setUpClass()
    except Exception as e:
        result.errors += 1
        print("setUpClass (%s) ... ERROR" % cls.__name__)
        _print_exc(e)
        return
    try:
        for name in names:
            _run_method(cls(name), name, result)
    finally:
        cls.tearDownClass()


def main(module="__main__"):
    if isinstance(module, str):
        module = __import__(module)
    result = TestResult()
    for name in sorted(dir(module)):
        obj = getattr(module, name)
        if isinstance(obj, type) and issubclass(obj, TestCase) and obj is not TestCase:
            run_class(obj, result)
    print("-" * 70)
    print("Ran %d tests" % result.testsRun)
    print()
    if result.wasSuccessful():
        print("OK" if not result.skipped else "OK (skipped=%d)" % result.skipped)
    else:
        print("FAILED (failures=%d, errors=%d)" % (result.failures, result.errors))
    return result
