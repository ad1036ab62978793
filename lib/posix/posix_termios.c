// lib/posix: the termios functions (POSIX; the cf* helpers and cfmakeraw as glibc documents them) over
// the tty ioctls of <termios.h>, which each tty device answers.
#include <errno.h>
#include <termios.h>
#include "posix.h"

static const struct {
    speed_t code;
    uint32_t baud;
} speeds[] = {
    { B0, 0 }, { B50, 50 }, { B75, 75 }, { B110, 110 }, { B134, 134 }, { B150, 150 }, { B200, 200 },
    { B300, 300 }, { B600, 600 }, { B1200, 1200 }, { B1800, 1800 }, { B2400, 2400 }, { B4800, 4800 },
    { B9600, 9600 }, { B19200, 19200 }, { B38400, 38400 }, { B57600, 57600 }, { B115200, 115200 },
    { B230400, 230400 }, { B460800, 460800 }, { B500000, 500000 }, { B576000, 576000 },
    { B921600, 921600 }, { B1000000, 1000000 },
};

uint32_t posix_termios_baud(speed_t speed) {
    for (size_t i = 0; i < sizeof(speeds) / sizeof(speeds[0]); i++) {
        if (speeds[i].code == speed) {
            return speeds[i].baud;
        }
    }
    return 0;
}

speed_t posix_termios_speed(uint32_t baud) {
    for (size_t i = 0; i < sizeof(speeds) / sizeof(speeds[0]); i++) {
        if (speeds[i].baud == baud) {
            return speeds[i].code;
        }
    }
    return B0;
}

// a local failure: -1 with errno = -r
static int result(int r) {
    if (r < 0) {
        *posix_errno() = -r;
        return -1;
    }
    return 0;
}

int tcgetattr(int fd, struct termios *t) {
    return posix_ioctl(fd, TCGETS, t);
}

int tcsetattr(int fd, int when, const struct termios *t) {
    unsigned long req = when == TCSANOW ? TCSETS : when == TCSADRAIN ? TCSETSW : when == TCSAFLUSH ? TCSETSF : 0;
    if (req == 0) {
        return result(-EINVAL);
    }
    return posix_ioctl(fd, req, (void *)t);
}

int tcdrain(int fd) {
    int arg = 1;
    return posix_ioctl(fd, TCSBRK, &arg);
}

int tcflush(int fd, int queue) {
    return posix_ioctl(fd, TCFLSH, &queue);
}

speed_t cfgetispeed(const struct termios *t) {
    return t->c_ispeed;
}

speed_t cfgetospeed(const struct termios *t) {
    return t->c_cflag & CBAUD;
}

int cfsetispeed(struct termios *t, speed_t speed) {
    if ((speed & ~CBAUD) != 0 || (speed != B0 && posix_termios_baud(speed) == 0)) {
        return result(-EINVAL);
    }
    t->c_ispeed = speed;
    return 0;
}

int cfsetospeed(struct termios *t, speed_t speed) {
    if ((speed & ~CBAUD) != 0 || (speed != B0 && posix_termios_baud(speed) == 0)) {
        return result(-EINVAL);
    }
    t->c_cflag = (t->c_cflag & ~CBAUD) | speed;
    t->c_ospeed = speed;
    return 0;
}

int cfsetspeed(struct termios *t, speed_t speed) {
    if (cfsetospeed(t, speed) != 0) {
        return -1;
    }
    t->c_ispeed = speed;
    return 0;
}

void cfmakeraw(struct termios *t) {
    t->c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
    t->c_oflag &= ~OPOST;
    t->c_lflag &= ~(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
    t->c_cflag = (t->c_cflag & ~(CSIZE | PARENB)) | CS8;
    t->c_cc[VMIN] = 1;
    t->c_cc[VTIME] = 0;
}
