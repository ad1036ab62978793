// MicroPythonRT rp2 port: lwIP's compiler/platform header for the RP2040 with Picolibc.
#ifndef MPRT_LWIP_ARCH_CC_H
#define MPRT_LWIP_ARCH_CC_H

#include <errno.h>
#include <stdlib.h>

#define LWIP_ERRNO_STDINCLUDE 1
#define LWIP_TIMEVAL_PRIVATE 0
#include <sys/time.h>

#ifndef BYTE_ORDER
#define BYTE_ORDER LITTLE_ENDIAN
#endif
#define LWIP_NO_INTTYPES_H 0

void mprt_net_assert(const char *msg, const char *file, int line);
#define LWIP_PLATFORM_DIAG(x) do { } while (0)
#define LWIP_PLATFORM_ASSERT(x) mprt_net_assert((x), __FILE__, __LINE__)

#endif // MPRT_LWIP_ARCH_CC_H
