// MicroPythonRT rp2 port: the persistent environment (docs/environment.md). One lib/kvstore store over
// the settings region of the flash map (flash.settings_size: two banks); C's getenv/setenv/unsetenv and
// Python's os.getenv/putenv/unsetenv/environ all go through it, so each sees the other's changes at once.
#ifndef MPRT_ENV_H
#define MPRT_ENV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

// Opens the store (once, at power-up; later calls do nothing).
void mprt_env_init(void);

// Called with the store locked for each variable; return false to stop.
typedef bool (*mprt_env_visit_t)(void *arg, const char *key, const uint8_t *value, size_t len);
void mprt_env_each(mprt_env_visit_t visit, void *arg);

// Like getenv, but copies the value (and its length) into buf while the store is locked: the value's
// length (which may exceed cap: then buf holds the first cap bytes), or -1 when the key is not set.
int mprt_env_get(const char *key, uint8_t *buf, size_t cap);

// Sets (value != NULL) or removes (value == NULL) a variable: 0 or a negative errno (EINVAL for a
// name that is empty or holds '=', ENOSPC when the store is full, ENOENT for removing an unset one).
int mprt_env_set(const char *key, const uint8_t *value, size_t len);

// Bytes the store holds for variables, and bytes in use.
size_t mprt_env_capacity(void);
size_t mprt_env_used(void);

// The boot environment, read at power-up (mprt_env_boot): the GC heap size and the MicroPython stack
// limit asked for (0 = the build's), and TZ applied through tzset().
void mprt_env_boot(void);
size_t mprt_env_gc_heap_size(void);
size_t mprt_env_mp_stack_size(void);

#endif // MPRT_ENV_H
