# Local time in a table of POSIX TZ zones at a table of instants (DST edges, leap day, 2038, before 1970),
# with TZ set in the environment and time.tzset(): localtime, tm_zone, tm_gmtoff, mktime round trip,
# strftime %Z %z, timezone/altzone/daylight/tzname. The expected output is CPython's (same script).
import os
import time

ZONES = [
    "UTC0",
    "CET-1CEST,M3.5.0,M10.5.0/3",
    "EST5EDT,M3.2.0,M11.1.0",
    "PST8PDT,M3.2.0,M11.1.0",
    "AEST-10AEDT,M10.1.0,M4.1.0/3",
    "NZST-12NZDT,M9.5.0,M4.1.0/3",
    "IST-5:30",
    "JST-9",
    "<-03>3",
    "GMT0BST,M3.5.0/1,M10.5.0",
]

INSTANTS = [
    0,
    951782400,  # 2000-02-29
    1700000000,
    1711846799,  # EU spring forward, 1 s before
    1711846800,
    1729990799,  # EU fall back
    1729990800,
    1710054000,  # US spring forward
    1730613599,
    1730613600,  # US fall back
    1712412000,  # southern hemisphere: DST ends 2024-04-07
    1727877600,  # 2024-10-02
    2147483647,
    2147483648,  # after 2038
    -31536000,  # 1969
]

for zone in ZONES:
    os.environ["TZ"] = zone
    time.tzset()
    print(zone, time.timezone, time.altzone, time.daylight, time.tzname)
    for t in INSTANTS:
        lt = time.localtime(t)
        back = int(time.mktime(lt))
        print(" ", t, tuple(lt), lt.tm_zone, lt.tm_gmtoff, back == t, time.strftime("%Y-%m-%d %H:%M:%S %Z %z", lt))

del os.environ["TZ"]
time.tzset()
