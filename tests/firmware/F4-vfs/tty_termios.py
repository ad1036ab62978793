# /dev/ttyS0 (UART0) as a tty with termios basics, on the board alone (the line itself is tested with
# the harness on the other end: tests/firmware/F4-tty.test.ts). Constants have Linux's values.
import os, select, termios, tty

print(termios.B9600, termios.B115200, termios.B921600, termios.TCSANOW, termios.TCSAFLUSH, termios.NCCS)
print(termios.ICANON, termios.ECHO, termios.OPOST, termios.CS8, termios.VMIN, termios.VTIME)
print("ttyS0" in os.listdir("/dev"), os.stat("/dev/ttyS0")[0] & 0o170000 == 0o020000)
fd = os.open("/dev/ttyS0", os.O_RDWR | os.O_NONBLOCK)
print(os.isatty(fd))
a = termios.tcgetattr(fd)
print(len(a), len(a[6]), type(a[6][0]).__name__)
for speed in (termios.B9600, termios.B57600, termios.B115200, termios.B921600):
    a[4] = a[5] = speed
    a[2] = (a[2] & ~termios.CBAUD) | speed
    termios.tcsetattr(fd, termios.TCSANOW, a)
    b = termios.tcgetattr(fd)
    print(b[4] == b[5] == speed, b[2] & termios.CBAUD == speed)
# the frame format: 7 bits, even parity, 2 stop bits, and back
a[2] = (a[2] & ~termios.CSIZE) | termios.CS7 | termios.PARENB | termios.CSTOPB
termios.tcsetattr(fd, termios.TCSADRAIN, a)
b = termios.tcgetattr(fd)
print(b[2] & termios.CSIZE == termios.CS7, bool(b[2] & termios.PARENB), bool(b[2] & termios.CSTOPB))
# cooked flags set, then tty.setraw clears them (CPython's cfmakeraw)
a[0] |= termios.ICRNL | termios.IXON
a[1] |= termios.OPOST | termios.ONLCR
a[3] |= termios.ICANON | termios.ECHO | termios.ISIG
termios.tcsetattr(fd, termios.TCSANOW, a)
old = tty.setraw(fd)
print(old[3] & termios.ICANON != 0, old[1] & termios.OPOST != 0)
r = termios.tcgetattr(fd)
print(r[0] & (termios.ICRNL | termios.IXON), r[1] & termios.OPOST, r[3] & (termios.ICANON | termios.ECHO | termios.ISIG))
print(r[2] & termios.CSIZE == termios.CS8, r[2] & termios.PARENB, r[6][termios.VMIN], r[6][termios.VTIME])
# nothing connected: no input, room for output; a write goes out, tcdrain waits for it
termios.tcflush(fd, termios.TCIOFLUSH)
print(select.select([fd], [fd], [], 0)[:2] == ([], [fd]))
try:
    os.read(fd, 10)
except OSError as e:
    print("read", e.errno)
print(os.write(fd, b"hello"))
termios.tcdrain(fd)
# bad arguments
for bad in ((fd, 7, a), (fd, termios.TCSANOW, a[:6])):
    try:
        termios.tcsetattr(*bad)
    except (OSError, TypeError) as e:
        print(type(e).__name__)
try:
    termios.tcflush(fd, 9)
except OSError as e:
    print("flush", e.errno)
r, w = os.pipe()
try:
    termios.tcgetattr(r)
except termios.error as e:
    print("pipe", e.errno)
for x in (r, w, fd):
    os.close(x)
