// Runs the kernel's host tests, one line per test: "PASS name" or "FAIL name: reason".
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "tests.h"

uint32_t rtos_test_initial_tick;
int test_log[LOG_MAX];
TickType_t test_log_tick[LOG_MAX];
int test_log_len;
int test_idle_hook_calls;

static int failed;
static int finished;
static char reason[300];

void test_log_add(int v) {
    if (test_log_len < LOG_MAX) {
        test_log_tick[test_log_len] = xTaskGetTickCount();
        test_log[test_log_len++] = v;
    }
}

void test_fail(const char *file, int line, const char *msg) {
    if (!failed) {
        const char *base = strrchr(file, '/');
        snprintf(reason, sizeof reason, "%s:%d: %s", base ? base + 1 : file, line, msg);
    }
    failed = 1;
    vTaskEndScheduler();
}

void test_done(void) {
    finished = 1;
    vTaskEndScheduler();
}

void rtos_test_assert_failed(const char *file, int line, const char *expr) {
    char m[200];
    snprintf(m, sizeof m, "configASSERT(%s)", expr);
    test_fail(file, line, m);
}

void vApplicationIdleHook(void) {
    test_idle_hook_calls++;
}

void vApplicationStackOverflowHook(TaskHandle_t task, char *name) {
    (void)task;
    char m[100];
    snprintf(m, sizeof m, "stack overflow in %s", name);
    test_fail("kernel", 0, m);
}

static void run(const test_case_t *t) {
    failed = 0;
    finished = 0;
    reason[0] = '\0';
    test_log_len = 0;
    test_idle_hook_calls = 0;
    rtos_test_initial_tick = t->initial_tick;
    rtos_host_cores = t->cores;
    if (xTaskCreate(t->body, "main", TEST_STACK, NULL, MAIN_PRIO, NULL) != pdPASS) {
        printf("FAIL %s: could not create the test task\n", t->name);
        return;
    }
    vTaskStartScheduler();
    if (!failed && !finished) {
        snprintf(reason, sizeof reason, "scheduler ended without the test finishing");
        failed = 1;
    }
    if (failed) {
        printf("FAIL %s: %s\n", t->name, reason);
    } else {
        printf("PASS %s\n", t->name);
    }
    fflush(stdout);
}

int main(int argc, char **argv) {
    int passed = 0, total = 0, bad = 0;
    for (const test_case_t *t = all_tests; t->name != NULL; t++) {
        if (argc > 1 && strcmp(argv[1], t->name) != 0) {
            continue;
        }
        run(t);
        total++;
        if (failed) {
            bad++;
        } else {
            passed++;
        }
    }
    printf("SUMMARY %d passed, %d failed, %d total\n", passed, bad, total);
    return bad ? 1 : 0;
}
