// MicroPythonRT rp2 port: lwIP's OS layer (sys_arch) over the FreeRTOS API, public names only, so it
// builds on lib/rtos and on the FreeRTOS-Kernel: mutexes, counting semaphores, mailboxes (queues of
// pointers), threads (tasks), the lightweight protection (the scheduler lock, which nests and excludes
// both cores) and the millisecond clock. Written from lwIP's sys.h documentation.
#include <stdio.h>

#include "lwip/sys.h"
#include "lwip/err.h"
#include "pico.h"

uint32_t rosc_random_u32(void);

uint32_t mprt_net_rand(void) {
    return rosc_random_u32();
}

void mprt_net_assert(const char *msg, const char *file, int line) {
    printf("lwIP assertion \"%s\" failed at %s:%d\n", msg, file, line);
    panic("lwIP assertion");
}

void sys_init(void) {
}

u32_t sys_now(void) {
    return (u32_t)(xTaskGetTickCount() * portTICK_PERIOD_MS);
}

sys_prot_t sys_arch_protect(void) {
    vTaskSuspendAll();
    return 0;
}

void sys_arch_unprotect(sys_prot_t pval) {
    (void)pval;
    xTaskResumeAll();
}

// ---- mutexes ----

err_t sys_mutex_new(sys_mutex_t *m) {
    m->h = xSemaphoreCreateMutex();
    return m->h != NULL ? ERR_OK : ERR_MEM;
}

void sys_mutex_lock(sys_mutex_t *m) {
    xSemaphoreTake(m->h, portMAX_DELAY);
}

void sys_mutex_unlock(sys_mutex_t *m) {
    xSemaphoreGive(m->h);
}

void sys_mutex_free(sys_mutex_t *m) {
    vSemaphoreDelete(m->h);
    m->h = NULL;
}

// ---- semaphores ----

err_t sys_sem_new(sys_sem_t *s, u8_t count) {
    s->h = xSemaphoreCreateCounting(0xffff, count);
    return s->h != NULL ? ERR_OK : ERR_MEM;
}

void sys_sem_signal(sys_sem_t *s) {
    xSemaphoreGive(s->h);
}

// Ticks for a timeout in ms (0: forever, as lwIP means it).
static TickType_t ticks_of(u32_t timeout_ms) {
    if (timeout_ms == 0) {
        return portMAX_DELAY;
    }
    TickType_t t = pdMS_TO_TICKS(timeout_ms);
    return t == 0 ? 1 : t;
}

u32_t sys_arch_sem_wait(sys_sem_t *s, u32_t timeout) {
    TickType_t start = xTaskGetTickCount();
    if (xSemaphoreTake(s->h, ticks_of(timeout)) != pdTRUE) {
        return SYS_ARCH_TIMEOUT;
    }
    return (u32_t)((xTaskGetTickCount() - start) * portTICK_PERIOD_MS);
}

void sys_sem_free(sys_sem_t *s) {
    vSemaphoreDelete(s->h);
    s->h = NULL;
}

// ---- mailboxes ----

err_t sys_mbox_new(sys_mbox_t *b, int size) {
    b->h = xQueueCreate(size > 0 ? (UBaseType_t)size : 1, sizeof(void *));
    return b->h != NULL ? ERR_OK : ERR_MEM;
}

void sys_mbox_post(sys_mbox_t *b, void *msg) {
    xQueueSend(b->h, &msg, portMAX_DELAY);
}

err_t sys_mbox_trypost(sys_mbox_t *b, void *msg) {
    return xQueueSend(b->h, &msg, 0) == pdTRUE ? ERR_OK : ERR_MEM;
}

err_t sys_mbox_trypost_fromisr(sys_mbox_t *b, void *msg) {
    BaseType_t woken = pdFALSE;
    if (xQueueSendFromISR(b->h, &msg, &woken) != pdTRUE) {
        return ERR_MEM;
    }
    portYIELD_FROM_ISR(woken);
    return ERR_OK;
}

u32_t sys_arch_mbox_fetch(sys_mbox_t *b, void **msg, u32_t timeout) {
    void *m;
    TickType_t start = xTaskGetTickCount();
    if (xQueueReceive(b->h, &m, ticks_of(timeout)) != pdTRUE) {
        if (msg != NULL) {
            *msg = NULL;
        }
        return SYS_ARCH_TIMEOUT;
    }
    if (msg != NULL) {
        *msg = m;
    }
    return (u32_t)((xTaskGetTickCount() - start) * portTICK_PERIOD_MS);
}

u32_t sys_arch_mbox_tryfetch(sys_mbox_t *b, void **msg) {
    void *m;
    if (xQueueReceive(b->h, &m, 0) != pdTRUE) {
        return SYS_MBOX_EMPTY;
    }
    if (msg != NULL) {
        *msg = m;
    }
    return 0;
}

void sys_mbox_free(sys_mbox_t *b) {
    vQueueDelete(b->h);
    b->h = NULL;
}

// ---- threads ----

sys_thread_t sys_thread_new(const char *name, lwip_thread_fn thread, void *arg, int stacksize, int prio) {
    TaskHandle_t t = NULL;
    if (xTaskCreate(thread, name, (configSTACK_DEPTH_TYPE)(stacksize / sizeof(StackType_t)), arg, prio, &t) != pdPASS) {
        panic("lwIP: no memory for a thread");
    }
    return t;
}
