#include "tests.h"

#define TEST_ENTRY(name, tick) {#name, t_##name, (TickType_t)(tick)},
const test_case_t all_tests[] = {RTOS_TESTS(TEST_ENTRY){NULL, NULL, 0}};
