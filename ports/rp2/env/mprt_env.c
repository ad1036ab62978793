// MicroPythonRT rp2 port: the persistent environment over lib/kvstore (docs/environment.md). The store is
// the settings region at the end of flash (MPRT_FLASH_SETTINGS_*, from the flash map), read through XIP
// and written with flash_range_erase/flash_range_program, which the firmware links wrapped so each
// operation runs through flash_safe_execute with the other core kept out of flash (ports/rp2/rtos/rtos_flash.c).
// A kernel mutex serializes the store between tasks. This file also gives Picolibc its getenv, setenv and
// unsetenv (ours are linked in its place), so tzset() reads TZ from the store.
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "FreeRTOS.h"
#include "semphr.h"
#include "hardware/flash.h"
#include "mprt_config.h"
#include "kvstore.h"
#include "mprt_env.h"

#define ENV_SIZE (MPRT_FLASH_SETTINGS_SIZE & ~(2u * FLASH_SECTOR_SIZE - 1))

static int env_erase(void *ctx, uint32_t offset, uint32_t len) {
    (void)ctx;
    flash_range_erase(MPRT_FLASH_SETTINGS_OFFSET + offset, len);
    return 0;
}

static int env_program(void *ctx, uint32_t offset, const uint8_t *data, uint32_t len) {
    (void)ctx;
    flash_range_program(MPRT_FLASH_SETTINGS_OFFSET + offset, data, len);
    return 0;
}

// the page buffer new states are streamed through (lib/kvstore)
static uint8_t env_page[FLASH_PAGE_SIZE];

static kv_flash_t env_flash = {
    .base = (const uint8_t *)(XIP_BASE + MPRT_FLASH_SETTINGS_OFFSET),
    .size = ENV_SIZE,
    .sector_size = FLASH_SECTOR_SIZE,
    .page_size = FLASH_PAGE_SIZE,
    .erase = env_erase,
    .program = env_program,
    .scratch = env_page,
};
static kv_store_t env_store;
static bool env_opened, env_usable;
static StaticSemaphore_t env_lock_storage;
static SemaphoreHandle_t env_lock;

// Returns whether the mutex was taken. Picolibc's tzset and localtime_r call getenv with the C library's
// lock held, which suspends the scheduler (ports/rp2/rtos/rtos_main.c): no blocking wait is allowed
// then, so the mutex is only tried; when a change holds it, the reader goes on without it (a change
// only writes the bank that is not current until its commit, and flash_safe_execute keeps other cores
// out of flash while it erases or programs).
static bool lock(void) {
    mprt_env_init();
    switch (xTaskGetSchedulerState()) {
        case taskSCHEDULER_RUNNING:
            xSemaphoreTakeRecursive(env_lock, portMAX_DELAY);
            return true;
        case taskSCHEDULER_SUSPENDED:
            return xSemaphoreTakeRecursive(env_lock, 0) == pdTRUE;
        default:
            return false; // before the scheduler starts: one task of execution
    }
}

static void unlock(bool taken) {
    if (taken) {
        xSemaphoreGiveRecursive(env_lock);
    }
}

void mprt_env_init(void) {
    if (env_opened) {
        return;
    }
    env_lock = xSemaphoreCreateRecursiveMutexStatic(&env_lock_storage);
    // a settings region under two sectors leaves no store: every variable is unset, setting one fails
    env_usable = kv_open(&env_store, &env_flash) == 0;
    env_opened = true;
}

void mprt_env_each(mprt_env_visit_t visit, void *arg) {
    bool taken = lock();
    kv_iter_t it = { 0 };
    const char *key;
    const uint8_t *value;
    size_t len;
    while (kv_next(&env_store, &it, &key, &value, &len) && visit(arg, key, value, len)) {
    }
    unlock(taken);
}

int mprt_env_get(const char *key, uint8_t *buf, size_t cap) {
    bool taken = lock();
    const uint8_t *value;
    size_t len;
    int r = -1;
    if (kv_get(&env_store, key, &value, &len) == 0) {
        memcpy(buf, value, len < cap ? len : cap);
        r = len;
    }
    unlock(taken);
    return r;
}

static bool valid_name(const char *key) {
    return key[0] != 0 && strchr(key, '=') == NULL && strlen(key) <= KV_KEY_MAX;
}

int mprt_env_set(const char *key, const uint8_t *value, size_t len) {
    if (!valid_name(key)) {
        return -EINVAL;
    }
    bool taken = lock();
    int r;
    if (!taken && xTaskGetSchedulerState() != taskSCHEDULER_NOT_STARTED) {
        r = -EAGAIN; // the scheduler is suspended and another change is under way: never two at once
    } else if (!env_usable) {
        r = value == NULL ? -ENOENT : -ENOSPC;
    } else if (value == NULL) {
        r = kv_delete(&env_store, key);
    } else {
        r = kv_set(&env_store, key, value, len);
    }
    unlock(taken);
    return r;
}

size_t mprt_env_capacity(void) {
    mprt_env_init();
    return env_usable ? kv_capacity(&env_store) : 0;
}

size_t mprt_env_used(void) {
    bool taken = lock();
    size_t n = kv_used(&env_store);
    unlock(taken);
    return n;
}

// ---- Picolibc's environment functions, over the store ----

// The value is in flash (XIP) and stays valid until the second change of the environment after the call.
char *getenv(const char *name) {
    bool taken = lock();
    const uint8_t *value;
    size_t len;
    char *r = kv_get(&env_store, name, &value, &len) == 0 ? (char *)value : NULL;
    unlock(taken);
    return r;
}

int setenv(const char *name, const char *value, int overwrite) {
    if (name == NULL || !valid_name(name) || value == NULL) {
        errno = EINVAL;
        return -1;
    }
    bool taken = lock();
    int r = 0;
    if (overwrite || getenv(name) == NULL) {
        r = mprt_env_set(name, (const uint8_t *)value, strlen(value));
    }
    unlock(taken);
    if (r < 0) {
        errno = -r;
        return -1;
    }
    return 0;
}

int unsetenv(const char *name) {
    if (name == NULL || !valid_name(name)) {
        errno = EINVAL;
        return -1;
    }
    int r = mprt_env_set(name, NULL, 0);
    if (r < 0 && r != -ENOENT) {
        errno = -r;
        return -1;
    }
    return 0;
}

// ---- the boot environment ----

static size_t gc_heap_size, mp_stack_size;

// A size from the environment: decimal or 0x hex, with an optional K or M suffix; 0 when unset or bad.
static size_t env_size(const char *key) {
    char buf[24];
    int n = mprt_env_get(key, (uint8_t *)buf, sizeof(buf) - 1);
    if (n <= 0 || n >= (int)sizeof(buf)) {
        return 0;
    }
    buf[n] = 0;
    char *end;
    unsigned long v = strtoul(buf, &end, 0);
    if (*end == 'K' || *end == 'k') {
        v *= 1024;
        end++;
    } else if (*end == 'M' || *end == 'm') {
        v *= 1024 * 1024;
        end++;
    }
    return *end == 0 ? v : 0;
}

void mprt_env_boot(void) {
    mprt_env_init();
    // TZ: Picolibc's tzset() reads it with the getenv above (localtime() re-reads it at every call too)
    tzset();
    gc_heap_size = env_size("GC_HEAP");
    mp_stack_size = env_size("MP_STACK");
    // HOSTNAME, TTY and ROOT are kept in the store for the subsystems that read them (docs/environment.md)
}

size_t mprt_env_gc_heap_size(void) {
    return gc_heap_size;
}

size_t mprt_env_mp_stack_size(void) {
    return mp_stack_size;
}
