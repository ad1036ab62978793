#include "tests.h"

#define TEST_ENTRY(name, tick) {#name, t_##name, (TickType_t)(tick), 1},
#define SMP_ENTRY(name, cores) {#name, t_##name, 0, cores},
const test_case_t all_tests[] = {
    RTOS_TESTS(TEST_ENTRY)
    #if configNUMBER_OF_CORES > 1
    RTOS_SMP_TESTS(SMP_ENTRY)
    #endif
    {
        NULL, NULL, 0, 0
    }
};
