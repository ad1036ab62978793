# selectors: CPython's high-level I/O multiplexing API (docs.python.org/3/library/selectors.html) over
# this firmware's select.poll, so it waits on any fd (pipes, eventfds, the console, ...) through
# kernel notifications. A file object is an fd or an object with fileno(). DefaultSelector is
# PollSelector; SelectSelector and EpollSelector are the same class under CPython's other names.
from collections import namedtuple
import select

EVENT_READ = 1
EVENT_WRITE = 2

SelectorKey = namedtuple("SelectorKey", ("fileobj", "fd", "events", "data"))


def _fileobj_to_fd(fileobj):
    if isinstance(fileobj, int):
        fd = fileobj
    else:
        try:
            fd = int(fileobj.fileno())
        except (AttributeError, TypeError, ValueError):
            raise ValueError("Invalid file object: {!r}".format(fileobj))
    if fd < 0:
        raise ValueError("Invalid file descriptor: {}".format(fd))
    return fd


class _SelectorMapping:
    # The read-only mapping get_map() returns: file object -> SelectorKey.
    def __init__(self, selector):
        self._selector = selector

    def __len__(self):
        return len(self._selector._fd_to_key)

    def __getitem__(self, fileobj):
        fd = self._selector._fileobj_lookup(fileobj)
        return self._selector._fd_to_key[fd]

    def get(self, fileobj, default=None):
        try:
            return self[fileobj]
        except KeyError:
            return default

    def __contains__(self, fileobj):
        return self.get(fileobj) is not None

    def __iter__(self):
        return iter([key.fileobj for key in self._selector._fd_to_key.values()])

    def keys(self):
        return [key.fileobj for key in self._selector._fd_to_key.values()]

    def values(self):
        return list(self._selector._fd_to_key.values())

    def items(self):
        return [(key.fileobj, key) for key in self._selector._fd_to_key.values()]


class PollSelector:
    def __init__(self):
        self._fd_to_key = {}
        self._map = _SelectorMapping(self)
        self._poll = select.poll()

    def _fileobj_lookup(self, fileobj):
        # The fd of a file object; a closed object is found among the registered ones.
        try:
            return _fileobj_to_fd(fileobj)
        except ValueError:
            for key in self._fd_to_key.values():
                if key.fileobj is fileobj:
                    return key.fd
            raise

    def _check_open(self):
        if self._fd_to_key is None:
            raise RuntimeError("selector is closed")

    @staticmethod
    def _poll_mask(events):
        return (select.POLLIN if events & EVENT_READ else 0) | (select.POLLOUT if events & EVENT_WRITE else 0)

    def register(self, fileobj, events, data=None):
        self._check_open()
        if not events or events & ~(EVENT_READ | EVENT_WRITE):
            raise ValueError("Invalid events: {!r}".format(events))
        key = SelectorKey(fileobj, self._fileobj_lookup(fileobj), events, data)
        if key.fd in self._fd_to_key:
            raise KeyError("{!r} (FD {}) is already registered".format(fileobj, key.fd))
        self._fd_to_key[key.fd] = key
        self._poll.register(key.fd, self._poll_mask(events))
        return key

    def unregister(self, fileobj):
        self._check_open()
        try:
            key = self._fd_to_key.pop(self._fileobj_lookup(fileobj))
        except KeyError:
            raise KeyError("{!r} is not registered".format(fileobj))
        try:
            self._poll.unregister(key.fd)
        except (KeyError, OSError):
            pass
        return key

    def modify(self, fileobj, events, data=None):
        self._check_open()
        try:
            key = self._fd_to_key[self._fileobj_lookup(fileobj)]
        except KeyError:
            raise KeyError("{!r} is not registered".format(fileobj))
        if not events or events & ~(EVENT_READ | EVENT_WRITE):
            raise ValueError("Invalid events: {!r}".format(events))
        if events != key.events:
            self._poll.modify(key.fd, self._poll_mask(events))
        if events != key.events or data is not key.data:
            key = SelectorKey(key.fileobj, key.fd, events, data)
            self._fd_to_key[key.fd] = key
        return key

    def select(self, timeout=None):
        # timeout in seconds: None blocks, <= 0 polls
        self._check_open()
        if timeout is None:
            ms = None
        elif timeout <= 0:
            ms = 0
        else:
            ms = int(timeout * 1000)
            if ms < timeout * 1000:
                ms += 1
        ready = []
        for fd, ev in self._poll.poll(ms):
            key = self._fd_to_key.get(fd)
            if key is None:
                continue
            events = (EVENT_READ if ev & ~select.POLLOUT else 0) | (EVENT_WRITE if ev & ~select.POLLIN else 0)
            events &= key.events
            if events:
                ready.append((key, events))
        return ready

    def close(self):
        self._fd_to_key = None
        self._map = None
        self._poll = None

    def get_key(self, fileobj):
        self._check_open()
        try:
            return self._fd_to_key[self._fileobj_lookup(fileobj)]
        except KeyError:
            raise KeyError("{!r} is not registered".format(fileobj))

    def get_map(self):
        return self._map

    def __enter__(self):
        return self

    def __exit__(self, *args):
        self.close()


SelectSelector = PollSelector
EpollSelector = PollSelector
DefaultSelector = PollSelector
