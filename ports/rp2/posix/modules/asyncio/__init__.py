# asyncio of this firmware: MicroPython's asyncio (extmod/asyncio: core, event, funcs, lock, stream,
# frozen from the micropython tree) with this package file in place of its own, adding CPython's
# asyncio.Runner and asyncio.run on it (Ctrl-C cancels every task and awaits its cleanup),
# asyncio.all_tasks, streams over file descriptors (StreamReader/StreamWriter take an fd; FdIO), and
# asyncio.repl_runner, the Runner of top-level await at the friendly REPL. The loop waits in
# select.poll's ipoll, which sleeps on kernel notifications for fds and streams (docs/asyncio.md).
from . import core
from .core import *

__version__ = (3, 0, 0)

# Every task made by create_task (core's, which Loop.create_task, gather and wait_for use too), so that
# a Runner can cancel the ones left. Done tasks are dropped when the list has doubled since the last
# sweep, so a program making many short tasks keeps it short.
_tasks = []
_sweep_at = 16
_core_create_task = core.create_task


def create_task(coro):
    global _sweep_at
    t = _core_create_task(coro)
    if len(_tasks) >= _sweep_at:
        _tasks[:] = [x for x in _tasks if not x.done()]
        _sweep_at = max(16, 2 * len(_tasks))
    _tasks.append(t)
    return t


core.create_task = create_task


def all_tasks():
    # The tasks not done yet (CPython returns a set; tasks are hashable here too).
    return {t for t in _tasks if not t.done()}


def run(main, *, debug=None):
    # CPython's asyncio.run: a Runner for this call, closed after it (left tasks cancelled).
    from .runner import Runner

    with Runner(debug=debug) as runner:
        return runner.run(main)


_attrs = {
    "wait_for": "funcs",
    "wait_for_ms": "funcs",
    "gather": "funcs",
    "Event": "event",
    "ThreadSafeFlag": "event",
    "Lock": "lock",
    "open_connection": "stream",
    "start_server": "stream",
    "StreamReader": "fdio",
    "StreamWriter": "fdio",
    "FdIO": "fdio",
    "open_fd": "fdio",
    "Runner": "runner",
}


# The other names load with their module when first used (as MicroPython's asyncio does);
# repl_runner is made on first use.
def __getattr__(attr):
    if attr == "repl_runner":
        value = __getattr__("Runner")()
    else:
        mod = _attrs.get(attr, None)
        if mod is None:
            raise AttributeError(attr)
        value = getattr(__import__(mod, None, None, True, 1), attr)
    globals()[attr] = value
    return value
