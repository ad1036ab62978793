# MicroPythonRT (rtos.kernel=builtin): the threading module over _thread, whose threads are kernel
# tasks. Untimed waits block in the kernel; timed waits poll the lock once per millisecond while the
# thread sleeps (time.sleep_ms blocks only the calling thread).

import _thread
import sys
from time import sleep_ms, ticks_diff, ticks_ms

_alloc = _thread.allocate_lock
get_ident = _thread.get_ident
stack_size = _thread.stack_size
TIMEOUT_MAX = 2147483


def _acquire(lock, blocking=True, timeout=-1):
    if not blocking:
        if timeout != -1:
            raise ValueError("can't specify a timeout for a non-blocking call")
        return lock.acquire(0)
    if timeout is None or timeout < 0:
        return lock.acquire(1)
    if lock.acquire(0):
        return True
    limit = int(timeout * 1000)
    t0 = ticks_ms()
    while ticks_diff(ticks_ms(), t0) < limit:
        sleep_ms(1)
        if lock.acquire(0):
            return True
    return False


class _Acquirable:
    # "with" support for everything that has acquire() and release()
    def __enter__(self):
        self.acquire()
        return self

    def __exit__(self, *args):
        self.release()


class _KernelLock(_Acquirable):
    def locked(self):
        return self._l.locked()


class Lock(_KernelLock):
    def __init__(self):
        self._l = _alloc()

    def acquire(self, blocking=True, timeout=-1):
        return _acquire(self._l, blocking, timeout)

    def release(self):
        self._l.release()


    def _release_save(self):
        self._l.release()

    def _acquire_restore(self, state):
        self._l.acquire(1)

    def _is_owned(self):
        return self._l.locked()


class RLock(_KernelLock):
    def __init__(self):
        self._l = _alloc()
        self._owner = None
        self._count = 0

    def acquire(self, blocking=True, timeout=-1):
        me = get_ident()
        if self._owner == me:
            self._count += 1
            return True
        if not _acquire(self._l, blocking, timeout):
            return False
        self._owner = me
        self._count = 1
        return True

    def release(self):
        if self._owner != get_ident():
            raise RuntimeError("cannot release un-acquired lock")
        self._count -= 1
        if self._count == 0:
            self._owner = None
            self._l.release()


    def _release_save(self):
        state = self._count
        self._count = 0
        self._owner = None
        self._l.release()
        return state

    def _acquire_restore(self, state):
        self._l.acquire(1)
        self._owner = get_ident()
        self._count = state

    def _is_owned(self):
        return self._owner == get_ident()


class Condition(_Acquirable):
    def __init__(self, lock=None):
        self._lock = RLock() if lock is None else lock
        self.acquire = self._lock.acquire
        self.release = self._lock.release
        self._waiters = []

    def wait(self, timeout=None):
        if not self._lock._is_owned():
            raise RuntimeError("cannot wait on un-acquired lock")
        w = _alloc()
        w.acquire()
        self._waiters.append(w)
        state = self._lock._release_save()
        got = False
        try:
            got = _acquire(w, True, -1 if timeout is None else timeout)
            return got
        finally:
            self._lock._acquire_restore(state)
            if not got:
                try:
                    self._waiters.remove(w)
                except ValueError:
                    pass

    def wait_for(self, predicate, timeout=None):
        result = predicate()
        if timeout is not None:
            t0 = ticks_ms()
        while not result:
            if timeout is not None:
                left = timeout - ticks_diff(ticks_ms(), t0) / 1000
                if left <= 0:
                    break
                self.wait(left)
            else:
                self.wait()
            result = predicate()
        return result

    def notify(self, n=1):
        if not self._lock._is_owned():
            raise RuntimeError("cannot notify on un-acquired lock")
        while n > 0 and self._waiters:
            self._waiters.pop(0).release()
            n -= 1

    def notify_all(self):
        self.notify(len(self._waiters))


class Semaphore(_Acquirable):
    def __init__(self, value=1):
        if value < 0:
            raise ValueError("semaphore initial value must be >= 0")
        self._cond = Condition(Lock())
        self._value = value

    def acquire(self, blocking=True, timeout=None):
        if not blocking and timeout is not None:
            raise ValueError("can't specify timeout for non-blocking acquire")
        with self._cond:
            if not blocking:
                if self._value > 0:
                    self._value -= 1
                    return True
                return False
            if not self._cond.wait_for(lambda: self._value > 0, timeout):
                return False
            self._value -= 1
            return True

    def release(self, n=1):
        with self._cond:
            self._value += n
            self._cond.notify(n)



class BoundedSemaphore(Semaphore):
    def __init__(self, value=1):
        super().__init__(value)
        self._initial = value

    def release(self, n=1):
        with self._cond:
            if self._value + n > self._initial:
                raise ValueError("Semaphore released too many times")
            self._value += n
            self._cond.notify(n)


class Event:
    def __init__(self):
        self._cond = Condition(Lock())
        self._flag = False

    def is_set(self):
        return self._flag

    isSet = is_set

    def set(self):
        with self._cond:
            self._flag = True
            self._cond.notify_all()

    def clear(self):
        with self._cond:
            self._flag = False

    def wait(self, timeout=None):
        with self._cond:
            if not self._flag:
                self._cond.wait_for(lambda: self._flag, timeout)
            return self._flag


_active = {}
_active_lock = _alloc()
_counter = 0


class Thread:
    def __init__(self, group=None, target=None, name=None, args=(), kwargs=None, *, daemon=None):
        global _counter
        _counter += 1
        self._target = target
        self._args = args
        self._kwargs = {} if kwargs is None else kwargs
        self._name = "Thread-%d" % _counter if name is None else str(name)
        self._daemon = current_thread().daemon if daemon is None else bool(daemon)
        self._ident = None
        self._started = False
        self._finished = False
        self._done = _alloc()

    def run(self):
        if self._target is not None:
            self._target(*self._args, **self._kwargs)

    def _bootstrap(self, ready):
        self._ident = get_ident()
        with _active_lock:
            _active[self._ident] = self
        ready.release()
        try:
            self.run()
        except SystemExit:
            pass
        except BaseException as e:
            print("Exception in thread %s:" % self._name)
            sys.print_exception(e)
        finally:
            with _active_lock:
                _active.pop(self._ident, None)
            self._finished = True
            self._done.release()

    def start(self):
        if self._started:
            raise RuntimeError("threads can only be started once")
        self._started = True
        self._done.acquire()
        ready = _alloc()
        ready.acquire()
        try:
            _thread.start_new_thread(self._bootstrap, (ready,))
        except BaseException:
            self._done.release()
            self._started = False
            raise
        ready.acquire()

    def join(self, timeout=None):
        if not self._started:
            raise RuntimeError("cannot join thread before it is started")
        if self._ident == get_ident():
            raise RuntimeError("cannot join current thread")
        if self._finished:
            return
        if _acquire(self._done, True, -1 if timeout is None else timeout):
            self._done.release()

    def is_alive(self):
        return self._started and not self._finished

    @property
    def name(self):
        return self._name

    @name.setter
    def name(self, value):
        self._name = str(value)

    @property
    def daemon(self):
        return self._daemon

    @daemon.setter
    def daemon(self, value):
        if self._started:
            raise RuntimeError("cannot set daemon status of active thread")
        self._daemon = bool(value)

    @property
    def ident(self):
        return self._ident

    @property
    def native_id(self):
        return self._ident

    def getName(self):
        return self._name

    def setName(self, value):
        self.name = value

    def isDaemon(self):
        return self._daemon

    def setDaemon(self, value):
        self.daemon = value

    def __repr__(self):
        state = "started" if self.is_alive() else ("stopped" if self._finished else "initial")
        return "<%s(%s, %s)>" % (type(self).__name__, self._name, state)


class _RTThread(Thread):
    # _thread.Thread: MicroPythonRT's arguments (target, name, args, kwargs), daemon threads allowed
    def __init__(self, target=None, name=None, args=(), kwargs=None, *, daemon=None):
        super().__init__(None, target, name, args, kwargs, daemon=daemon)


class _MainThread(Thread):
    def __init__(self):
        self._target = None
        self._name = "MainThread"
        self._daemon = False
        self._ident = _thread._main_ident()
        self._started = True
        self._finished = False
        self._done = _alloc()


class _DummyThread(_MainThread):
    def __init__(self, ident):
        super().__init__()
        self._started = True
        self._name = "Dummy-%d" % ident
        self._ident = ident
        self._daemon = True


_main = None


def main_thread():
    return _main


def current_thread():
    me = get_ident()
    if _main is not None and me == _main._ident:
        return _main
    t = _active.get(me)
    return t if t is not None else _DummyThread(me)


currentThread = current_thread


def enumerate():
    with _active_lock:
        threads = list(_active.values())
    return [_main] + threads


def active_count():
    with _active_lock:
        return len(_active) + 1


activeCount = active_count


class Timer(Thread):
    def __init__(self, interval, function, args=None, kwargs=None):
        super().__init__()
        self.interval = interval
        self.function = function
        self.args = [] if args is None else args
        self.kwargs = {} if kwargs is None else kwargs
        self.finished = Event()

    def cancel(self):
        self.finished.set()

    def run(self):
        self.finished.wait(self.interval)
        if not self.finished.is_set():
            self.function(*self.args, **self.kwargs)
        self.finished.set()


_main = _MainThread()


# Thread-local data. Each thread has a dict (_thread._locals(), kept by the firmware with the thread and
# dropped when it ends) mapping a local's key to that thread's attributes of it. The first use of a
# local in a thread makes its dict and, for a subclass with __init__, calls __init__ with the
# arguments given at creation, as CPython does. Plain values set on a subclass's class are defaults
# each thread can override: they become _LocalDefault descriptors when the first instance is made.
_local_keys = 0
_object_init = object.__init__


def _local_dict(self):
    m = _thread._locals()
    k = self._local__key
    d = m.get(k)
    if d is None:
        d = m[k] = {}
        args, kw = self._local__args
        if getattr(type(self), "__init__", _object_init) is not _object_init:
            self.__init__(*args, **kw)
    return d


class _LocalDefault:
    def __init__(self, name, value):
        self.name = name
        self.value = value

    def __get__(self, obj, cls):
        if obj is None:
            return self.value
        return _local_dict(obj).get(self.name, self.value)

    def __set__(self, obj, value):
        _local_dict(obj)[self.name] = value

    def __delete__(self, obj):
        try:
            del _local_dict(obj)[self.name]
        except KeyError:
            raise AttributeError(self.name)


def _local_prepare(cls):
    while cls is not local:
        d = cls.__dict__
        if "_local__prepared" not in d:
            for name in list(d):
                v = d[name]
                if not name.startswith("__") and not callable(v) and not isinstance(
                    v, (property, classmethod, staticmethod, _LocalDefault)
                ):
                    setattr(cls, name, _LocalDefault(name, v))
            cls._local__prepared = True
        cls = cls.__bases__[0] if cls.__bases__ else local


class local:
    def __new__(cls, *args, **kw):
        global _local_keys
        if (args or kw) and getattr(cls, "__init__", _object_init) is _object_init:
            raise TypeError("Initialization arguments are not supported")
        if cls is not local:
            _local_prepare(cls)
        self = object.__new__(cls)
        _local_keys += 1
        object.__setattr__(self, "_local__key", _local_keys)
        object.__setattr__(self, "_local__args", (args, kw))
        # this thread's dict exists before __init__ runs in it (called next by the constructor)
        _thread._locals()[_local_keys] = {}
        return self

    def __getattr__(self, name):
        try:
            return _local_dict(self)[name]
        except KeyError:
            raise AttributeError("'%s' object has no attribute '%s'" % (type(self).__name__, name))

    def __setattr__(self, name, value):
        _local_dict(self)[name] = value

    def __delattr__(self, name):
        try:
            del _local_dict(self)[name]
        except KeyError:
            raise AttributeError(name)
