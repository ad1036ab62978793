# stdout and stderr are fds 1 and 2: os.dup2 points them at a pipe, print and sys.stdout/sys.stderr
# writes land there, and restoring the saved fd brings them back (expected output: CPython's).
import os
import sys


def drain(fd):
    data = b""
    while True:
        chunk = os.read(fd, 256)
        if not chunk:
            return data
        data += chunk


# print into a pipe through fd 1, then back on the console
r, w = os.pipe()
saved = os.dup(1)
sys.stdout.flush()
os.dup2(w, 1)
print("captured", 1, 2.5, sep="|")
sys.stdout.write("by sys.stdout.write\n")
print("no newline", end="")
sys.stdout.flush()
os.dup2(saved, 1)
print("back on the console")
os.close(w)  # fd 1 no longer holds the pipe: its last write end goes
print(repr(drain(r)))
os.close(r)

# stderr through fd 2, fd 1 untouched
r, w = os.pipe()
saved_err = os.dup(2)
sys.stderr.flush()
os.dup2(w, 2)
print("to stderr", file=sys.stderr)
sys.stderr.write("by sys.stderr.write\n")
print("stdout stays on the console")
sys.stderr.flush()
os.dup2(saved_err, 2)
os.close(saved_err)
os.close(w)
print(repr(drain(r)))
os.close(r)

# fd 1 and fd 2 into one pipe, in the order written
r, w = os.pipe()
saved_err = os.dup(2)
os.dup2(w, 1)
os.dup2(w, 2)
os.close(w)
for i in range(3):
    print("out", i)
    sys.stdout.flush()
    print("err", i, file=sys.stderr)
    sys.stderr.flush()
os.dup2(saved, 1)
os.dup2(saved_err, 2)
os.close(saved)
os.close(saved_err)
print(repr(drain(r)))
os.close(r)

# a reader thread empties the pipe while print writes more than the pipe holds
import _thread

r, w = os.pipe()
saved = os.dup(1)
got = []
done = _thread.allocate_lock()
done.acquire()


def reader():
    got.append(drain(r))
    done.release()


_thread.start_new_thread(reader, ())
sys.stdout.flush()
os.dup2(w, 1)
os.close(w)
for i in range(300):
    print("line %03d" % i)
sys.stdout.flush()
os.dup2(saved, 1)  # the pipe's last write end is gone: the reader sees its end
os.close(saved)
done.acquire()
os.close(r)
lines = got[0].decode().split("\n")
print(len(got[0]), lines[0], lines[299], lines == ["line %03d" % i for i in range(300)] + [""])
print("fds in use again:", os.dup(0) == 3)
os.close(3)
