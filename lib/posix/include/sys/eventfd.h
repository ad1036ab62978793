// lib/posix: <sys/eventfd.h> for the firmware (Picolibc has none), as Linux's: EFD_NONBLOCK is
// O_NONBLOCK and EFD_CLOEXEC is O_CLOEXEC.
#ifndef POSIX_SYS_EVENTFD_H
#define POSIX_SYS_EVENTFD_H

#include <stdint.h>
#include <fcntl.h>

typedef uint64_t eventfd_t;

#define EFD_SEMAPHORE (1)
#define EFD_NONBLOCK  (O_NONBLOCK)
#define EFD_CLOEXEC   (O_CLOEXEC)

int eventfd(unsigned int initval, int flags);
int eventfd_read(int fd, eventfd_t *value);
int eventfd_write(int fd, eventfd_t value);

#endif // POSIX_SYS_EVENTFD_H
