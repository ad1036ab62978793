# asyncio.Runner, as CPython's (docs.python.org/3/library/asyncio-runner.html): run(coro) runs a
# coroutine on the loop and returns its result; close() cancels the tasks left and runs the loop until
# their cleanup is done; get_loop(); a context manager. asyncio.run is `with Runner() as r: r.run(coro)`.
#
# Ctrl-C during run(): with the signal module, run() installs a SIGINT handler (in the main thread, when
# the handler in place is the default one) that asks the loop to cancel the main task: the loop is woken
# through an eventfd a small task waits on, the cancellation happens between tasks, the main task's
# cleanup runs, and run() raises KeyboardInterrupt; close() then cancels the other tasks and awaits their
# cleanup. A second Ctrl-C raises KeyboardInterrupt at once. Without the signal module (or with another
# SIGINT handler) KeyboardInterrupt is raised wherever the loop was: run() puts the loop right, cancels
# the main task, awaits its cleanup and raises KeyboardInterrupt again, so the outcome is the same.
import os
from . import core

_CREATED = 0
_INITIALIZED = 1
_CLOSED = 2

# How many Runner.run calls are running the loop (a second one inside is an error). cur_task does not
# tell: a loop ended by KeyboardInterrupt outside a Runner (Loop.run_forever) leaves it set.
_running = 0


class Runner:
    def __init__(self, *, debug=None, loop_factory=None):
        self._state = _CREATED
        self._loop = None
        self._loop_factory = loop_factory
        self._interrupt_count = 0

    def __enter__(self):
        self._lazy_init()
        return self

    def __exit__(self, exc_type, exc_val, exc_tb):
        self.close()

    def close(self):
        if self._state != _INITIALIZED:
            return
        try:
            _cancel_all_tasks()
        except KeyboardInterrupt:
            # a Ctrl-C during the cleanup ends it
            _after_interrupt()
            raise
        finally:
            self._loop = None
            self._state = _CLOSED

    def get_loop(self):
        self._lazy_init()
        return self._loop

    def run(self, coro, *, context=None):
        if not hasattr(coro, "send"):
            raise ValueError("a coroutine was expected, got {!r}".format(coro))
        global _running
        if _running:
            raise RuntimeError("Runner.run() cannot be called from a running event loop")
        if core.cur_task is not None:
            # left by a loop that KeyboardInterrupt ended outside a Runner (Loop.run_forever)
            _after_interrupt()
        self._lazy_init()
        import asyncio

        task = asyncio.create_task(coro)
        self._interrupt_count = 0
        sigint = _SigInt.install(self, task)
        _running += 1
        try:
            try:
                return core.run_until_complete(task)
            except KeyboardInterrupt:
                # Raised wherever the loop was (no SIGINT handler of ours, or a second Ctrl-C).
                self._interrupt_count += 1
                _after_interrupt()
                if not task.done():
                    task.cancel()
                    _wait_tasks((task,))
                raise
            except core.CancelledError:
                if self._interrupt_count > 0:
                    raise KeyboardInterrupt()
                raise
        finally:
            _running -= 1
            if sigint is not None:
                sigint.uninstall()
            if task.state is True:
                # core's loop returns on the main task's end without marking it done: mark it (done
                # and awaited), so that done() says so and close() does not cancel it
                task.state = False

    def _lazy_init(self):
        if self._state == _CLOSED:
            raise RuntimeError("Runner is closed")
        if self._state == _INITIALIZED:
            return
        self._loop = core.get_event_loop() if self._loop_factory is None else self._loop_factory()
        self._state = _INITIALIZED


def _after_interrupt():
    # KeyboardInterrupt left run_until_complete with cur_task set to the task that ran last. If that
    # task was running (its coroutine ended with the interrupt) it is on no queue; if it was sleeping it
    # is on the run queue: either way it goes (back) on the run queue, so cancelling it reaches it (a
    # task that is not on the queue is ignored by remove).
    t = core.cur_task
    core.cur_task = None
    if t is not None and not t.done() and t.data is None:
        core._task_queue.remove(t)
        core._task_queue.push(t)


async def _wait_all(tasks):
    for t in tasks:
        while not t.done():
            try:
                await t
            except RuntimeError:
                if not t.done():
                    # another waiter holds it (a gather): look again later
                    await core.sleep_ms(10)
            except core.CancelledError:
                pass
            except Exception as e:
                core.Loop.call_exception_handler(
                    {"message": "unhandled exception during asyncio.run() shutdown", "exception": e, "future": t}
                )


def _wait_tasks(tasks):
    # Runs the loop until every task of tasks is done (the waiting task is not one of asyncio's tasks).
    global _running
    import asyncio

    _running += 1
    try:
        core.run_until_complete(asyncio._core_create_task(_wait_all(tasks)))
    finally:
        _running -= 1


def _cancel_all_tasks():
    import asyncio

    tasks = [t for t in asyncio._tasks if not t.done()]
    if not tasks:
        return
    for t in tasks:
        t.cancel()
    _wait_tasks(tasks)


class _SigInt:
    # run()'s SIGINT handler and the eventfd that wakes the loop when it fires.
    @staticmethod
    def install(runner, task):
        try:
            import signal
        except ImportError:
            return None
        try:
            if signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
                return None
        except (AttributeError, ValueError):
            return None
        self = _SigInt()
        self.runner = runner
        self.task = task
        self.pending = False
        self.fd = os.eventfd(0, os.EFD_NONBLOCK)
        try:
            signal.signal(signal.SIGINT, self.on_sigint)
        except ValueError:
            # not the main thread
            os.close(self.fd)
            return None
        self.signal = signal
        # The waker waits on the eventfd from the start: registered here (the loop may run with the heap
        # locked, and registering allocates), its first run is the first wake-up.
        self.waker = _core_task(self.wake())
        core._task_queue.remove(self.waker)
        running = core.cur_task
        core.cur_task = self.waker
        try:
            core._io_queue.queue_read(self.fd)
        finally:
            core.cur_task = running
        return self

    def on_sigint(self, signum, frame):
        self.runner._interrupt_count += 1
        if self.runner._interrupt_count == 1 and not self.task.done():
            self.pending = True
            os.eventfd_write(self.fd, 1)
            return
        # a second Ctrl-C (the main task did not reach an await), or the main task is done: raise it
        # where the code is; run() then cancels the main task once its cleanup has run, so the
        # cancellation asked for before must not cut that cleanup short
        self.pending = False
        raise KeyboardInterrupt()

    # A generator (core's IO wait is yielded to, as asyncio's streams do); each run follows a wake-up.
    def wake(self):
        while self.fd >= 0:
            try:
                os.eventfd_read(self.fd)
            except OSError:
                pass
            if self.pending:
                self.pending = False
                if not self.task.done():
                    self.task.cancel()
            yield core._io_queue.queue_read(self.fd)

    def uninstall(self):
        self.signal.signal(self.signal.SIGINT, self.signal.default_int_handler)
        core._io_queue.remove(self.waker)
        core._task_queue.remove(self.waker)
        fd, self.fd = self.fd, -1
        os.close(fd)


def _core_task(coro):
    import asyncio

    return asyncio._core_create_task(coro)
