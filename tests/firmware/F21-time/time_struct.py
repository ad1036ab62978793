# time.struct_time as CPython's: tm_* attributes, a 9-tuple for indexing, slicing, comparing and
# unpacking; Monday=0 and a 1-based day of the year; gmtime, asctime, ctime, strftime, strptime.
import time

t = time.gmtime(1700000000)
print(type(t).__name__, len(t), t)
print(t.tm_year, t.tm_mon, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec, t.tm_wday, t.tm_yday, t.tm_isdst)
print(t[0], t[-1], t[2:5], tuple(t), list(t)[:3])
print(t == (2023, 11, 14, 22, 13, 20, 1, 318, 0), t.tm_zone, t.tm_gmtoff)
year, mon, mday, hour, minute, sec, wday, yday, isdst = t
print(year, wday, yday)
print(isinstance(t, tuple), hash(t) == hash(tuple(t)))
try:
    t.tm_year = 1
except AttributeError:
    print("read-only")

# Monday=0, yday from 1, across a year
for secs in (0, 86400 * 4, 946684800, 951782400, 978220800, 1704067199, 1735603200):
    g = time.gmtime(secs)
    print(secs, g.tm_wday, g.tm_yday, time.asctime(g))

s = time.struct_time((2024, 2, 29, 12, 30, 45, 3, 60, 0))
print(s, s.tm_mday, s.tm_zone)
print(time.strftime("%a %A %b %B %d %j %H %I %M %S %p %y %Y %w %U %W %%", s))
print(time.strftime("%Y-%m-%dT%H:%M:%S", (2001, 9, 9, 1, 46, 40, 6, 252, 0)))
print(time.asctime((2024, 1, 5, 3, 4, 5, 4, 5, 0)))
print(time.strptime("Fri Jan  5 03:04:05 2024"))
print(time.strptime("2024-12-31 23:59:59", "%Y-%m-%d %H:%M:%S"))
print(time.strptime("1999-06", "%Y-%m"))
print(time.strptime("14:30", "%H:%M"))
try:
    time.strptime("2024-13-01", "%Y-%m-%d")
except ValueError:
    print("ValueError")
try:
    time.strftime("%Y", (2024, 13, 1, 0, 0, 0, 0, 1, 0))
except ValueError:
    print("ValueError")

import os
os.environ["TZ"] = "UTC0"
time.tzset()
print(time.ctime(0), time.ctime(1700000000))
print(int(time.mktime((2024, 2, 29, 12, 30, 45, 3, 60, 0))), int(time.mktime(time.gmtime(2147483648))))
del os.environ["TZ"]
time.tzset()
