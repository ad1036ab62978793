# /dev/ttyUSB0 is the console: an fd of its own (a tty, a character device), written through os.write
# and open().
import os

fd = os.open("/dev/ttyUSB0", os.O_WRONLY)
print(os.isatty(fd), os.fstat(fd).st_mode & 0o170000 == 0o020000, fd > 2)
os.write(fd, b"through /dev/ttyUSB0\n")
os.close(fd)
with open("/dev/ttyUSB0", "w") as f:
    f.write("and through open()\n")
print("ttyUSB0" in os.listdir("/dev"), os.stat("/dev/ttyUSB0").st_mode & 0o170000 == 0o020000)
