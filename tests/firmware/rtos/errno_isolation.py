# errno isolation between threads: five threads (on both cores when there are two) each provoke a
# different OSError from filesystem calls, over and over, with sleeps in between so that the others
# fail meanwhile; each sees only its own errno, also when it reads it after a sleep.
import _thread
import errno
import os
import time

# littlefs's codes, which MicroPython's errno module does not name
ENOTDIR, ENOTEMPTY = 20, 39
ROOT = "/errno_iso"
try:
    os.mkdir(ROOT)
except OSError:
    pass
open(ROOT + "/file", "w").close()
try:
    os.mkdir(ROOT + "/full")
except OSError:
    pass
open(ROOT + "/full/x", "w").close()

CASES = (
    ("stat missing", errno.ENOENT, lambda i: os.stat(ROOT + "/missing%d" % i)),
    ("mkdir existing", errno.EEXIST, lambda i: os.mkdir(ROOT)),
    ("listdir a file", ENOTDIR, lambda i: os.listdir(ROOT + "/file")),
    ("open a dir", errno.EISDIR, lambda i: open(ROOT, "r")),
    ("rmdir non-empty", ENOTEMPTY, lambda i: os.rmdir(ROOT + "/full")),
)
ROUNDS = 40
lock = _thread.allocate_lock()
report = {}


def provoke(case):
    name, want, op = case
    seen = {}
    for i in range(ROUNDS):
        try:
            op(i)
            seen["no error"] = seen.get("no error", 0) + 1
        except OSError as e:
            # the others fail with their own errno while this one sleeps
            time.sleep_ms(i % 3)
            seen[e.errno] = seen.get(e.errno, 0) + 1
        time.sleep_ms(1)
    with lock:
        report[name] = (want, seen)


for case in CASES[1:]:
    _thread.start_new_thread(provoke, (case,))
provoke(CASES[0])  # the main thread takes part too
t0 = time.ticks_ms()
while len(report) < len(CASES) and time.ticks_diff(time.ticks_ms(), t0) < 5000:
    time.sleep_ms(10)
for name, want, _ in CASES:
    w, seen = report.get(name, (want, {}))
    print(name, seen == {want: ROUNDS} or seen)

os.remove(ROOT + "/full/x")
os.rmdir(ROOT + "/full")
os.remove(ROOT + "/file")
os.rmdir(ROOT)
