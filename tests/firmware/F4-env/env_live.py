# The firmware's environment is one store in flash that every reader sees at once (docs/environment.md):
# os.putenv is visible to os.getenv and os.environ at once (CPython's os.environ is a start-up copy), to
# C's getenv (Picolibc's localtime re-reads TZ through it), and a full store raises OSError(ENOSPC).
import os
import time

for k in list(os.environ):
    del os.environ[k]
print(os.environ, len(os.environ), bool(os.environ))
os.putenv("MPRT_LIVE", "one")
print(os.getenv("MPRT_LIVE"), os.environ, len(os.environ), bool(os.environ), os.environ == {"MPRT_LIVE": "one"})
os.putenv(b"MPRT_BYTES", b"two")
print(os.getenv("MPRT_BYTES"), sorted(os.environ.items()))
os.unsetenv("MPRT_LIVE")
print(os.getenv("MPRT_LIVE"), "MPRT_LIVE" in os.environ)

# C's getenv: Picolibc's localtime_r reads TZ with it at every call
os.putenv("TZ", "JST-9")
print(time.localtime(0)[3], time.localtime(0).tm_zone)
os.putenv("TZ", "EST5")
print(time.localtime(0)[3], time.localtime(0).tm_zone)
time.tzset()
print(time.timezone, time.tzname)
os.unsetenv("TZ")
time.tzset()
print(time.timezone, time.localtime(0)[3])

# full: one bank holds the variables
try:
    for i in range(10):
        os.putenv("MPRT_FILL%d" % i, "x" * 1000)
except OSError as e:
    print("OSError", e.errno == 28, i)  # ENOSPC
print(sorted(os.environ)[:4])
os.environ.clear()
print(os.environ)
