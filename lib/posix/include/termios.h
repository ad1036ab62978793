// lib/posix: <termios.h> for the firmware (Picolibc's needs a <sys/termios.h> it does not have). The
// names, values and layout are Linux's (glibc's struct termios), so Python's termios module gives the
// numbers CPython gives on Linux. A tty device answers the ioctls below (TCGETS ... TCFLSH); the
// functions are lib/posix/posix_termios.c. See docs/vfs.md ("Serial ports").
#ifndef POSIX_TERMIOS_H
#define POSIX_TERMIOS_H

#include <stdint.h>
#include <sys/types.h>

typedef uint8_t cc_t;
typedef uint32_t speed_t;
typedef uint32_t tcflag_t;

#define NCCS 32

struct termios {
    tcflag_t c_iflag;
    tcflag_t c_oflag;
    tcflag_t c_cflag;
    tcflag_t c_lflag;
    cc_t c_line;
    cc_t c_cc[NCCS];
    speed_t c_ispeed; // the baud rate code (B9600 ...), as cfgetispeed returns it
    speed_t c_ospeed;
};

// c_cc
#define VINTR    0
#define VQUIT    1
#define VERASE   2
#define VKILL    3
#define VEOF     4
#define VTIME    5
#define VMIN     6
#define VSWTC    7
#define VSTART   8
#define VSTOP    9
#define VSUSP    10
#define VEOL     11
#define VREPRINT 12
#define VDISCARD 13
#define VWERASE  14
#define VLNEXT   15
#define VEOL2    16

// c_iflag
#define IGNBRK  0000001
#define BRKINT  0000002
#define IGNPAR  0000004
#define PARMRK  0000010
#define INPCK   0000020
#define ISTRIP  0000040
#define INLCR   0000100
#define IGNCR   0000200
#define ICRNL   0000400
#define IUCLC   0001000
#define IXON    0002000
#define IXANY   0004000
#define IXOFF   0010000
#define IMAXBEL 0020000
#define IUTF8   0040000

// c_oflag
#define OPOST  0000001
#define OLCUC  0000002
#define ONLCR  0000004
#define OCRNL  0000010
#define ONOCR  0000020
#define ONLRET 0000040

// c_cflag
#define CBAUD   0010017
#define CBAUDEX 0010000
#define CSIZE   0000060
#define CS5     0000000
#define CS6     0000020
#define CS7     0000040
#define CS8     0000060
#define CSTOPB  0000100
#define CREAD   0000200
#define PARENB  0000400
#define PARODD  0001000
#define HUPCL   0002000
#define CLOCAL  0004000
#define CRTSCTS 020000000000

// c_lflag
#define ISIG    0000001
#define ICANON  0000002
#define ECHO    0000010
#define ECHOE   0000020
#define ECHOK   0000040
#define ECHONL  0000100
#define NOFLSH  0000200
#define TOSTOP  0000400
#define ECHOCTL 0001000
#define ECHOPRT 0002000
#define ECHOKE  0004000
#define IEXTEN  0100000

// speeds (c_cflag & CBAUD)
#define B0       0000000
#define B50      0000001
#define B75      0000002
#define B110     0000003
#define B134     0000004
#define B150     0000005
#define B200     0000006
#define B300     0000007
#define B600     0000010
#define B1200    0000011
#define B1800    0000012
#define B2400    0000013
#define B4800    0000014
#define B9600    0000015
#define B19200   0000016
#define B38400   0000017
#define B57600   0010001
#define B115200  0010002
#define B230400  0010003
#define B460800  0010004
#define B500000  0010005
#define B576000  0010006
#define B921600  0010007
#define B1000000 0010010

// tcsetattr
#define TCSANOW   0
#define TCSADRAIN 1
#define TCSAFLUSH 2
// tcflush
#define TCIFLUSH  0
#define TCOFLUSH  1
#define TCIOFLUSH 2

// the requests a tty device answers (Linux's numbers)
#define TCGETS  (0x5401) // struct termios *
#define TCSETS  (0x5402) // const struct termios *: now
#define TCSETSW (0x5403) // after the output is sent
#define TCSETSF (0x5404) // after the output is sent, discarding the input
#define TCSBRK  (0x5409) // int: 1 = wait until the output is sent (tcdrain)
#define TCFLSH  (0x540B) // int: TCIFLUSH TCOFLUSH TCIOFLUSH

int tcgetattr(int fd, struct termios *t);
int tcsetattr(int fd, int when, const struct termios *t);
int tcdrain(int fd);
int tcflush(int fd, int queue);
speed_t cfgetispeed(const struct termios *t);
speed_t cfgetospeed(const struct termios *t);
int cfsetispeed(struct termios *t, speed_t speed);
int cfsetospeed(struct termios *t, speed_t speed);
int cfsetspeed(struct termios *t, speed_t speed);
void cfmakeraw(struct termios *t);

// lib/posix: the baud rate a speed code stands for (B115200 -> 115200), or 0 for an unknown code; and
// the code of a baud rate (B0 when there is none).
uint32_t posix_termios_baud(speed_t speed);
speed_t posix_termios_speed(uint32_t baud);

#endif // POSIX_TERMIOS_H
