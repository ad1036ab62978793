# Streams over file descriptors (pipes, eventfds, the console's fds 0-2, and later files, sockets and
# serial ports): FdIO is the non-blocking raw stream asyncio's Stream reads and writes, and
# StreamReader/StreamWriter take an fd (or an object with fileno()) where MicroPython's take a stream.
# A task waiting on one sleeps in the loop's poll until the fd is ready (kernel notification).
import errno, os
from .stream import Stream as _Stream


class FdIO:
    # The fd is made non-blocking (as CPython's pipe transports do); close() gives back its blocking
    # mode, and closes the fd when closefd is true.
    def __init__(self, fd, closefd=True):
        if not isinstance(fd, int):
            fd = fd.fileno()
        self.fd = fd
        self.closefd = closefd
        self._blocking = os.get_blocking(fd)
        if self._blocking:
            os.set_blocking(fd, False)

    def fileno(self):
        return self.fd

    # read/readinto/readline/write return None when the fd would block (MicroPython's stream rule,
    # which asyncio's Stream relies on).
    def read(self, n=-1):
        if n is None or n < 0:
            n = 512
        try:
            return os.read(self.fd, n)
        except OSError as e:
            if e.errno == errno.EAGAIN:
                return None
            raise

    def readinto(self, buf):
        r = self.read(len(buf))
        if r is None:
            return None
        buf[: len(r)] = r
        return len(r)

    def readline(self):
        # Byte by byte, so nothing is read past the line (the fd's readiness then tells the truth).
        line = b""
        while True:
            c = self.read(1)
            if c is None:
                return line if line else None
            line += c
            if not c or c == b"\n":
                return line

    def write(self, buf):
        try:
            return os.write(self.fd, buf)
        except OSError as e:
            if e.errno == errno.EAGAIN:
                return None
            raise

    def close(self):
        if self.fd < 0:
            return
        fd, self.fd = self.fd, -1
        if self.closefd:
            os.close(fd)
        elif self._blocking:
            os.set_blocking(fd, True)


class Stream(_Stream):
    def __init__(self, s, e={}):
        if isinstance(s, int):
            s = FdIO(s)
        super().__init__(s, e)


StreamReader = Stream
StreamWriter = Stream


def open_fd(fd, closefd=True):
    # A Stream over fd (an int or an object with fileno()) for reading and writing.
    return Stream(FdIO(fd, closefd))
