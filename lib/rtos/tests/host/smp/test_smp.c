// SMP scheduling on two simulated cores: parallel tasks, affinity, choice of the core to preempt,
// cross-core wake-ups, time slicing of three tasks over two cores, deleting a task running on the other
// core, scheduler suspension across cores, and running alone when core 1 is absent.
#include <string.h>

#include "tests.h"

#define CORE_TAG(id) ((id) * 10 + (int)xTaskGetCoreID(NULL))

static void busy_logger(void *arg) {
    int id = (int)(uintptr_t)arg;
    for (int i = 0; i < 4; i++) {
        test_log_add(CORE_TAG(id));
        rtos_host_tick();
    }
}

void t_smp_parallel_tasks_and_idles(void *arg) {
    (void)arg;
    CHECK_EQ(uxTaskGetNumberOfTasks(), 4); // main, IDLE, IDLE1, Tmr Svc
    TaskHandle_t idle1 = xTaskGetIdleTaskHandleForCore(1);
    CHECK(idle1 != NULL && strcmp(pcTaskGetName(idle1), "IDLE1") == 0);
    CHECK_EQ(vTaskCoreAffinityGet(idle1), 0x2);
    BaseType_t me = xTaskGetCoreID(NULL);
    CHECK(me == 0 || me == 1);
    vTaskPrioritySet(NULL, MAIN_PRIO + 2);
    xTaskCreate(busy_logger, "A", TEST_STACK, (void *)1, MAIN_PRIO + 1, NULL);
    xTaskCreate(busy_logger, "B", TEST_STACK, (void *)2, MAIN_PRIO + 1, NULL);
    TickType_t t0 = xTaskGetTickCount();
    vTaskPrioritySet(NULL, MAIN_PRIO); // A and B now run, one per core, in the same ticks
    // A and B each keep one core, the two cores differ, and they run in the same ticks
    vTaskDelay(2);
    CHECK_EQ(test_log_len, 8);
    int core[3] = {-1, -1, -1};
    TickType_t first_tick[3] = {0, 0, 0};
    int seen[3] = {0, 0, 0};
    for (int i = 0; i < test_log_len; i++) {
        int id = test_log[i] / 10;
        CHECK(id == 1 || id == 2);
        if (seen[id] == 0) {
            core[id] = test_log[i] % 10;
            first_tick[id] = test_log_tick[i];
        }
        CHECK_EQ(test_log[i] % 10, core[id]);
        CHECK_EQ(test_log_tick[i], (TickType_t)(first_tick[id] + seen[id])); // one step each tick
        seen[id]++;
    }
    CHECK(core[1] != core[2]);
    TickType_t gap = first_tick[1] > first_tick[2] ? first_tick[1] - first_tick[2] : first_tick[2] - first_tick[1];
    CHECK(gap <= 1); // so at least three of the four ticks are shared
    CHECK((TickType_t)(first_tick[1] - t0) <= 1);
    test_done();
}

static volatile int migrate_stop;

static void core_reporter(void *arg) {
    (void)arg;
    while (!migrate_stop) {
        test_log_add((int)xTaskGetCoreID(NULL));
        rtos_host_tick();
    }
}

void t_smp_affinity_migration(void *arg) {
    (void)arg;
    TaskHandle_t m;
    vTaskPrioritySet(NULL, MAIN_PRIO + 2);
    migrate_stop = 0;
    xTaskCreateAffinitySet(core_reporter, "M", TEST_STACK, NULL, MAIN_PRIO + 1, 0x1, &m);
    vTaskDelay(3); // M runs on core 0 only
    int before = test_log_len;
    CHECK(before >= 3);
    for (int i = 0; i < before; i++) {
        CHECK_EQ(test_log[i], 0);
    }
    vTaskCoreAffinitySet(m, 0x2); // now only core 1
    CHECK_EQ(vTaskCoreAffinityGet(m), 0x2);
    vTaskDelay(3);
    CHECK(test_log_len > before);
    for (int i = before; i < test_log_len; i++) {
        CHECK_EQ(test_log[i], 1);
    }
    migrate_stop = 1;
    vTaskDelay(2);
    vTaskPrioritySet(NULL, MAIN_PRIO);
    test_done();
}

static volatile int hog_stop;

static void hog(void *arg) {
    int id = (int)(uintptr_t)arg;
    while (!hog_stop) {
        test_log_add(CORE_TAG(id));
        rtos_host_tick();
    }
}

static void one_shot_logger(void *arg) {
    test_log_add(CORE_TAG((int)(uintptr_t)arg));
}

void t_smp_preempts_lowest_priority_core(void *arg) {
    (void)arg;
    vTaskPrioritySet(NULL, 6);
    hog_stop = 0;
    xTaskCreate(hog, "H", TEST_STACK, (void *)1, 5, NULL);
    xTaskCreate(hog, "L", TEST_STACK, (void *)2, 2, NULL);
    vTaskDelay(2);
    // H and L ran on different cores; we (6) woke up on L's core, the lowest-priority one
    int h_core = -1, l_core = -1;
    for (int i = 0; i < test_log_len; i++) {
        if (test_log[i] / 10 == 1) {
            h_core = test_log[i] % 10;
        } else if (test_log[i] / 10 == 2) {
            l_core = test_log[i] % 10;
        }
    }
    CHECK(h_core >= 0 && l_core >= 0 && h_core != l_core);
    CHECK_EQ(xTaskGetCoreID(NULL), l_core);
    test_log_len = 0;
    xTaskCreate(one_shot_logger, "T", TEST_STACK, (void *)3, 4, NULL);
    vTaskDelay(3); // T (4) runs on L's core when we block; H keeps its core throughout
    int h = 0, t = 0;
    for (int i = 0; i < test_log_len; i++) {
        if (test_log[i] / 10 == 1) {
            CHECK_EQ(test_log[i], 10 + h_core);
            h++;
        } else if (test_log[i] / 10 == 3) {
            CHECK_EQ(test_log[i], 30 + l_core);
            t++;
        }
    }
    CHECK_EQ(t, 1);
    CHECK(h >= 3); // H ran in every step
    hog_stop = 1;
    vTaskDelay(2);
    vTaskPrioritySet(NULL, MAIN_PRIO);
    test_done();
}

static SemaphoreHandle_t sem;
static TickType_t gave_at;

static void waiter_core1(void *arg) {
    (void)arg;
    xSemaphoreTake(sem, portMAX_DELAY);
    test_log_add(CORE_TAG(5));
}

static void giver_core0(void *arg) {
    (void)arg;
    rtos_host_run_ticks(2);
    gave_at = xTaskGetTickCount();
    xSemaphoreGive(sem);
    test_log_add(CORE_TAG(6));
    rtos_host_run_ticks(2);
}

void t_smp_cross_core_wake(void *arg) {
    (void)arg;
    sem = xSemaphoreCreateBinary();
    vTaskPrioritySet(NULL, 6);
    xTaskCreateAffinitySet(waiter_core1, "W", TEST_STACK, NULL, 5, 0x2, NULL);
    xTaskCreateAffinitySet(giver_core0, "G", TEST_STACK, NULL, 5, 0x1, NULL);
    vTaskDelay(8);
    CHECK_EQ(test_log_len, 2);
    CHECK_EQ(test_log[0], 60);
    CHECK_EQ(test_log[1], 51); // woken on core 1 by a give on core 0, in the same tick
    CHECK_EQ(test_log_tick[1], gave_at);
    vSemaphoreDelete(sem);
    vTaskPrioritySet(NULL, MAIN_PRIO);
    test_done();
}

static volatile int a_stop;
static TaskHandle_t pinned_b;

static void mover(void *arg) {
    (void)arg;
    while (!a_stop) {
        test_log_add(CORE_TAG(1));
        rtos_host_tick();
    }
}

static void pinned_burst(void *arg) {
    (void)arg;
    vTaskDelay(2);
    test_log_add(CORE_TAG(2));
    rtos_host_run_ticks(3);
}

void t_smp_preempted_task_moves_to_free_core(void *arg) {
    (void)arg;
    TaskHandle_t a;
    a_stop = 0;
    vTaskPrioritySet(NULL, 7);
    xTaskCreateAffinitySet(mover, "A", TEST_STACK, NULL, 5, 0x1, &a); // starts on core 0
    vTaskDelay(2);
    vTaskCoreAffinitySet(a, tskNO_AFFINITY);
    xTaskCreateAffinitySet(pinned_burst, "B", TEST_STACK, NULL, 6, 0x1, &pinned_b); // will take core 0
    test_log_len = 0;
    vTaskDelay(8);
    // B preempted A on core 0 while core 1 was idle: A went on running on core 1 at once
    int b_at = -1;
    for (int i = 0; i < test_log_len; i++) {
        if (test_log[i] == 20) {
            b_at = i;
        }
    }
    CHECK(b_at >= 0);
    TickType_t b_tick = test_log_tick[b_at];
    for (TickType_t t = b_tick; t != (TickType_t)(b_tick + 3); t++) {
        int a_ran = 0;
        for (int i = 0; i < test_log_len; i++) {
            a_ran |= test_log_tick[i] == t && test_log[i] == 11;
        }
        CHECK(a_ran);
    }
    a_stop = 1;
    vTaskDelay(2);
    vTaskPrioritySet(NULL, MAIN_PRIO);
    test_done();
}

static void worker6(void *arg) {
    for (int i = 0; i < 6; i++) {
        test_log_add((int)(uintptr_t)arg);
        rtos_host_tick();
    }
}

void t_smp_round_robin_three_tasks(void *arg) {
    (void)arg;
    vTaskPrioritySet(NULL, 6);
    xTaskCreate(worker6, "X", TEST_STACK, (void *)1, 5, NULL);
    xTaskCreate(worker6, "Y", TEST_STACK, (void *)2, 5, NULL);
    xTaskCreate(worker6, "Z", TEST_STACK, (void *)3, 5, NULL);
    TickType_t t0 = xTaskGetTickCount();
    vTaskDelay(12);
    // 18 task-ticks over two cores: done in 9 ticks; never the same task twice in one tick
    CHECK_EQ(test_log_len, 18);
    int count[4] = {0, 0, 0, 0};
    for (int i = 0; i < 18; i++) {
        count[test_log[i]]++;
        CHECK((TickType_t)(test_log_tick[i] - t0) <= 9);
        for (int j = i + 1; j < 18 && test_log_tick[j] == test_log_tick[i]; j++) {
            CHECK(test_log[j] != test_log[i]);
        }
    }
    CHECK_EQ(count[1], 6);
    CHECK_EQ(count[2], 6);
    CHECK_EQ(count[3], 6);
    vTaskPrioritySet(NULL, MAIN_PRIO);
    test_done();
}

static void endless(void *arg) {
    (void)arg;
    for (;;) {
        test_log_add(CORE_TAG(7));
        rtos_host_tick();
    }
}

void t_smp_delete_task_on_other_core(void *arg) {
    (void)arg;
    UBaseType_t base = uxTaskGetNumberOfTasks();
    TaskHandle_t v;
    xTaskCreateAffinitySet(endless, "V", TEST_STACK, NULL, 5, 0x2, &v);
    vTaskDelay(3);
    CHECK(test_log_len >= 3);
    CHECK_EQ(test_log[0], 71);
    CHECK(eTaskGetState(v) == eRunning);
    vTaskDelete(v); // running on core 1: it stops there, and its idle task frees it
    int n = test_log_len;
    vTaskDelay(5);
    CHECK(test_log_len <= n + 1); // at most the rest of the step it was in
    CHECK_EQ(uxTaskGetNumberOfTasks(), base);
    test_done();
}

static void suspender(void *arg) {
    int id = (int)(uintptr_t)arg;
    if (id == 2) {
        rtos_host_tick(); // let core 0 suspend first
    }
    vTaskSuspendAll();
    test_log_add(id * 10 + 1);
    rtos_host_run_ticks(3);
    test_log_add(id * 10 + 2);
    xTaskResumeAll();
}

void t_smp_suspend_all_excludes_other_core(void *arg) {
    (void)arg;
    vTaskPrioritySet(NULL, 6);
    xTaskCreateAffinitySet(suspender, "S0", TEST_STACK, (void *)1, 5, 0x1, NULL);
    xTaskCreateAffinitySet(suspender, "S1", TEST_STACK, (void *)2, 5, 0x2, NULL);
    vTaskDelay(12);
    static const int expect[] = {11, 12, 21, 22};
    CHECK_EQ(test_log_len, 4);
    for (int i = 0; i < 4; i++) {
        CHECK_EQ(test_log[i], expect[i]);
    }
    CHECK(test_log_tick[2] >= test_log_tick[1]);
    vTaskPrioritySet(NULL, MAIN_PRIO);
    test_done();
}

void t_smp_core1_absent_fallback(void *arg) {
    (void)arg;
    CHECK_EQ(uxTaskGetNumberOfTasks(), 3); // no IDLE1
    CHECK(xTaskGetIdleTaskHandleForCore(1) == NULL);
    xTaskCreateAffinitySet(one_shot_logger, "P", TEST_STACK, (void *)4, MAIN_PRIO + 1, 0x2, NULL);
    CHECK_EQ(test_log_len, 1);
    CHECK_EQ(test_log[0], 40); // pinned to core 1, but runs on core 0: the only one
    test_done();
}
