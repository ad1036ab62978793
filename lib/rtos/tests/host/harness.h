// Minimal harness for the kernel's host tests: each test runs its body in a task under a fresh scheduler.
#ifndef RTOS_TEST_HARNESS_H
#define RTOS_TEST_HARNESS_H

#include <stdio.h>

#include "FreeRTOS.h"
#include "task.h"
#include "queue.h"
#include "semphr.h"
#include "timers.h"
#include "event_groups.h"
#include "rtos_host.h"

#define TEST_STACK configMINIMAL_STACK_SIZE
#define MAIN_PRIO 4

// Fail the current test (ends the scheduler from whichever task or ISR is running).
void test_fail(const char *file, int line, const char *msg);
// Called by the test body when all its checks ran.
void test_done(void);

#define CHECK(cond) do { if (!(cond)) { test_fail(__FILE__, __LINE__, #cond); } } while (0)
#define CHECK_EQ(a, b) do { long long a_ = (long long)(a), b_ = (long long)(b); if (a_ != b_) { \
                                char m_[200]; snprintf(m_, sizeof m_, "%s == %s (%lld != %lld)", #a, #b, a_, b_); \
                                test_fail(__FILE__, __LINE__, m_); } } while (0)

// A small event log tests use to check ordering.
#define LOG_MAX 256
extern int test_log[LOG_MAX];
extern TickType_t test_log_tick[LOG_MAX];
extern int test_log_len;
void test_log_add(int v);

typedef struct {
    const char *name;
    void (*body)(void *);
    TickType_t initial_tick;
    UBaseType_t cores;
} test_case_t;

#endif
