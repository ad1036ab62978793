// lib/posix: <sys/ioctl.h> for the firmware (Picolibc has none). Request numbers are Linux's.
#ifndef POSIX_SYS_IOCTL_H
#define POSIX_SYS_IOCTL_H

#define FIONREAD (0x541B) // int *: bytes ready to read
#define FIONBIO  (0x5421) // const int *: non-zero sets O_NONBLOCK, zero clears it

int ioctl(int fd, unsigned long request, ...);

#endif // POSIX_SYS_IOCTL_H
