// lib/posix host tests: a minimal harness. CHECK records a failure and returns from the test;
// each test prints PASS name or FAIL name: file:line: expression; main prints a SUMMARY line.
#ifndef POSIX_TEST_CHECK_H
#define POSIX_TEST_CHECK_H

#include <stdio.h>
#include <errno.h>
#include <string.h>

extern const char *check_failed;
extern int check_line;

#define CHECK(x) do { \
        if (!(x)) { \
            check_failed = #x; \
            check_line = __LINE__; \
            return; \
        } \
} while (0)

// A call that must fail with errno e.
#define CHECK_ERR(call, e) do { \
        errno = 0; \
        long check_r_ = (long)(call); \
        if (check_r_ != -1 || errno != (e)) { \
            fprintf(stderr, "  %s -> %ld errno %d (%s), expected -1 errno %d\n", #call, check_r_, errno, strerror(errno), (e)); \
            check_failed = #call " fails with " #e; \
            check_line = __LINE__; \
            return; \
        } \
} while (0)

#endif
