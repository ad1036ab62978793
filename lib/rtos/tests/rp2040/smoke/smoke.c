// Bare-metal smoke program for the RP2040 port: runs the kernel on the emulated chip (rp2040js) and
// leaves its findings in `smoke_result` (first word of RAM), then stops at a BKPT.
#include <errno.h>
#include <picotls.h>
#include <string.h>

#include "FreeRTOS.h"
#include "task.h"
#include "queue.h"
#include "semphr.h"
#include "timers.h"
#include "rtos_rp2040.h"

#define SMOKE_MAGIC 0x534d4f4bu

struct smoke_result {
    uint32_t magic;
    uint32_t status; // 1: all checks passed; otherwise 0xbad00000 | source line
    uint32_t cores;
    uint32_t ticks_for_100;
    uint32_t received;
    uint32_t busy_c;
    uint32_t busy_d;
    uint32_t timer_fires;
    uint32_t idle_hook_calls;
    uint32_t inherited_priority;
    uint32_t restored_priority;
    uint32_t exclusive_ran;
    uint32_t phase;  // 1 while only the idle task should run (the harness measures WFI cycles then),
                     // 3 during the context-switch measurement
    uint32_t roundtrip_cycles; // notify ping-pong between two tasks: 2 context switches + 2 notifications
    uint32_t tls_checks;       // per-task errno / __thread checks that passed
};

__attribute__((section(".result"))) volatile struct smoke_result smoke_result;

extern uint32_t __data_start, __data_end, __data_load, __bss_start, __bss_end, __stack_top, __heap_start,
                __heap_end;

static void finish(uint32_t status) {
    smoke_result.status = status;
    __asm volatile ("cpsid i\n bkpt #0");
    for (;;) {
    }
}

void smoke_assert_failed(int line) {
    finish(0xbad00000u | (uint32_t)line);
}

#define CHECK(x) do { if (!(x)) { finish(0xbad00000u | __LINE__); } } while (0)

// ---- a bump allocator for the kernel (nothing is freed in this program) ----
static uint8_t *heap_next = (uint8_t *)&__heap_start;

void *pvPortMalloc(size_t size) {
    uint8_t *p = (uint8_t *)(((uintptr_t)heap_next + 7u) & ~(uintptr_t)7u);
    if (p + size > (uint8_t *)&__heap_end) {
        return NULL;
    }
    heap_next = p + size;
    return p;
}

void vPortFree(void *p) {
    (void)p;
}

void vApplicationIdleHook(void) {
    smoke_result.idle_hook_calls++;
}

void vApplicationStackOverflowHook(TaskHandle_t task, char *name) {
    (void)task;
    (void)name;
    finish(0xbad0fffeu);
}

// ---- tasks ----
static QueueHandle_t q;
static SemaphoreHandle_t m;
static volatile int busy_stop;
static TaskHandle_t low_task;

static void producer(void *arg) {
    (void)arg;
    for (uint32_t i = 0;; i++) {
        xQueueSend(q, &i, portMAX_DELAY);
        vTaskDelay(1);
    }
}

static void consumer(void *arg) {
    (void)arg;
    uint32_t expect = 0, v;
    for (;;) {
        xQueueReceive(q, &v, portMAX_DELAY);
        CHECK(v == expect);
        expect++;
        smoke_result.received++;
    }
}

static __thread int tls_initialised = 1234; // .tdata
static __thread int tls_zeroed;             // .tbss

static void busy(void *arg) {
    volatile uint32_t *counter = arg;
    int mine = counter == &smoke_result.busy_c ? 1 : 2;
    CHECK(tls_initialised == 1234 && tls_zeroed == 0);
    tls_zeroed = mine;
    tls_initialised += mine;
    errno = 100 + mine;
    while (!busy_stop) {
        (*counter)++;
        if ((*counter & 0xfff) == 0) {
            // preempted in between by the other busy task, which writes its own copies
            CHECK(tls_zeroed == mine && errno == 100 + mine);
        }
    }
    CHECK(tls_zeroed == mine && errno == 100 + mine && tls_initialised == 1234 + mine);
    taskENTER_CRITICAL();
    smoke_result.tls_checks++;
    taskEXIT_CRITICAL();
    vTaskDelete(NULL);
}

static void timer_cb(TimerHandle_t t) {
    (void)t;
    smoke_result.timer_fires++;
}

static void low_holder(void *arg) {
    (void)arg;
    xSemaphoreTake(m, portMAX_DELAY);
    ulTaskNotifyTake(pdTRUE, portMAX_DELAY);
    xSemaphoreGive(m);
    smoke_result.restored_priority = uxTaskPriorityGet(NULL);
    vTaskDelete(NULL);
}

static void high_taker(void *arg) {
    (void)arg;
    xSemaphoreTake(m, portMAX_DELAY);
    xSemaphoreGive(m);
    vTaskDelete(NULL);
}

static TaskHandle_t checker_task;

static void pong(void *arg) {
    (void)arg;
    for (;;) {
        ulTaskNotifyTake(pdTRUE, portMAX_DELAY);
        xTaskNotifyGive(checker_task);
    }
}

// Cycles since an arbitrary origin, from the tick count and SysTick's down-counter.
static uint64_t now_cycles(void) {
    uint32_t reload = *(volatile uint32_t *)0xe000e014u + 1u;
    for (;;) {
        TickType_t t = xTaskGetTickCount();
        uint32_t cvr = *(volatile uint32_t *)0xe000e018u;
        if (t == xTaskGetTickCount()) {
            return (uint64_t)t * reload + (reload - 1u - cvr);
        }
    }
}

static void ram_func_probe(void *arg) {
    *(volatile uint32_t *)arg = 1;
}

static void checker(void *arg) {
    (void)arg;
    smoke_result.cores = rtos_rp2040_cores_online();
    TickType_t t0 = xTaskGetTickCount();
    vTaskDelay(100);
    smoke_result.ticks_for_100 = xTaskGetTickCount() - t0;
    CHECK(smoke_result.ticks_for_100 == 100);
    CHECK(smoke_result.received >= 95 && smoke_result.received <= 101);
    busy_stop = 1;
    CHECK(smoke_result.busy_c > 0 && smoke_result.busy_d > 0);
    CHECK(smoke_result.busy_c < 3 * smoke_result.busy_d && smoke_result.busy_d < 3 * smoke_result.busy_c);
    // priority inheritance on the target
    xTaskCreate(low_holder, "L", configMINIMAL_STACK_SIZE, NULL, 1, &low_task);
    vTaskDelay(2);
    xTaskCreate(high_taker, "H", configMINIMAL_STACK_SIZE, NULL, 4, NULL);
    vTaskDelay(2);
    smoke_result.inherited_priority = uxTaskPriorityGet(low_task);
    xTaskNotifyGive(low_task);
    vTaskDelay(2);
    // the exclusive-execution primitive (single core here: interrupts off, function runs)
    rtos_rp2040_run_exclusive(ram_func_probe, (void *)&smoke_result.exclusive_ran);
    CHECK(smoke_result.inherited_priority == 4);
    CHECK(smoke_result.restored_priority == 1);
    // context-switch cost
    checker_task = xTaskGetCurrentTaskHandle();
    TaskHandle_t p;
    xTaskCreate(pong, "pong", configMINIMAL_STACK_SIZE, NULL, 5, &p);
    vTaskDelay(1);
    smoke_result.phase = 3;
    uint64_t c0 = now_cycles();
    for (int i = 0; i < 1000; i++) {
        xTaskNotifyGive(p);
        ulTaskNotifyTake(pdTRUE, portMAX_DELAY);
    }
    smoke_result.roundtrip_cycles = (uint32_t)((now_cycles() - c0) / 1000u);
    smoke_result.phase = 0;
    vTaskDelete(p);
    CHECK(smoke_result.exclusive_ran == 1);
    // stop the producer's traffic and let the idle task run alone for 100 ticks
    vTaskSuspend(xTaskGetHandle("prod"));
    uint32_t idle_before = smoke_result.idle_hook_calls;
    smoke_result.phase = 1;
    vTaskDelay(100);
    smoke_result.phase = 2;
    CHECK(smoke_result.idle_hook_calls - idle_before >= 90);
    CHECK(smoke_result.timer_fires >= 20);
    CHECK(smoke_result.tls_checks == 2);
    CHECK(tls_zeroed == 0 && errno == 0 && tls_initialised == 1234); // the checker's own copies were untouched
    finish(1);
}

int main(void) {
    smoke_result.magic = SMOKE_MAGIC;
    q = xQueueCreate(4, sizeof(uint32_t));
    m = xSemaphoreCreateMutex();
    xTaskCreate(producer, "prod", configMINIMAL_STACK_SIZE, NULL, 2, NULL);
    xTaskCreate(consumer, "cons", configMINIMAL_STACK_SIZE, NULL, 3, NULL);
    xTaskCreate(busy, "C", configMINIMAL_STACK_SIZE, (void *)&smoke_result.busy_c, 1, NULL);
    xTaskCreate(busy, "D", configMINIMAL_STACK_SIZE, (void *)&smoke_result.busy_d, 1, NULL);
    xTaskCreate(checker, "check", configMINIMAL_STACK_SIZE, NULL, 5, NULL);
    TimerHandle_t t = xTimerCreate("tmr", 10, pdTRUE, NULL, timer_cb);
    xTimerStart(t, 0);
    vTaskStartScheduler();
    finish(0xbad0ffffu);
    return 0;
}

// ---- start-up ----
void smoke_reset(void) {
    uint32_t *src = &__data_load;
    for (uint32_t *dst = &__data_start; dst < &__data_end;) {
        *dst++ = *src++;
    }
    for (uint32_t *dst = &__bss_start; dst < &__bss_end;) {
        *dst++ = 0;
    }
    static uint8_t initial_tls[64] __attribute__((aligned(8)));
    if (_tls_size() > sizeof(initial_tls)) {
        finish(0xbad0fffdu);
    }
    _init_tls(initial_tls); // for code running before the scheduler
    _set_tls(initial_tls);
    extern void(*const smoke_vectors[48])(void);
    *(volatile uint32_t *)0xe000ed08u = (uint32_t)(uintptr_t)smoke_vectors; // VTOR
    main();
}

static void unexpected_exception(void) {
    uint32_t ipsr;
    __asm volatile ("mrs %0, ipsr" : "=r" (ipsr));
    finish(0xbad10000u | ipsr);
}

__attribute__((section(".vectors"), used)) void(*const smoke_vectors[48])(void) = {
    [0] = (void (*)(void))(uintptr_t) & __stack_top,
    [1] = smoke_reset,
    [2 ... 13] = unexpected_exception,
    [14] = isr_pendsv,
    [15] = isr_systick,
    [16 ... 30] = unexpected_exception,
    [16 + 15] = isr_irq15,
    [16 + 16] = isr_irq16,
    [33 ... 47] = unexpected_exception,
};
